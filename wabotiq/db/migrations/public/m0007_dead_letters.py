"""Dead letters of platform tasks, those that carry no tenant (a tenant's own are in its
schema)."""

SQL = """
CREATE TABLE public.dead_letters (
    id bigserial PRIMARY KEY,
    task_name text NOT NULL,
    task_id varchar(255) NOT NULL UNIQUE,
    args jsonb NOT NULL DEFAULT '[]',
    kwargs jsonb NOT NULL DEFAULT '{}',
    labels jsonb NOT NULL DEFAULT '{}',
    error_type text NOT NULL,
    error_message text NOT NULL DEFAULT '',
    traceback text NOT NULL DEFAULT '',
    attempts integer NOT NULL CHECK (attempts >= 1),
    first_failed_at timestamptz NOT NULL,
    last_failed_at timestamptz NOT NULL,
    tenant_id varchar(12),
    request_id text,
    retried_at timestamptz,
    retry_task_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""
