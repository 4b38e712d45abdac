"""The audit log."""

SQL = """
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_type varchar(16) NOT NULL,
    actor_id varchar(64),
    actor_label varchar(320) NOT NULL DEFAULT '',
    operation varchar(100) NOT NULL,
    target_ids jsonb NOT NULL DEFAULT '[]',
    outcome varchar(16) NOT NULL,
    request_id varchar(64) NOT NULL DEFAULT '',
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_occurred ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_operation ON audit_log (operation, occurred_at DESC);
"""
