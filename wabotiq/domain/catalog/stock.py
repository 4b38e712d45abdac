"""Stock: adjustments with a reason, reservations for checkout, releases; every change is a
movement, and stock never goes negative (a conditional UPDATE; the tables' CHECK backs it up).

A product with variants holds the total of its live variants' stock: a variant's change is
applied to both rows, variant first, so concurrent callers lock rows in one order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import asyncpg

from wabotiq.db.connection import current_connection
from wabotiq.db.outbox import emit
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode, OutOfStock, not_found
from wabotiq.domain.catalog.models import StockMovement
from wabotiq.domain.catalog.records import (
    PRODUCT_COLUMNS,
    VARIANT_COLUMNS,
    ProductRecord,
    VariantRecord,
)


class StockReason(StrEnum):
    INITIAL = "initial"
    RESTOCK = "restock"
    CORRECTION = "correction"
    DAMAGE = "damage"
    LOSS = "loss"
    RETURN = "return"
    IMPORT = "import"
    RESERVATION = "reservation"
    RELEASE = "release"
    VARIANT_ARCHIVED = "variant_archived"


@dataclass(frozen=True, slots=True)
class Movement:
    product_id: uuid.UUID
    variant_id: uuid.UUID | None
    delta: int
    stock_after: int
    reason: StockReason
    note: str = ""
    reference: str | None = None
    actor: str | None = None

    @classmethod
    def of(
        cls,
        product: ProductRecord,
        variant: VariantRecord | None,
        delta: int,
        reason: StockReason,
        **details: Any,
    ) -> Movement:
        """The movement that left `product` (or its `variant`) as it now is."""
        return cls(
            product_id=product.id,
            variant_id=variant.id if variant else None,
            delta=delta,
            stock_after=variant.stock if variant else product.stock,
            reason=reason,
            **details,
        )


@dataclass(frozen=True, slots=True)
class StockAdjustment:
    product: ProductRecord
    variant: VariantRecord | None


Line = tuple[uuid.UUID, uuid.UUID | None, int]

_PRODUCT_CHANGE = (
    "UPDATE products SET stock = stock + $2, updated_at = now()"
    " WHERE id = $1{guard} RETURNING " + PRODUCT_COLUMNS
)
_VARIANT_CHANGE = (
    "UPDATE variants v SET stock = v.stock + $3, updated_at = now()"
    " WHERE v.id = $2 AND v.product_id = $1 AND v.stock + $3 >= 0{guard} RETURNING "
    + ", ".join(f"v.{c.strip()}" for c in VARIANT_COLUMNS.split(","))
)
# A product's own stock moves only while it has no live variants.
_OWN_STOCK = (
    " AND stock + $2 >= 0"
    " AND NOT EXISTS (SELECT 1 FROM variants WHERE product_id = $1 AND archived_at IS NULL)"
)
_LIVE = " AND archived_at IS NULL"
_FOR_SALE = " AND archived_at IS NULL AND active"
_PARENT_LIVE = (
    " AND v.archived_at IS NULL AND EXISTS (SELECT 1 FROM products p"
    " WHERE p.id = $1 AND p.archived_at IS NULL)"
)
_PARENT_FOR_SALE = (
    " AND v.archived_at IS NULL AND v.active AND EXISTS (SELECT 1 FROM products p"
    " WHERE p.id = $1 AND p.archived_at IS NULL AND p.active)"
)


async def record_movements(movements: Sequence[Movement]) -> None:
    """Append movements to the stock ledger in one statement."""
    if not movements:
        return
    columns = list(
        zip(
            *(
                (
                    m.product_id,
                    m.variant_id,
                    m.delta,
                    m.stock_after,
                    m.reason.value,
                    m.note,
                    m.reference,
                    m.actor,
                )
                for m in movements
            ),
            strict=True,
        )
    )
    async with current_connection() as conn:
        await conn.execute(
            "INSERT INTO stock_movements"
            " (product_id, variant_id, delta, stock_after, reason, note, reference, actor)"
            " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::text[],"
            " $6::text[], $7::text[], $8::text[])",
            *[list(column) for column in columns],
        )


async def emit_stock_changed(
    product: ProductRecord, variant: VariantRecord | None, delta: int, reason: StockReason
) -> None:
    """Tell the outbox (and so the search index) a product's stock moved."""
    await emit(
        aggregate_type="product",
        aggregate_id=str(product.id),
        event_type="stock_changed",
        payload={
            "product_id": str(product.id),
            "sku": product.sku,
            "variant_id": str(variant.id) if variant else None,
            "variant_sku": variant.sku if variant else None,
            "delta": delta,
            "stock": product.stock,
            "variant_stock": variant.stock if variant else None,
            "reason": reason.value,
        },
    )


async def _change(
    conn: asyncpg.Connection,
    product_id: uuid.UUID,
    variant_id: uuid.UUID | None,
    delta: int,
    *,
    product_guard: str,
    variant_guard: str,
) -> tuple[ProductRecord, VariantRecord | None] | None:
    """Apply `delta` to a product or variant (and its product's total); None when refused."""
    if variant_id is None:
        row = await conn.fetchrow(
            _PRODUCT_CHANGE.format(guard=product_guard + _OWN_STOCK), product_id, delta
        )
        return (ProductRecord.from_row(row), None) if row else None
    variant_row = await conn.fetchrow(
        _VARIANT_CHANGE.format(guard=variant_guard), product_id, variant_id, delta
    )
    if variant_row is None:
        return None
    if variant_row["archived_at"] is None:  # the total counts live variants only
        # Unguarded: were the total ever short, the CHECK would refuse loudly.
        product_row = await conn.fetchrow(_PRODUCT_CHANGE.format(guard=""), product_id, delta)
    else:
        product_row = await conn.fetchrow(
            f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1", product_id
        )
    return ProductRecord.from_row(product_row), VariantRecord.from_row(variant_row)


