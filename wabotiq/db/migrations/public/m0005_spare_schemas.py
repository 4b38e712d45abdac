"""Spare tenant schemas: created and migrated ahead of time, so a new tenant claims one with a
rename instead of waiting for every table to be created (`wabotiq.tenancy.spares`)."""

SQL = """
CREATE TABLE public.spare_schemas (
    name text PRIMARY KEY CHECK (name ~ '^spare_[0-9a-f]{12}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
"""
