"""Live order events over graphql-transport-ws, for the caller's own tenant only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from wabotiq.graphql.directives import scopes
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.orders.types import OrderEvent, OrderEventType, OrderStatus
from wabotiq.resolvers.subscriptions import tenant_events

StatusesArg = Annotated[
    list[OrderStatus] | None,
    strawberry.argument(
        description="Only events that leave an order in one of these statuses; all when omitted."
    ),
]


@strawberry.type
class OrdersSubscriptions:
    @strawberry.subscription(
        description="The tenant's orders as they are placed and change status.",
        directives=scopes(["orders:view"]),
    )
    async def order_events(
        self, info: Info, statuses: StatusesArg = None
    ) -> AsyncGenerator[OrderEvent, None]:
        wanted = {status.value for status in statuses} if statuses else None
        async for event in tenant_events(info, "order"):
            status = event.payload.get("status")
            if wanted is not None and status not in wanted:
                continue
            order = await info.context.loaders.orders.order(uuid.UUID(event.aggregate_id))
            if order is None:
                continue
            previous = event.payload.get("from")
            yield OrderEvent(
                event_type=OrderEventType(event.event_type),
                status=OrderStatus(status),
                order=order,
                previous_status=OrderStatus(previous) if previous else None,
                occurred_at=datetime.fromisoformat(event.occurred_at),
            )
