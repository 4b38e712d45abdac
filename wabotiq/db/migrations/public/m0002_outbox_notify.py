"""A trigger function tenant outboxes use to wake dispatchers when a transaction commits."""

SQL = """
CREATE FUNCTION public.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wabotiq_outbox', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;
"""
