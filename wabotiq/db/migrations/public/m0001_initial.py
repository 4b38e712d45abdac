"""Tenants, users, roles, memberships, API keys and refresh tokens."""

SQL = """
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS no_tenant;
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA extensions;

CREATE TABLE public.tenants (
    id varchar(12) PRIMARY KEY,
    slug varchar(63) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name varchar(200) NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    timezone varchar(64) NOT NULL DEFAULT 'Africa/Nairobi',
    currency varchar(3) NOT NULL DEFAULT 'KES',
    languages jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.users (
    id uuid PRIMARY KEY,
    email varchar(320) NOT NULL UNIQUE CHECK (email = lower(email)),
    name varchar(200) NOT NULL DEFAULT '',
    password_hash varchar(255),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

CREATE TABLE public.roles (
    id uuid PRIMARY KEY,
    tenant_id varchar(12) NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    name varchar(100) NOT NULL,
    description text NOT NULL DEFAULT '',
    scopes jsonb NOT NULL DEFAULT '[]',
    is_system boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_tenant_name ON public.roles (tenant_id, lower(name));

CREATE TABLE public.memberships (
    id uuid PRIMARY KEY,
    tenant_id varchar(12) NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES public.roles (id),
    status varchar(16) NOT NULL CHECK (status IN ('invited', 'active')),
    invitation_hash varchar(64) UNIQUE,
    invitation_expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id)
);
CREATE INDEX memberships_user ON public.memberships (user_id);

CREATE TABLE public.api_keys (
    id uuid PRIMARY KEY,
    tenant_id varchar(12) NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    name varchar(100) NOT NULL,
    prefix varchar(16) NOT NULL UNIQUE,
    secret_hash varchar(64) NOT NULL,
    scopes jsonb NOT NULL DEFAULT '[]',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON public.api_keys (tenant_id, created_at DESC);

CREATE TABLE public.refresh_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    token_hash varchar(64) NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON public.refresh_tokens (family_id);
"""
