"""SKUs: one namespace per tenant shared by products and variants."""

from __future__ import annotations

import uuid

from wabotiq.db.connection import current_connection
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode

MAX_SKU_LENGTH = 64


def clean_sku(sku: str, *, field: str = "sku") -> str:
    """A trimmed SKU, or INVALID when it is empty, too long or holds spaces."""
    sku = sku.strip()
    if not sku or len(sku) > MAX_SKU_LENGTH or any(ch.isspace() for ch in sku):
        raise CatalogError(
            CatalogErrorCode.INVALID,
            f"A SKU is 1-{MAX_SKU_LENGTH} characters without spaces.",
            field=field,
        )
    return sku


async def claim_sku(sku: str, *, owner_id: uuid.UUID | None = None, field: str = "sku") -> str:
    """Check that no other product or variant of the tenant uses `sku`, and hold it until the
    caller's transaction ends (each table's unique index cannot see the other table)."""
    sku = clean_sku(sku, field=field)
    async with current_connection() as conn:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':sku:' || $1))", sku
        )
        taken = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM products WHERE sku = $1 AND id IS DISTINCT FROM $2)"
            " OR EXISTS (SELECT 1 FROM variants WHERE sku = $1 AND id IS DISTINCT FROM $2)",
            sku,
            owner_id,
        )
    if taken:
        raise CatalogError(CatalogErrorCode.SKU_TAKEN, f"SKU {sku} is already in use.", field=field)
    return sku
