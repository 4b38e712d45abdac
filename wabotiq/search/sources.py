"""What the index holds for each product, service and document chunk, read from the tenant's
tables. Entries come as drafts without embeddings: the indexer embeds them (through its cache)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from wabotiq.search.types import SearchEntry

# Read in pages when reindexing a whole tenant.
PAGE = 500


@dataclass(frozen=True, slots=True)
class Draft:
    """A search entry before embedding (its `embedding` is empty) and the text to embed."""

    entry: SearchEntry
    passage: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Drafts to index, entity ids to drop from the index, and the last id read (for paging)."""

    drafts: list[Draft]
    gone: list[uuid.UUID]
    last: uuid.UUID | None


async def _rows(
    connection: asyncpg.Connection,
    select: str,
    ids: Sequence[uuid.UUID] | None,
    after: uuid.UUID | None,
    page: int = PAGE,
) -> list[asyncpg.Record]:
    """`select`'s rows (its table aliased `t`) for these ids, or the next page by id."""
    if ids is not None:
        rows = await connection.fetch(f"{select} WHERE t.id = ANY($1::uuid[])", list(ids))
    else:
        rows = await connection.fetch(
            f"{select} WHERE t.id > $1 ORDER BY t.id LIMIT {page}", after or uuid.UUID(int=0)
        )
    return cast(list[asyncpg.Record], rows)


def _batch(
    drafts: list[Draft],
    rows: list[asyncpg.Record],
    live: list[asyncpg.Record],
    ids: Sequence[uuid.UUID] | None,
) -> Batch:
    """Drafts of the `live` rows; every other row read, and every asked id not found, leaves
    the index."""
    found = {row["id"] for row in live}
    gone = [row["id"] for row in rows if row["id"] not in found]
    if ids is not None:
        present = {row["id"] for row in rows}
        gone += [entity_id for entity_id in ids if entity_id not in present]
    return Batch(drafts, gone, rows[-1]["id"] if rows else None)


def _joined(separator: str, *parts: Any) -> str:
    return separator.join(part for part in parts if part)


def _words(value: str | None) -> list[str]:
    """Values of a JSON object or list (attributes, tags) as text."""
    if not value:
        return []
    decoded = json.loads(value)
    items = decoded.values() if isinstance(decoded, dict) else decoded
    return [str(item) for item in items if item not in (None, "")]


async def _categories(
    connection: asyncpg.Connection,
) -> dict[uuid.UUID, tuple[str, uuid.UUID | None]]:
    rows = await connection.fetch("SELECT id, name, parent_id FROM categories")
    return {row["id"]: (row["name"], row["parent_id"]) for row in rows}


def _lineage(
    category_id: uuid.UUID | None, tree: dict[uuid.UUID, tuple[str, uuid.UUID | None]]
) -> list[uuid.UUID]:
    """The category and its ancestors, nearest first (cycle-safe)."""
    lineage: list[uuid.UUID] = []
    while category_id is not None and category_id in tree and category_id not in lineage:
        lineage.append(category_id)
        category_id = tree[category_id][1]
    return lineage


async def product_drafts(
    connection: asyncpg.Connection,
    ids: Sequence[uuid.UUID] | None,
    *,
    after: uuid.UUID | None = None,
) -> Batch:
    """Drafts of the searchable products among `ids` (or the next page of all products after
    `after`), and the ids that must leave the index (archived, inactive or gone)."""
    rows = await _rows(connection, _PRODUCTS, ids, after)
    live = [row for row in rows if row["archived_at"] is None and row["active"]]
    variants: dict[uuid.UUID, list[asyncpg.Record]] = {}
    if live:
        for variant in await connection.fetch(
            "SELECT product_id, sku, attributes::text AS attributes FROM variants"
            " WHERE product_id = ANY($1::uuid[]) AND archived_at IS NULL AND active"
            " ORDER BY product_id, position, sku",
            [row["id"] for row in live],
        ):
            variants.setdefault(variant["product_id"], []).append(variant)
    tree = await _categories(connection) if live else {}
    drafts = []
    for row in live:
        lineage = _lineage(row["category_id"], tree)
        category_names = [tree[c][0] for c in lineage]
        own_variants = variants.get(row["id"], [])
        tags = _words(row["tags"])
        details = _words(row["attributes"]) + [
            word for v in own_variants for word in _words(v["attributes"])
        ]
        entry = SearchEntry(
            kind="product",
            entity_id=str(row["id"]),
            title=row["name"],
            body=_joined(" ", row["description"], " ".join(category_names), " ".join(tags),
                         " ".join(dict.fromkeys(details))),
            embedding=(),
            code=" ".join([row["sku"], *(v["sku"] for v in own_variants)]),
            category_ids=tuple(str(c) for c in lineage),
            price=row["price"],
            in_stock=row["stock"] > 0,
        )  # fmt: skip
        passage = _joined(". ", row["name"], ", ".join(category_names), row["description"],
                          ", ".join(tags))  # fmt: skip
        drafts.append(Draft(entry, passage))
    return _batch(drafts, rows, live, ids)


