"""Search tasks: keep tenants' indexes in step with their catalog through the outbox."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import cast

from wabotiq.db.outbox import Event
from wabotiq.search.types import Kind
from wabotiq.workers.declare import reliable_task

# Outbox aggregate types whose events change what search finds.
INDEXED: dict[str, Kind] = {"product": "product", "service": "service", "document": "passage"}


@reliable_task("wabotiq.search.index")
async def index_task(tenant_id: str, kind: str, entity_ids: list[str]) -> int:
    """Re-read these entities and update the index. It reads current state, so running it
    twice, late or out of order converges on the same index."""
    from wabotiq.search.runtime import get_engine  # the engine loads models: only in workers

    ids = [uuid.UUID(entity_id) for entity_id in entity_ids]
    return await get_engine().index(tenant_id, cast(Kind, kind), ids)


async def index_events(events: Sequence[Event]) -> None:
    """Outbox consumer: one indexing task per tenant and kind for a batch of events."""
    pending: dict[tuple[str, Kind], set[str]] = defaultdict(set)
    for event in events:
        kind = INDEXED.get(event.aggregate_type)
        if kind is not None:
            pending[(event.tenant_id, kind)].add(event.aggregate_id)
    for (tenant_id, kind), ids in pending.items():
        await index_task.kiq(tenant_id, kind, sorted(ids))
