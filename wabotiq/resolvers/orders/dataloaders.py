"""Batch loaders for carts and orders: one query per page, whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.catalog.records import ProductRecord, VariantRecord
from wabotiq.domain.orders.models import CartLine, Order, OrderLine, OrderStatusChange
from wabotiq.domain.orders.service import orders_for_customers

# (customer id, page size, sequence to continue below or None)
CustomerOrdersKey = tuple[uuid.UUID, int, int | None]
CustomerOrders = tuple[list[Order], int]


async def _orders_by_id(keys: list[uuid.UUID]) -> list[Order | None]:
    found = {order.id: order for order in await Order.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _products_by_id(keys: list[uuid.UUID]) -> list[ProductRecord | None]:
    found = {p.id: ProductRecord.from_model(p) for p in await Product.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _variants_by_id(keys: list[uuid.UUID]) -> list[VariantRecord | None]:
    found = {v.id: VariantRecord.from_model(v) for v in await Variant.filter(id__in=keys)}
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


def OrderByIdLoader() -> DataLoader[uuid.UUID, Order | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_orders_by_id)


def OrderLinesByOrderLoader() -> DataLoader[uuid.UUID, list[OrderLine]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(OrderLine, "order_id", ("position",)))


def OrderHistoryByOrderLoader() -> DataLoader[uuid.UUID, list[OrderStatusChange]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(OrderStatusChange, "order_id", ("id",)))


def CartLinesByCartLoader() -> DataLoader[uuid.UUID, list[CartLine]]:  # noqa: N802
    return DataLoader(load_fn=_grouped(CartLine, "cart_id", ("created_at", "id")))


def OrdersByCustomerLoader() -> DataLoader[CustomerOrdersKey, CustomerOrders]:  # noqa: N802
    return DataLoader(load_fn=_orders_by_customer)


def ProductByIdLoader() -> DataLoader[uuid.UUID, ProductRecord | None]:  # noqa: N802
    """Products archived or not: order lines keep pointing at what was sold."""
    return DataLoader(load_fn=_products_by_id)


def ProductVariantByIdLoader() -> DataLoader[uuid.UUID, VariantRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_id)