# The effective price and stock rule of the catalog listing (listing.py): sale price first,
# in stock when the product's own stock is positive.
_PRODUCTS = """SELECT t.id, t.sku, t.name, t.description, t.category_id,
    coalesce(t.sale_price, t.price) AS price, t.stock, t.active, t.archived_at,
    t.attributes::text AS attributes, t.tags::text AS tags
FROM products t"""

_SERVICES = """SELECT t.id, t.code, t.name, t.description, t.price, t.active, t.archived_at,
    t.tags::text AS tags,
    coalesce((SELECT string_agg(v.name, ' ' ORDER BY v.position, v.name) FROM service_variants v
              WHERE v.service_id = t.id AND v.archived_at IS NULL), '') AS variant_names,
    (SELECT min(v.price) FROM service_variants v
     WHERE v.service_id = t.id AND v.archived_at IS NULL) AS min_variant_price
FROM services t"""

_DOCUMENTS = "SELECT t.id, t.name FROM documents t"


async def service_drafts(
    connection: asyncpg.Connection,
    ids: Sequence[uuid.UUID] | None,
    *,
    after: uuid.UUID | None = None,
) -> Batch:
    """Like `product_drafts`, for bookable services (always 'in stock'; lowest variant price)."""
    rows = await _rows(connection, _SERVICES, ids, after)
    live = [row for row in rows if row["archived_at"] is None and row["active"]]
    drafts = []
    for row in live:
        tags = _words(row["tags"])
        prices = [p for p in (row["price"], row["min_variant_price"]) if p is not None]
        entry = SearchEntry(
            kind="service",
            entity_id=str(row["id"]),
            title=row["name"],
            body=_joined(" ", row["description"], " ".join(tags), row["variant_names"]),
            embedding=(),
            code=row["code"],
            price=min(prices) if prices else None,
        )
        passage = _joined(". ", row["name"], row["description"], ", ".join(tags))
        drafts.append(Draft(entry, passage))
    return _batch(drafts, rows, live, ids)


async def passage_drafts(
    connection: asyncpg.Connection,
    ids: Sequence[uuid.UUID] | None,
    *,
    after: uuid.UUID | None = None,
) -> Batch:
    """Chunks of the given documents (or the next page of documents), and deleted documents."""
    docs = await _rows(connection, _DOCUMENTS, ids, after, page=PAGE // 10)
    names = {row["id"]: row["name"] for row in docs}
    chunks = await connection.fetch(
        "SELECT document_id, index, text, location FROM document_chunks"
        " WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, index",
        list(names),
    ) if names else []  # fmt: skip
    drafts = [
        Draft(
            SearchEntry(
                kind="passage",
                entity_id=str(chunk["document_id"]),
                chunk=chunk["index"],
                title=_joined(" — ", names[chunk["document_id"]], chunk["location"]),
                body=chunk["text"],
                embedding=(),
                source=names[chunk["document_id"]],
                price=None,
            ),
            chunk["text"],
        )
        for chunk in chunks
    ]
    return _batch(drafts, docs, docs, ids)


SOURCES = {"product": product_drafts, "service": service_drafts, "passage": passage_drafts}
