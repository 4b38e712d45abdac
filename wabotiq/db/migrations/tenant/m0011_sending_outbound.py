"""Outbound rows whose one attempt began and whose provider id never came back: the
reconciliation looks for them every minute in every tenant, so the look must cost an index
probe on a handful of rows, not a scan of the tenant's messages."""

SQL = """
CREATE INDEX messages_sending ON messages (attempted_at)
    WHERE direction = 'outbound' AND status = 'sending' AND provider_message_id IS NULL;
"""
