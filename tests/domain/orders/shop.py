"""A shop for the orders domain tests: its products and customers are made through the catalog
and customers services, and every call runs as a mutation would run it (the tenant entered, one
transaction owned by the caller)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.catalog.models import Product, StockMovement, Variant
from wabotiq.domain.catalog.records import ProductRecord
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec, create_product
from wabotiq.domain.customers.service import create_customer
from wabotiq.domain.orders.models import Order, OrderStatusChange

T = TypeVar("T")


@dataclass
class Shop:
    ref: TenantRef
    cipher: FieldCipher

    async def atomic(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` inside the tenant, in one transaction, as a mutation runs a service."""
        with tenant_context(self.ref):
            async with in_transaction():
                return await call()

    async def read(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` inside the tenant, outside any transaction."""
        with tenant_context(self.ref):
            return await call()

    async def product(
        self,
        *,
        price: str = "100.00",
        stock: int = 10,
        sale_price: str | None = None,
        variants: Sequence[VariantSpec] = (),
        name: str = "Phone",
        active: bool = True,
    ) -> ProductRecord:
        spec = ProductSpec(
            sku=f"SKU-{uuid.uuid4().hex[:8]}",
            name=name,
            price=Decimal(price),
            sale_price=None if sale_price is None else Decimal(sale_price),
            stock=0 if variants else stock,
            active=active,
            variants=variants,
        )
        return await self.atomic(lambda: create_product(spec=spec))

    async def variants(self, product_id: uuid.UUID) -> list[Variant]:
        """A product's variants in the order they were given."""
        return await self.read(
            lambda: Variant.filter(product_id=product_id).order_by("position", "created_at")
        )

    async def customer(self, name: str = "") -> uuid.UUID:
        phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
        made = await self.atomic(
            lambda: create_customer(cipher=self.cipher, phone=phone, name=name)
        )
        return made.id

    async def stock(self, product_id: uuid.UUID, variant_id: uuid.UUID | None = None) -> int:
        if variant_id is not None:
            return (await self.read(lambda: Variant.get(id=variant_id))).stock
        return (await self.read(lambda: Product.get(id=product_id))).stock

    async def movements(self, **filters: Any) -> list[tuple[str, int, int]]:
        """(reason, delta, stock after) of the stock ledger's rows matching `filters`."""
        rows = await self.read(lambda: StockMovement.filter(**filters).order_by("id"))
        return [(row.reason, row.delta, row.stock_after) for row in rows]

    async def events(self, order_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.read(
            lambda: OutboxEvent.filter(aggregate_type="order", aggregate_id=str(order_id)).order_by(
                "id"
            )
        )
        return [(row.event_type, row.payload) for row in rows]

    async def history(self, order_id: uuid.UUID) -> list[tuple[str | None, str, str, str | None]]:
        """(from, to, note, actor) of an order's status changes, oldest first."""
        rows = await self.read(lambda: OrderStatusChange.filter(order_id=order_id).order_by("id"))
        return [(r.from_status, r.to_status, r.note, r.actor) for r in rows]

    async def order(self, order_id: uuid.UUID) -> Order:
        return await self.read(lambda: Order.get(id=order_id))


async def open_shop(make_tenant: Callable[..., Awaitable[Any]], settings: Any) -> Shop:
    """A fresh tenant's shop."""
    tenant = await make_tenant()
    return Shop(ref=TenantRef.of(tenant.id), cipher=FieldCipher(settings))
