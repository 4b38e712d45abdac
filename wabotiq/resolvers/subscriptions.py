"""Subscription plumbing shared by every area: the caller's tenant channel, deduplicated."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator

from wabotiq.core.tenant import reset_tenant, set_tenant
from wabotiq.db.outbox import Event, channel
from wabotiq.resolvers.context import Info

SEEN_WINDOW = 10_000


async def tenant_events(info: Info, aggregate_type: str) -> AsyncIterator[Event]:
    """Events of one aggregate type of the caller's own tenant (from the principal, never from
    client input). Delivery is at least once, so ids already yielded are skipped.

    A subscription runs in its own task, and graphql-core resolves every yielded event's fields
    in that task against the socket's one context: so the tenant is set here for the
    subscription's lifetime, and each event starts with fresh DataLoaders (nothing cached from
    one event to the next)."""
    context = info.context
    tenant = context.principal.tenant
    if tenant is None:
        return
    seen: OrderedDict[int, None] = OrderedDict()
    token = set_tenant(tenant)
    try:
        async for message in context.runtime.bus.subscribe(channel(tenant.id, aggregate_type)):
            event = Event.from_message(message)
            if event.tenant_id != tenant.id or event.id in seen:
                continue
            seen[event.id] = None
            if len(seen) > SEEN_WINDOW:
                seen.popitem(last=False)
            context.loaders = context.loaders.fresh()
            yield event
    finally:
        with contextlib.suppress(ValueError):  # closed by a finaliser in another context
            reset_tenant(token)
