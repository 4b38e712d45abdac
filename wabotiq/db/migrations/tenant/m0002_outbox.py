"""The transactional outbox: domain events written in the same transaction as the change."""

SQL = """
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    aggregate_type varchar(32) NOT NULL,
    aggregate_id varchar(64) NOT NULL,
    event_type varchar(64) NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_notify();
"""
