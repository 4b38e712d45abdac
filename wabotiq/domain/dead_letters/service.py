"""Record, list and re-run dead letters. A tenant's letters live in its schema (the current
tenant's); a platform task's, with no tenant, in `public`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from wabotiq.domain.dead_letters.errors import DeadLetterError, DeadLetterErrorCode
from wabotiq.domain.dead_letters.models import DeadLetter, DeadLetterBase, PlatformDeadLetter

# Sends the letter's task again with its original arguments; returns the new task id. The
# workers provide it (the domain knows no broker).
Kick = Callable[[DeadLetterBase], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Failure:
    """A task's last failed attempt, as the worker saw it."""

    task_name: str
    task_id: str
    error_type: str
    error_message: str
    traceback: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    tenant_id: str | None = None
    request_id: str | None = None
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)


def _model(*, platform: bool) -> type[DeadLetterBase]:
    return PlatformDeadLetter if platform else DeadLetter


async def record_dead_letter(failure: Failure) -> DeadLetterBase:
    """Keep one letter per task id: a message delivered again after its letter was written (a
    worker stopped before acknowledging it) finds the letter there and adds none."""
    model = _model(platform=failure.tenant_id is None)
    existing = await model.get_or_none(task_id=failure.task_id)
    if existing is not None:
        return existing
    try:
        return await model.create(
            task_name=failure.task_name,
            task_id=failure.task_id,
            args=list(failure.args),
            kwargs=dict(failure.kwargs),
            labels=dict(failure.labels),
            error_type=failure.error_type,
            error_message=failure.error_message,
            traceback=failure.traceback,
            attempts=failure.attempts,
            first_failed_at=failure.first_failed_at,
            last_failed_at=failure.last_failed_at,
            tenant_id=failure.tenant_id,
            request_id=failure.request_id,
        )
    except IntegrityError:  # the same letter, written at the same moment by another worker
        return await model.get(task_id=failure.task_id)


async def list_dead_letters(
    *, platform: bool = False, before_id: int | None = None, limit: int = 50
) -> tuple[list[DeadLetterBase], int]:
    """Newest first, keyset-paged by id, with the total."""
    query = _model(platform=platform).all()
    total = await query.count()
    page = query.filter(id__lt=before_id) if before_id is not None else query
    rows = await page.order_by("-id").limit(limit)
    return list(rows), total


async def get_dead_letter(letter_id: int, *, platform: bool = False) -> DeadLetterBase:
    letter = await _model(platform=platform).get_or_none(id=letter_id)
    if letter is None:
        raise DeadLetterError(DeadLetterErrorCode.NOT_FOUND, "No such dead letter.", field="id")
    return letter


async def retry_dead_letter(
    letter_id: int, *, kick: Kick, platform: bool = False
) -> DeadLetterBase:
    """Send the letter's task again with its original arguments and mark the letter retried.
    Once only: a second retry of the same letter is refused (a run that fails again leaves a
    letter of its own). The row is locked, so two retries at once send it once."""
    letter = await _model(platform=platform).select_for_update().get_or_none(id=letter_id)
    if letter is None:
        raise DeadLetterError(DeadLetterErrorCode.NOT_FOUND, "No such dead letter.", field="id")
    if letter.retried_at is not None:
        raise DeadLetterError(
            DeadLetterErrorCode.ALREADY_RETRIED,
            f"Dead letter {letter_id} was already run again as task {letter.retry_task_id}.",
            field="id",
        )
    letter.retry_task_id = await kick(letter)
    letter.retried_at = datetime.now(UTC)
    await letter.save(update_fields=["retry_task_id", "retried_at"])
    return letter
