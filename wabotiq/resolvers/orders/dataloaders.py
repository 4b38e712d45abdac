"""Loaders of carts and orders: one query per page, whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from wabotiq.domain.orders import models
from wabotiq.domain.orders.service import orders_for_customers
from wabotiq.graphql.relay import Connection, keyset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.orders.types import Cart, CartLine, Order, OrderLine, OrderStatusChange
from wabotiq.resolvers.paging import int_key_page

# (customer id, page size, sequence to continue below or None)
CustomerOrdersKey = tuple[uuid.UUID, int, int | None]
CustomerOrders = tuple[list[models.Order], int]


async def _orders_by_id(keys: list[uuid.UUID]) -> list[models.Order | None]:
    found = {order.id: order for order in await models.Order.filter(id__in=keys)}
    return [found.get(key) for key in keys]


def _grouped(
    model: type[Model], parent: str, ordering: Sequence[str]
) -> Callable[[list[uuid.UUID]], Any]:
    async def load(keys: list[uuid.UUID]) -> list[list[Any]]:
        groups: dict[uuid.UUID, list[Any]] = defaultdict(list)
        rows = await model.filter(**{f"{parent}__in": keys}).order_by(*ordering)
        for row in rows:
            groups[getattr(row, parent)].append(row)
        return [groups.get(key, []) for key in keys]

    return load


async def _orders_by_customer(keys: list[CustomerOrdersKey]) -> list[CustomerOrders]:
    pages: dict[tuple[int, int | None], list[uuid.UUID]] = defaultdict(list)
    for customer_id, limit, after in keys:
        pages[(limit, after)].append(customer_id)
    found: dict[CustomerOrdersKey, CustomerOrders] = {}
    for (limit, after), customer_ids in pages.items():
        batch = await orders_for_customers(
            customer_ids=customer_ids, limit=limit, after_sequence=after
        )
        for customer_id in customer_ids:
            found[(customer_id, limit, after)] = batch.get(customer_id, ([], 0))
    return [found[key] for key in keys]


def OrderByIdLoader() -> DataLoader[uuid.UUID, models.Order | None]:  # noqa: N802
    return DataLoader(load_fn=_orders_by_id)


def OrderLinesByOrderLoader() -> DataLoader[uuid.UUID, list[models.OrderLine]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(models.OrderLine, "order_id", ("position",)))


def OrderHistoryByOrderLoader() -> DataLoader[uuid.UUID, list[models.OrderStatusChange]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(models.OrderStatusChange, "order_id", ("id",)))


def CartLinesByCartLoader() -> DataLoader[uuid.UUID, list[models.CartLine]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(models.CartLine, "cart_id", ("created_at", "id")))


def OrdersByCustomerLoader() -> DataLoader[CustomerOrdersKey, CustomerOrders]:  # noqa: N802
    return DataLoader(load_fn=_orders_by_customer)


def order_connection(
    rows: list[models.Order], *, total: int, limit: int, after: int | None
) -> Connection[Order]:
    """A keyset page of orders (newest first; the cursor is the order's sequence) from up to
    `limit + 1` rows: the extra one only tells that more follow."""
    return keyset_connection(
        rows,
        limit=limit,
        continued=after is not None,
        total=total,
        convert=Order.from_model,
        key=lambda row: row.sequence,
    )


class OrdersLoaders:
    """The loaders of carts and orders for one request, and their objects for other areas."""

    @cached_property
    def order_by_id(self) -> DataLoader[uuid.UUID, models.Order | None]:
        return OrderByIdLoader()

    @cached_property
    def lines_by_order_id(self) -> DataLoader[uuid.UUID, list[models.OrderLine]]:
        return OrderLinesByOrderLoader()

    @cached_property
    def history_by_order_id(self) -> DataLoader[uuid.UUID, list[models.OrderStatusChange]]:
        return OrderHistoryByOrderLoader()

    @cached_property
    def lines_by_cart_id(self) -> DataLoader[uuid.UUID, list[models.CartLine]]:
        return CartLinesByCartLoader()

    @cached_property
    def orders_by_customer(self) -> DataLoader[CustomerOrdersKey, CustomerOrders]:
        return OrdersByCustomerLoader()

    async def order(self, order_id: uuid.UUID) -> Order | None:
        found = await self.order_by_id.load(order_id)
        return Order.from_model(found) if found else None

    async def lines_of(self, order: Order) -> list[OrderLine]:
        rows = await self.lines_by_order_id.load(order.order_id)
        return [OrderLine.from_model(row, order.currency) for row in rows]

    async def history_of(self, order: Order) -> list[OrderStatusChange]:
        rows = await self.history_by_order_id.load(order.order_id)
        return [OrderStatusChange.from_model(row) for row in rows]

    async def cart_lines_of(self, cart: Cart) -> list[CartLine]:
        return [CartLine.from_model(row) for row in await self.cart_rows_of(cart)]

    async def cart_rows_of(self, cart: Cart) -> list[models.CartLine]:
        """The cart's lines as rows, for the sums of the cart itself."""
        return await self.lines_by_cart_id.load(cart.cart_id)

    async def customer_orders(
        self, info: Info, customer_id: uuid.UUID, *, first: int, after: str | None
    ) -> Connection[Order]:
        """A customer's orders, newest first, batched across the customers of a page."""
        after_sequence, limit = int_key_page(info, first, after)
        rows, total = await self.orders_by_customer.load((customer_id, limit + 1, after_sequence))
        return order_connection(rows, total=total, limit=limit, after=after_sequence)
