"""Finding things in the shop: search, an item's details, a product's variants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item, items_for_hits, product_item, service_item, variant_item
from wabotiq.domain.bookings.models import Service
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.search.types import Kind, SearchFilter
from wabotiq.search.understanding import UnderstoodQuery


@dataclass(frozen=True, slots=True)
class Found:
    """What a search found, best first; `no_match` when the shop has nothing like it."""

    items: list[Item]
    understood: UnderstoodQuery | None = None
    no_match: bool = False
    kinds: tuple[str, ...] = field(default=())


async def search(
    ctx: ToolContext,
    query: str,
    *,
    context: Sequence[str] = (),
    kinds: Sequence[Kind] | None = None,
    first: int = 5,
) -> Found:
    """Products, services and policy passages for a customer's words (any language)."""
    search_filter = SearchFilter(kinds=frozenset(kinds)) if kinds else None
    results = await ctx.engine.search(
        ctx.tenant_id, query, context=context, filter=search_filter, first=max(first, 1)
    )
    items = await items_for_hits(results.hits)
    return Found(
        items=items[:first],
        understood=results.understood,
        no_match=results.no_match or not items,
        kinds=tuple(kinds or ()),
    )


async def details(ctx: ToolContext, item_id: str) -> Item | None:
    """One product or service as it is now (price, stock, description)."""
    try:
        key = uuid.UUID(item_id)
    except ValueError:
        return None
    product = await Product.get_or_none(id=key, archived_at=None, active=True)
    if product is not None:
        variants = await Variant.filter(product_id=key, archived_at=None, active=True)
        stock = sum(v.stock for v in variants) if variants else None
        return product_item(product, stock=stock)
    service = await Service.get_or_none(id=key, archived_at=None, active=True)
    return service_item(service) if service is not None else None


async def variants(product_id: str) -> list[Item]:
    """A product's live variants in their order (empty when it has none)."""
    product = await Product.get_or_none(id=uuid.UUID(product_id))
    if product is None:
        return []
    rows = await Variant.filter(product_id=product.id, archived_at=None, active=True).order_by(
        "position", "sku"
    )
    return [variant_item(product, variant) for variant in rows]
