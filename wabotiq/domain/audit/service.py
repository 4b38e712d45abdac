"""Record and read the tenant's audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wabotiq.domain.audit.models import AuditEntry


class Outcome(StrEnum):
    SUCCESS = "success"
    USER_ERROR = "user_error"
    ERROR = "error"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    operation: str | None = None
    actor_id: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None


async def record_entry(
    *,
    actor_type: str,
    actor_id: str | None,
    actor_label: str,
    operation: str,
    target_ids: Sequence[str],
    outcome: Outcome,
    request_id: str,
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one entry to the current tenant's audit log."""
    return await AuditEntry.create(
        actor_type=actor_type,
        actor_id=actor_id,
        actor_label=actor_label,
        operation=operation,
        target_ids=list(target_ids),
        outcome=outcome.value,
        request_id=request_id,
        details=details or {},
    )


async def list_entries(
    *, filter: AuditFilter, before_id: int | None, limit: int
) -> tuple[list[AuditEntry], int]:
    """Newest first, keyset-paged by id, with the filtered total."""
    query = AuditEntry.all()
    if filter.operation:
        query = query.filter(operation=filter.operation)
    if filter.actor_id:
        query = query.filter(actor_id=filter.actor_id)
    if filter.outcome:
        query = query.filter(outcome=filter.outcome.value)
    if filter.since:
        query = query.filter(occurred_at__gte=filter.since)
    if filter.until:
        query = query.filter(occurred_at__lt=filter.until)
    total = await query.count()
    page = query.filter(id__lt=before_id) if before_id is not None else query
    rows = await page.order_by("-id").limit(limit)
    return list(rows), total
