"""Turn a task's last failure into a dead letter, in its tenant's schema (or `public` for a
platform task), where the tenant sees it and can run it again."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime

from taskiq import TaskiqMessage

from wabotiq.core.logs import request_id_var
from wabotiq.core.tenant import tenant_context
from wabotiq.domain.dead_letters.service import Failure, record_dead_letter
from wabotiq.workers.context import REQUEST_ID, TENANT_ID, tenant_ref

logger = logging.getLogger(__name__)

FIRST_FAILED_AT = "first_failed_at"
DELIVERY = "_delivery"
# Labels that describe one run rather than the task: not kept, not sent again on a re-run.
RUN_LABELS = frozenset(
    {"_retries", DELIVERY, "schedule_id", FIRST_FAILED_AT, REQUEST_ID, TENANT_ID}
)


def attempts_of(message: TaskiqMessage) -> int:
    """Which attempt this is: retries counted by the retry middleware, or deliveries counted by
    the Redis broker (higher when a worker died mid-task and the message came back)."""
    retried = int(message.labels.get("_retries", 0) or 0) + 1
    delivered = int(message.labels.get(DELIVERY, 0) or 0)
    return max(retried, delivered)


def failure_of(
    message: TaskiqMessage,
    *,
    error_type: str,
    error_message: str,
    trace: str,
    attempts: int,
    first_seen: datetime | None = None,
) -> Failure:
    now = datetime.now(UTC)
    first = _parse_time(message.labels.get(FIRST_FAILED_AT)) or first_seen or now
    return Failure(
        task_name=message.task_name,
        task_id=message.task_id,
        error_type=error_type,
        error_message=error_message,
        traceback=trace,
        attempts=attempts,
        first_failed_at=first,
        last_failed_at=now,
        tenant_id=str(message.labels[TENANT_ID]) if message.labels.get(TENANT_ID) else None,
        request_id=str(message.labels[REQUEST_ID]) if message.labels.get(REQUEST_ID) else None,
        args=list(message.args),
        kwargs=dict(message.kwargs),
        labels={k: v for k, v in message.labels.items() if k not in RUN_LABELS},
    )


def failure_from_error(message: TaskiqMessage, exc: BaseException, *, attempts: int) -> Failure:
    return failure_of(
        message,
        error_type=type(exc).__name__,
        error_message=str(exc),
        trace="".join(traceback.format_exception(exc)),
        attempts=attempts,
    )


async def bury(failure: Failure) -> int:
    """Record the letter in its tenant's schema; returns its id. Raises when it cannot be
    written: the caller then leaves the message unacknowledged rather than lose it."""
    request = request_id_var.set(failure.request_id)
    try:
        with tenant_context(tenant_ref(failure.tenant_id)):
            letter = await record_dead_letter(failure)
            logger.warning(
                "task dead-lettered",
                extra={
                    "task": failure.task_name,
                    "task_id": failure.task_id,
                    "dead_letter_id": letter.id,
                    "attempts": failure.attempts,
                    "error_type": failure.error_type,
                },
            )
    finally:
        request_id_var.reset(request)
    return letter.id


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
