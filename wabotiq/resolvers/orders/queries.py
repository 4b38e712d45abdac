"""Queries of carts and orders."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.domain.orders import carts, service
from wabotiq.domain.orders.models import OrderStatus as OrderStatusModel
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, id_or_none
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.orders.dataloaders import order_connection
from wabotiq.resolvers.orders.types import Cart, Order, OrderFilter
from wabotiq.resolvers.paging import int_key_page

VIEW = scopes(["orders:view"])
FilterArg = Annotated[OrderFilter | None, strawberry.argument(description="Which orders to list.")]
OrderIdArg = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the order.")]
CustomerIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="Global ID of the customer.")
]


@strawberry.type
class OrdersQueries:
    @strawberry.field(
        description="A customer's active cart, or null when they have none.", directives=VIEW
    )
    async def cart(self, info: Info, customer_id: CustomerIdArg) -> Cart | None:
        raw_id = id_or_none(customer_id, "Customer")
        found = await carts.active_cart(customer_id=raw_id) if raw_id else None
        return Cart.from_model(found) if found else None

    @strawberry.field(description="The tenant's orders, newest first.", directives=VIEW)
    async def orders(
        self, info: Info, filter: FilterArg = None, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Order]:
        after_sequence, limit = int_key_page(info, first, after)
        wanted = filter or OrderFilter()
        customer_id = id_or_none(wanted.customer_id, "Customer") if wanted.customer_id else None
        if wanted.customer_id and customer_id is None:
            return order_connection([], total=0, limit=limit, after=after_sequence)
        rows, total = await service.list_orders(
            limit=limit + 1,
            after_sequence=after_sequence,
            status=OrderStatusModel[wanted.status.name] if wanted.status else None,
            customer_id=customer_id,
        )
        return order_connection(rows, total=total, limit=limit, after=after_sequence)

    @strawberry.field(description="One order, or null when there is none.", directives=VIEW)
    async def order(self, info: Info, id: OrderIdArg) -> Order | None:
        order_id = id_or_none(id, "Order")
        if order_id is None:
            return None
        return await info.context.loaders.orders.order(order_id)
