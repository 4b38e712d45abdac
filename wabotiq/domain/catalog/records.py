"""Read records of the catalog, fetched with plain SQL: wide pages skip ORM instantiation."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from wabotiq.domain.catalog.models import Category, Product, Variant

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

# The three JSON columns of a product come back as one text, decoded with one call.
PRODUCT_COLUMNS = (
    "id, sku, name, description, category_id, price, sale_price, currency, stock, active,"
    " jsonb_build_array(attributes, tags, image_urls)::text AS json_columns,"
    " source, external_id, archived_at, created_at, updated_at"
)
VARIANT_COLUMNS = (
    "id, product_id, sku, attributes, price, stock, active, position, archived_at,"
    " created_at, updated_at"
)
CATEGORY_COLUMNS = "id, parent_id, name, slug, position, archived_at, created_at"


def _json(value: Any, memo: dict[str, Any] | None = None) -> Any:
    """Decoded JSON text; with `memo`, equal texts decode once (the results are read-only)."""
    if not isinstance(value, str):
        return value
    if memo is None:
        return json.loads(value)
    found = memo.get(value)
    if found is None:
        found = memo[value] = json.loads(value)
    return found


def _from_model(cls: type[R], model: object) -> R:
    """A record from an ORM row of the same table (the field names match)."""
    return cls(**{f.name: getattr(model, f.name) for f in fields(cls)})


def effective_price(price: Decimal, sale_price: Decimal | None) -> Decimal:
    """What a customer pays: the sale price while one is set, else the price."""
    return price if sale_price is None else sale_price


@dataclass(slots=True)
class ProductRecord:
    id: uuid.UUID
    sku: str
    name: str
    description: str
    category_id: uuid.UUID | None
    price: Decimal
    sale_price: Decimal | None
    currency: str
    stock: int
    active: bool
    attributes: dict[str, Any]
    tags: list[str]
    image_urls: list[str]
    source: str
    external_id: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, model: Product) -> ProductRecord:
        return _from_model(cls, model)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ProductRecord:
        attributes, tags, image_urls = json.loads(row["json_columns"])
        return cls(
            id=row["id"],
            sku=row["sku"],
            name=row["name"],
            description=row["description"],
            category_id=row["category_id"],
            price=row["price"],
            sale_price=row["sale_price"],
            currency=row["currency"],
            stock=row["stock"],
            active=row["active"],
            attributes=attributes,
            tags=tags,
            image_urls=image_urls,
            source=row["source"],
            external_id=row["external_id"],
            archived_at=row["archived_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


@dataclass(slots=True)
class VariantRecord:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    attributes: dict[str, Any]
    price: Decimal | None
    stock: int
    active: bool
    position: int
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, model: Variant) -> VariantRecord:
        return _from_model(cls, model)

    @classmethod
    def from_row(cls, row: asyncpg.Record, memo: dict[str, Any] | None = None) -> VariantRecord:
        """A row of VARIANT_COLUMNS, in that order (unpacked: pages convert many of them)."""
        variant_id, product_id, sku, attributes, price, stock, active, position, *times = row
        archived_at, created_at, updated_at = times
        return cls(
            variant_id, product_id, sku, _json(attributes, memo), price, stock, active,
            position, archived_at, created_at, updated_at,
        )  # fmt: skip


@dataclass(slots=True)
class CategoryRecord:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    slug: str
    position: int
    archived_at: datetime | None
    created_at: datetime

    @classmethod
    def from_model(cls, model: Category) -> CategoryRecord:
        return _from_model(cls, model)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> CategoryRecord:
        return cls(
            id=row["id"],
            parent_id=row["parent_id"],
            name=row["name"],
            slug=row["slug"],
            position=row["position"],
            archived_at=row["archived_at"],
            created_at=row["created_at"],
        )
