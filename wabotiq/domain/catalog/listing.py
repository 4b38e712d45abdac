"""Reading the catalog: filtered, sorted product pages and the batches their relations need."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import asyncpg

from wabotiq.db.connection import current_connection
from wabotiq.domain.catalog.errors import not_found
from wabotiq.domain.catalog.records import (
    CATEGORY_COLUMNS,
    PRODUCT_COLUMNS,
    VARIANT_COLUMNS,
    CategoryRecord,
    ProductRecord,
    VariantRecord,
)


class ProductSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"


_ORDER = {
    ProductSort.NEWEST: "p.created_at DESC, p.id DESC",
    ProductSort.OLDEST: "p.created_at, p.id",
    ProductSort.NAME_ASC: "lower(p.name), p.id",
    ProductSort.NAME_DESC: "lower(p.name) DESC, p.id DESC",
    ProductSort.PRICE_ASC: "coalesce(p.sale_price, p.price), p.id",
    ProductSort.PRICE_DESC: "coalesce(p.sale_price, p.price) DESC, p.id DESC",
}

_SUBTREE = (
    "p.category_id IN (WITH RECURSIVE sub AS (SELECT id FROM categories WHERE id = ${n}"
    " UNION SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)"
)


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products to list; prices compare with the effective (sale) price."""

    search: str | None = None
    category_id: uuid.UUID | None = None  # the category and everything below it
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    tags: Sequence[str] = ()  # products carrying every one of them
    active: bool | None = None
    include_archived: bool = False


@dataclass(slots=True)
class ProductPage:
    products: list[ProductRecord]
    total: int
    variants: dict[uuid.UUID, list[VariantRecord]] = field(default_factory=dict)
    categories: dict[uuid.UUID, CategoryRecord | None] = field(default_factory=dict)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(given: ProductFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of a product filter and its parameters ($1...)."""
    clauses: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if not given.include_archived:
        clauses.append("p.archived_at IS NULL")
    if given.search and given.search.strip():
        n = arg(_like(given.search.strip()))
        clauses.append(
            f"(p.name ILIKE {n} OR p.sku ILIKE {n} OR p.description ILIKE {n}"
            f" OR p.tags::text ILIKE {n})"
        )
    if given.category_id is not None:
        clauses.append(_SUBTREE.replace("${n}", arg(given.category_id)))
    if given.price_min is not None:
        clauses.append(f"coalesce(p.sale_price, p.price) >= {arg(given.price_min)}")
    if given.price_max is not None:
        clauses.append(f"coalesce(p.sale_price, p.price) <= {arg(given.price_max)}")
    if given.in_stock is not None:
        clauses.append("p.stock > 0" if given.in_stock else "p.stock = 0")
    if given.tags:
        clauses.append(f"p.tags @> {arg(json.dumps(list(given.tags)))}::jsonb")
    if given.active is not None:
        clauses.append(f"p.active = {arg(given.active)}")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


async def product_page(
    *,
    filter: ProductFilter,
    sort: ProductSort,
    offset: int,
    limit: int,
    with_variants: bool = False,
    with_categories: bool = False,
) -> ProductPage:
    """A page of products and its total, with their variants and categories when asked: at
    most three statements on one connection, whatever the page size."""
    where, args = _where(filter)
    sql = (
        f"SELECT {PRODUCT_COLUMNS}, count(*) OVER () AS total_count FROM products p{where}"
        f" ORDER BY {_ORDER[sort]} LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with current_connection() as conn:
        rows = await conn.fetch(sql, *args)
        if rows:
            total = rows[0]["total_count"]
        elif offset:
            total = await conn.fetchval(f"SELECT count(*) FROM products p{where}", *args)
        else:
            total = 0
        page = ProductPage(products=[ProductRecord.from_row(r) for r in rows], total=total)
        ids = [p.id for p in page.products]
        if with_variants and ids:
            page.variants = await _variants(conn, ids)
        category_ids = list({p.category_id for p in page.products if p.category_id})
        if with_categories and category_ids:
            page.categories = await _categories(conn, category_ids)
    return page


async def _variants(
    conn: asyncpg.Connection, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VariantRecord]]:
    rows = await conn.fetch(
        f"SELECT {VARIANT_COLUMNS} FROM variants WHERE product_id = ANY($1::uuid[])"
        " AND archived_at IS NULL ORDER BY product_id, position, created_at, id",
        list(product_ids),
    )
    found: dict[uuid.UUID, list[VariantRecord]] = {key: [] for key in product_ids}
    memo: dict[str, Any] = {}  # variants repeat their attributes: {"size": "M"}
    for row in rows:
        variant = VariantRecord.from_row(row, memo)
        found[variant.product_id].append(variant)
    return found


async def _categories(
    conn: asyncpg.Connection, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CategoryRecord | None]:
    rows = await conn.fetch(
        f"SELECT {CATEGORY_COLUMNS} FROM categories WHERE id = ANY($1::uuid[])", list(ids)
    )
    found: dict[uuid.UUID, CategoryRecord | None] = dict.fromkeys(ids)
    for row in rows:
        found[row["id"]] = CategoryRecord.from_row(row)
    return found


async def variants_by_product(
    *, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VariantRecord]]:
    """The live variants of each product, in display order."""
    async with current_connection() as conn:
        return await _variants(conn, product_ids)


async def categories_by_id(*, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CategoryRecord | None]:
    """Categories by id (archived ones too: products still point at them)."""
    async with current_connection() as conn:
        return await _categories(conn, ids)


async def get_product(*, product_id: uuid.UUID) -> ProductRecord:
    """One product, archived or not, or NOT_FOUND."""
    async with current_connection() as conn:
        row = await conn.fetchrow(
            f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1", product_id
        )
    if row is None:
        raise not_found("product")
    return ProductRecord.from_row(row)


async def find_product(*, product_id: uuid.UUID) -> ProductRecord | None:
    """One product, or None."""
    async with current_connection() as conn:
        row = await conn.fetchrow(
            f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1", product_id
        )
    return ProductRecord.from_row(row) if row else None
