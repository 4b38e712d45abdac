"""Subscription plumbing shared by every area: the caller's tenant channel, deduplicated."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator

from wabotiq.events.outbox import Event, channel
from wabotiq.graphql.context import Info

SEEN_WINDOW = 10_000


async def tenant_events(info: Info, aggregate_type: str) -> AsyncIterator[Event]:
    """Events of one aggregate type of the caller's own tenant (from the principal, never from
    client input). Delivery is at least once, so ids already yielded are skipped."""
    tenant = info.context.principal.tenant
    if tenant is None:
        return
    seen: OrderedDict[int, None] = OrderedDict()
    async for message in info.context.runtime.bus.subscribe(channel(tenant.id, aggregate_type)):
        event = Event.from_message(message)
        if event.tenant_id != tenant.id or event.id in seen:
            continue
        seen[event.id] = None
        if len(seen) > SEEN_WINDOW:
            seen.popitem(last=False)
        yield event
