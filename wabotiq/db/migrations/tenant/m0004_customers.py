"""Customers: phone encrypted at rest with a keyed hash for lookup."""

SQL = """
CREATE TABLE customers (
    id uuid PRIMARY KEY,
    phone_encrypted text NOT NULL,
    phone_hash varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL DEFAULT '',
    preferred_language varchar(8) NOT NULL DEFAULT 'en',
    tags jsonb NOT NULL DEFAULT '[]',
    notes text NOT NULL DEFAULT '',
    opted_out_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_created ON customers (created_at DESC, id);
"""