_REFUSAL = (
    "SELECT p.sku, p.stock, p.archived_at IS NOT NULL AS archived, p.active,"
    " EXISTS (SELECT 1 FROM variants WHERE product_id = p.id AND archived_at IS NULL)"
    " AS has_variants, v.id AS variant_id, v.sku AS variant_sku, v.stock AS variant_stock,"
    " v.archived_at IS NOT NULL AS variant_archived, v.active AS variant_active"
    " FROM products p LEFT JOIN variants v ON v.id = $2 AND v.product_id = p.id"
    " WHERE p.id = $1"
)


async def _refusal(
    conn: asyncpg.Connection,
    product_id: uuid.UUID,
    variant_id: uuid.UUID | None,
    delta: int,
    *,
    for_sale: bool,
    field: str,
) -> CatalogError:
    """Why a stock change matched no row."""
    row = await conn.fetchrow(_REFUSAL, product_id, variant_id)
    if row is None:
        return not_found("product", field)
    if variant_id is not None and row["variant_id"] is None:
        return not_found("variant", field)
    archived = row["archived"] or (variant_id is not None and row["variant_archived"])
    inactive = not row["active"] or (variant_id is not None and not row["variant_active"])
    if archived or (for_sale and inactive):
        return CatalogError(CatalogErrorCode.ARCHIVED, "Not for sale any more.", field=field)
    if variant_id is None and row["has_variants"]:
        return CatalogError(
            CatalogErrorCode.VARIANT_REQUIRED,
            f"{row['sku']} has variants: name the variant.",
            field=field,
        )
    sku = row["variant_sku"] if variant_id is not None else row["sku"]
    available = row["variant_stock"] if variant_id is not None else row["stock"]
    if for_sale:
        return OutOfStock(sku=sku, requested=-delta, available=available)
    return CatalogError(
        CatalogErrorCode.NEGATIVE_STOCK,
        f"{sku} has {available} in stock; stock cannot go below zero.",
        field="delta",
    )


async def adjust_stock(
    *,
    product_id: uuid.UUID,
    variant_id: uuid.UUID | None = None,
    delta: int,
    reason: StockReason,
    note: str = "",
    actor: str | None = None,
) -> StockAdjustment:
    """Add or remove stock of a live product or variant, with a reason, as one movement."""
    if delta == 0:
        raise CatalogError(CatalogErrorCode.INVALID, "The change cannot be zero.", field="delta")
    async with current_connection() as conn:
        changed = await _change(
            conn, product_id, variant_id, delta, product_guard=_LIVE, variant_guard=_PARENT_LIVE
        )
        if changed is None:
            raise await _refusal(conn, product_id, variant_id, delta, for_sale=False, field="id")
    product, variant = changed
    await record_movements([Movement.of(product, variant, delta, reason, note=note, actor=actor)])
    await emit_stock_changed(product, variant, delta, reason)
    return StockAdjustment(product=product, variant=variant)


def _merged(lines: Sequence[Line]) -> list[Line]:
    """One line per product/variant, in a fixed order so concurrent callers never deadlock."""
    totals: dict[tuple[uuid.UUID, uuid.UUID | None], int] = {}
    for product_id, variant_id, quantity in lines:
        if quantity <= 0:
            raise CatalogError(
                CatalogErrorCode.INVALID, "Quantities must be positive.", field="lines"
            )
        key = (product_id, variant_id)
        totals[key] = totals.get(key, 0) + quantity
    ordered = sorted(totals.items(), key=lambda item: (str(item[0][0]), str(item[0][1] or "")))
    return [(p, v, q) for (p, v), q in ordered]


async def _move_lines(
    lines: Sequence[Line], *, reserve: bool, reference: str, actor: str | None
) -> None:
    reason = StockReason.RESERVATION if reserve else StockReason.RELEASE
    product_guard, variant_guard = (_FOR_SALE, _PARENT_FOR_SALE) if reserve else ("", "")
    changes: list[tuple[ProductRecord, VariantRecord | None, int]] = []
    async with current_connection() as conn:
        for product_id, variant_id, quantity in _merged(lines):
            delta = -quantity if reserve else quantity
            changed = await _change(
                conn,
                product_id,
                variant_id,
                delta,
                product_guard=product_guard,
                variant_guard=variant_guard,
            )
            if changed is None:
                raise await _refusal(
                    conn, product_id, variant_id, delta, for_sale=reserve, field="lines"
                )
            changes.append((*changed, delta))
    await record_movements(
        [Movement.of(p, v, d, reason, reference=reference, actor=actor) for p, v, d in changes]
    )
    for product, variant, delta in changes:
        await emit_stock_changed(product, variant, delta, reason)


async def reserve_stock(*, lines: Sequence[Line], reference: str, actor: str | None = None) -> None:
    """Take stock for checkout, all lines or none (OUT_OF_STOCK names the SKU); each line is
    one conditional UPDATE, so concurrent buyers of the last unit get exactly one winner."""
    await _move_lines(lines, reserve=True, reference=reference, actor=actor)


async def release_stock(*, lines: Sequence[Line], reference: str, actor: str | None = None) -> None:
    """Give reserved stock back (a cancelled order), archived products included."""
    await _move_lines(lines, reserve=False, reference=reference, actor=actor)


async def list_movements(
    *, product_id: uuid.UUID, before_id: int | None, limit: int
) -> tuple[list[StockMovement], int]:
    """A product's stock movements, newest first, before `before_id`; and their total."""
    query = StockMovement.filter(product_id=product_id)
    total = await query.count()
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return list(await query.order_by("-id").limit(limit)), total
