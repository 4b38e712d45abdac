"""Logs are JSON lines that carry the request id and the tenant of the current context."""

from __future__ import annotations

import json
import logging
import sys

from wabotiq.core.logs import JsonFormatter, request_id_var
from wabotiq.core.tenant import TenantRef, tenant_context


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "wabotiq.test", "levelname": "INFO", "msg": message})
    record.__dict__.update(extra)
    return record


def test_a_log_line_carries_request_id_tenant_and_extra_fields():
    token = request_id_var.set("req-12345678")
    try:
        with tenant_context(TenantRef(id="abcdef123456", schema="t_abcdef123456")):
            line = JsonFormatter().format(_record("order paid", order="WB-000123"))
    finally:
        request_id_var.reset(token)
    payload = json.loads(line)
    assert payload["message"] == "order paid"
    assert payload["request_id"] == "req-12345678"
    assert payload["tenant"] == "abcdef123456"
    assert payload["order"] == "WB-000123"
    assert payload["level"] == "info"


def test_outside_a_request_the_ids_are_null_and_exceptions_are_included():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    payload = json.loads(JsonFormatter().format(record))
    assert payload["request_id"] is None
    assert payload["tenant"] is None
    assert "ValueError: boom" in payload["exception"]
