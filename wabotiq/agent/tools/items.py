"""Catalog items as the assistant shows them: products, services, document passages, and the
variants and time slots it offers to choose from. `shown()` is what the interaction record keeps
of a list, so "number 2" in the next message points at the same item."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from wabotiq.agent.understanding.slots import ShownItem
from wabotiq.domain.bookings.models import Service
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.search.types import SearchHit

ItemKind = Literal["product", "service", "passage", "variant", "slot"]


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # product, service or variant id; for a slot its service's id
    kind: ItemKind
    name: str
    code: str = ""
    price: Decimal | None = None
    currency: str = "KES"
    stock: int | None = None  # products and variants
    description: str = ""
    duration_minutes: int | None = None  # services
    source: str = ""  # passages: the document
    parent_id: str | None = None  # variants: their product
    starts_at: datetime | None = None  # slots
    brand: str | None = None

    @property
    def in_stock(self) -> bool | None:
        return None if self.stock is None else self.stock > 0

    def shown(self) -> dict[str, Any]:
        """The JSON the interaction record keeps of this item."""
        record: dict[str, Any] = {"id": self.id, "kind": self.kind, "name": self.name}
        if self.code:
            record["code"] = self.code
        if self.price is not None:
            record["price"] = str(self.price)
        if self.brand:
            record["brand"] = self.brand
        if self.parent_id:
            record["parent_id"] = self.parent_id
        if self.starts_at is not None:
            record["starts_at"] = self.starts_at.isoformat()
        return record

    def as_shown_item(self) -> ShownItem:
        return ShownItem(id=self.id, name=self.name, price=self.price, brand=self.brand)

    def as_json(self) -> dict[str, Any]:
        """What a language model is given of the item."""
        record = self.shown()
        record["currency"] = self.currency
        if self.stock is not None:
            record["in_stock"] = self.stock > 0
            record["stock"] = self.stock
        if self.description:
            record["description"] = self.description[:300]
        if self.duration_minutes:
            record["duration_minutes"] = self.duration_minutes
        if self.source:
            record["source"] = self.source
        return record

    @classmethod
    def from_shown(cls, record: dict[str, Any]) -> Item:
        price = record.get("price")
        starts = record.get("starts_at")
        return cls(
            id=str(record.get("id", "")),
            kind=record.get("kind", "product"),
            name=str(record.get("name", "")),
            code=str(record.get("code", "")),
            price=Decimal(price) if price is not None else None,
            brand=record.get("brand"),
            parent_id=record.get("parent_id"),
            starts_at=datetime.fromisoformat(starts) if starts else None,
        )


def _brand(product: Product) -> str | None:
    brand = (product.attributes or {}).get("brand")
    return str(brand) if brand else product.name.split()[0] if product.name else None


def product_item(product: Product, *, stock: int | None = None) -> Item:
    price = product.sale_price if product.sale_price is not None else product.price
    return Item(
        id=str(product.id),
        kind="product",
        name=product.name,
        code=product.sku,
        price=price,
        currency=product.currency,
        stock=product.stock if stock is None else stock,
        description=product.description,
        brand=_brand(product),
    )


def variant_item(product: Product, variant: Variant) -> Item:
    label = ", ".join(str(value) for value in (variant.attributes or {}).values()) or variant.sku
    return Item(
        id=str(variant.id),
        kind="variant",
        name=f"{product.name} ({label})",
        code=variant.sku,
        price=variant.price if variant.price is not None else product.price,
        currency=product.currency,
        stock=variant.stock,
        parent_id=str(product.id),
        brand=_brand(product),
    )


def service_item(service: Service) -> Item:
    return Item(
        id=str(service.id),
        kind="service",
        name=service.name,
        code=service.code,
        price=service.price,
        currency=service.currency,
        description=service.description,
        duration_minutes=service.duration_minutes,
    )


async def items_for_hits(hits: Sequence[SearchHit]) -> list[Item]:
    """The hits as items, in their order, read from the catalog now (prices and stock as they
    are, not as indexed); hits whose entity is gone or archived are left out."""
    product_ids = [uuid.UUID(hit.entity_id) for hit in hits if hit.kind == "product"]
    service_ids = [uuid.UUID(hit.entity_id) for hit in hits if hit.kind == "service"]
    products = {
        str(product.id): product
        for product in await Product.filter(id__in=product_ids, archived_at=None, active=True)
    }
    stocks: dict[str, int] = {}
    for variant in await Variant.filter(product_id__in=product_ids, archived_at=None, active=True):
        stocks[str(variant.product_id)] = stocks.get(str(variant.product_id), 0) + variant.stock
    services = {
        str(service.id): service
        for service in await Service.filter(id__in=service_ids, archived_at=None, active=True)
    }
    items: list[Item] = []
    for hit in hits:
        if hit.kind == "product" and hit.entity_id in products:
            product = products[hit.entity_id]
            items.append(product_item(product, stock=stocks.get(hit.entity_id)))
        elif hit.kind == "service" and hit.entity_id in services:
            items.append(service_item(services[hit.entity_id]))
        elif hit.kind == "passage":
            items.append(
                Item(id=hit.id, kind="passage", name=hit.title, description=hit.body,
                     source=hit.source)
            )  # fmt: skip
    return items
