"""What the index holds for each product, service and document chunk, read from the tenant's
tables. Entries are drafts without embeddings: the indexer embeds them (through its cache)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from wabotiq.search.types import Kind

# Read in pages when reindexing a whole tenant.
PAGE = 500


@dataclass(frozen=True, slots=True)
class Draft:
    """A search entry before embedding; `passage` is the text that gets embedded."""

    kind: Kind
    entity_id: str
    title: str
    body: str
    passage: str
    chunk: int = 0
    code: str = ""
    category_ids: tuple[str, ...] = ()
    price: Decimal | None = None
    in_stock: bool = True
    source: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """Drafts to index, entity ids to drop from the index, and the last id read (for paging)."""

    drafts: list[Draft]
    gone: list[uuid.UUID]
    last: uuid.UUID | None


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
    if ids is not None:
        rows = await connection.fetch(_PRODUCTS + " WHERE p.id = ANY($1::uuid[])", list(ids))
    else:
        rows = await connection.fetch(
            _PRODUCTS + f" WHERE p.id > $1 ORDER BY p.id LIMIT {PAGE}",
            after or uuid.UUID(int=0),
        )
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
        body = " ".join(
            part for part in (row["description"], " ".join(category_names), " ".join(tags),
                              " ".join(dict.fromkeys(details))) if part
        )  # fmt: skip
        drafts.append(
            Draft(
                kind="product",
                entity_id=str(row["id"]),
                title=row["name"],
                body=body,
                passage=". ".join(
                    part
                    for part in (
                        row["name"],
                        ", ".join(category_names),
                        row["description"],
                        ", ".join(tags),
                    )
                    if part
                ),  # fmt: skip
                code=" ".join([row["sku"], *(v["sku"] for v in own_variants)]),
                category_ids=tuple(str(c) for c in lineage),
                price=row["price"],
                in_stock=row["stock"] > 0,
            )
        )
    found = {row["id"] for row in live}
    gone = [row["id"] for row in rows if row["id"] not in found]
    if ids is not None:
        present = {row["id"] for row in rows}
        gone += [product_id for product_id in ids if product_id not in present]
    return Batch(drafts, gone, rows[-1]["id"] if rows else None)


# The effective price and stock rule of the catalog listing (listing.py): sale price first,
# in stock when the product's own stock is positive.
_PRODUCTS = """SELECT p.id, p.sku, p.name, p.description, p.category_id,
    coalesce(p.sale_price, p.price) AS price, p.stock, p.active, p.archived_at,
    p.attributes::text AS attributes, p.tags::text AS tags
FROM products p"""

_SERVICES = """SELECT s.id, s.code, s.name, s.description, s.price, s.active, s.archived_at,
    s.tags::text AS tags,
    coalesce((SELECT string_agg(v.name, ' ' ORDER BY v.position, v.name) FROM service_variants v
              WHERE v.service_id = s.id AND v.archived_at IS NULL), '') AS variant_names,
    (SELECT min(v.price) FROM service_variants v
     WHERE v.service_id = s.id AND v.archived_at IS NULL) AS min_variant_price
FROM services s"""


async def service_drafts(
    connection: asyncpg.Connection,
    ids: Sequence[uuid.UUID] | None,
    *,
    after: uuid.UUID | None = None,
) -> Batch:
    """Like `product_drafts`, for bookable services (always 'in stock'; lowest variant price)."""
    if ids is not None:
        rows = await connection.fetch(_SERVICES + " WHERE s.id = ANY($1::uuid[])", list(ids))
    else:
        rows = await connection.fetch(
            _SERVICES + f" WHERE s.id > $1 ORDER BY s.id LIMIT {PAGE}", after or uuid.UUID(int=0)
        )
    live = [row for row in rows if row["archived_at"] is None and row["active"]]
    drafts = []
    for row in live:
        tags = _words(row["tags"])
        prices = [p for p in (row["price"], row["min_variant_price"]) if p is not None]
        drafts.append(
            Draft(
                kind="service",
                entity_id=str(row["id"]),
                title=row["name"],
                body=" ".join(
                    part
                    for part in (row["description"], " ".join(tags), row["variant_names"])
                    if part
                ),
                passage=". ".join(
                    part for part in (row["name"], row["description"], ", ".join(tags)) if part
                ),
                code=row["code"],
                price=min(prices) if prices else None,
            )
        )
    found = {row["id"] for row in live}
    gone = [row["id"] for row in rows if row["id"] not in found]
    if ids is not None:
        present = {row["id"] for row in rows}
        gone += [service_id for service_id in ids if service_id not in present]
    return Batch(drafts, gone, rows[-1]["id"] if rows else None)


async def passage_drafts(
    connection: asyncpg.Connection,
    ids: Sequence[uuid.UUID] | None,
    *,
    after: uuid.UUID | None = None,
) -> Batch:
    """Chunks of the given documents (or the next page of documents), and deleted documents."""
    if ids is not None:
        docs = await connection.fetch(
            "SELECT id, name FROM documents WHERE id = ANY($1::uuid[])", list(ids)
        )
    else:
        docs = await connection.fetch(
            f"SELECT id, name FROM documents WHERE id > $1 ORDER BY id LIMIT {PAGE // 10}",
            after or uuid.UUID(int=0),
        )
    names = {row["id"]: row["name"] for row in docs}
    chunks = await connection.fetch(
        "SELECT document_id, index, text, location FROM document_chunks"
        " WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, index",
        list(names),
    ) if names else []  # fmt: skip
    drafts = [
        Draft(
            kind="passage",
            entity_id=str(chunk["document_id"]),
            chunk=chunk["index"],
            title=" — ".join(p for p in (names[chunk["document_id"]], chunk["location"]) if p),
            body=chunk["text"],
            passage=chunk["text"],
            source=names[chunk["document_id"]],
            price=None,
        )
        for chunk in chunks
    ]
    gone = [doc_id for doc_id in (ids or ()) if doc_id not in names]
    return Batch(drafts, gone, docs[-1]["id"] if docs else None)


SOURCES = {"product": product_drafts, "service": service_drafts, "passage": passage_drafts}
