"""The category tree: create, rename, move (never under itself), archive; and its reads."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from wabotiq.db.connection import current_connection
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode, not_found
from wabotiq.domain.catalog.models import Category
from wabotiq.domain.catalog.records import CATEGORY_COLUMNS, CategoryRecord

CATEGORY_FIELDS = frozenset({"name", "parent_id", "position"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A URL-friendly form of a name: "Home & Garden" -> "home-garden"."""
    return _NON_SLUG.sub("-", name.lower()).strip("-")[:120] or "category"


async def _lock_tree() -> None:
    """Serialise changes to the tenant's tree, so two concurrent moves cannot make a cycle."""
    async with current_connection() as conn:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':categories'))"
        )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise CatalogError(CatalogErrorCode.INVALID, "Use 1-120 characters.", field="name")
    return name


async def _free_slug(name: str) -> str:
    base = slugify(name)
    async with current_connection() as conn:
        taken = {
            row["slug"]
            for row in await conn.fetch(
                "SELECT slug FROM categories WHERE slug = $1 OR slug LIKE $1 || '-%'", base
            )
        }
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def live_category(category_id: uuid.UUID, field: str) -> Category:
    """A category that exists and is not archived, or a userError on `field`."""
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise not_found("category", field)
    if category.archived_at is not None:
        raise CatalogError(CatalogErrorCode.ARCHIVED, "The category is archived.", field=field)
    return category


async def _check_parent(category_id: uuid.UUID | None, parent_id: uuid.UUID | None) -> None:
    """The parent exists in this tenant's tree, is live, and is not the category or below it."""
    if parent_id is None:
        return
    await live_category(parent_id, "parentId")
    if category_id is None:
        return
    async with current_connection() as conn:
        cycle = await conn.fetchval(
            "WITH RECURSIVE up AS (SELECT id, parent_id FROM categories WHERE id = $1"
            " UNION SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id)"
            " SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
            parent_id,
            category_id,
        )
    if cycle:
        raise CatalogError(
            CatalogErrorCode.CATEGORY_CYCLE,
            "A category cannot sit under itself or its own subcategories.",
            field="parentId",
        )


async def create_category(
    *, name: str, parent_id: uuid.UUID | None = None, position: int = 0
) -> CategoryRecord:
    """Add a category, at the top or under a live parent."""
    name = _clean_name(name)
    await _lock_tree()
    await _check_parent(None, parent_id)
    category = await Category.create(
        id=uuid.uuid4(),
        parent_id=parent_id,
        name=name,
        slug=await _free_slug(name),
        position=position,
    )
    return CategoryRecord.from_model(category)


async def update_category(*, category_id: uuid.UUID, changes: Mapping[str, Any]) -> CategoryRecord:
    """Rename, reorder or move a live category; `changes` holds only what changes."""
    unknown = set(changes) - CATEGORY_FIELDS
    if unknown:
        raise ValueError(f"not category fields: {sorted(unknown)}")
    await _lock_tree()
    category = await live_category(category_id, "id")
    if "name" in changes:
        category.name = _clean_name(changes["name"])
    if "parent_id" in changes:
        await _check_parent(category.id, changes["parent_id"])
        category.parent_id = changes["parent_id"]
    if "position" in changes:
        category.position = int(changes["position"])
    await category.save()
    return CategoryRecord.from_model(category)


async def archive_category(*, category_id: uuid.UUID) -> CategoryRecord:
    """Archive a category without live subcategories; its products keep pointing at it."""
    await _lock_tree()
    category = await live_category(category_id, "id")
    if await Category.filter(parent_id=category.id, archived_at__isnull=True).exists():
        raise CatalogError(
            CatalogErrorCode.CATEGORY_NOT_EMPTY,
            "Archive or move its subcategories first.",
            field="id",
        )
    category.archived_at = datetime.now(UTC)
    await category.save(update_fields=["archived_at"])
    return CategoryRecord.from_model(category)


async def get_category(*, category_id: uuid.UUID) -> CategoryRecord:
    """One category, archived or not, or NOT_FOUND."""
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise not_found("category")
    return CategoryRecord.from_model(category)


async def find_category_by_name(*, name: str) -> CategoryRecord | None:
    """A live category of that name (any case), top-level ones first."""
    async with current_connection() as conn:
        row = await conn.fetchrow(
            f"SELECT {CATEGORY_COLUMNS} FROM categories"
            " WHERE lower(name) = lower($1) AND archived_at IS NULL"
            " ORDER BY parent_id IS NOT NULL, created_at, id LIMIT 1",
            name.strip(),
        )
    return CategoryRecord.from_row(row) if row else None


async def list_categories(
    *, parent_id: uuid.UUID | None, include_archived: bool, offset: int, limit: int
) -> tuple[list[CategoryRecord], int]:
    """A page of the categories directly under `parent_id` (the top level when None)."""
    where = "parent_id IS NULL" if parent_id is None else "parent_id = $1"
    if not include_archived:
        where += " AND archived_at IS NULL"
    args = [] if parent_id is None else [parent_id]
    async with current_connection() as conn:
        rows = await conn.fetch(
            f"SELECT {CATEGORY_COLUMNS}, count(*) OVER () AS total_count FROM categories"
            f" WHERE {where} ORDER BY position, name, id LIMIT {int(limit)} OFFSET {int(offset)}",
            *args,
        )
        if rows or not offset:
            total = rows[0]["total_count"] if rows else 0
        else:
            total = await conn.fetchval(f"SELECT count(*) FROM categories WHERE {where}", *args)
    return [CategoryRecord.from_row(row) for row in rows], total


async def children_by_parent(
    *, parent_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CategoryRecord]]:
    """The live subcategories of each category, in display order."""
    async with current_connection() as conn:
        rows = await conn.fetch(
            f"SELECT {CATEGORY_COLUMNS} FROM categories WHERE parent_id = ANY($1::uuid[])"
            " AND archived_at IS NULL ORDER BY position, name, id",
            list(parent_ids),
        )
    found: dict[uuid.UUID, list[CategoryRecord]] = {key: [] for key in parent_ids}
    for row in rows:
        found[row["parent_id"]].append(CategoryRecord.from_row(row))
    return found


async def product_counts(*, category_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many live products sit directly in each category."""
    async with current_connection() as conn:
        rows = await conn.fetch(
            "SELECT category_id, count(*) AS n FROM products"
            " WHERE category_id = ANY($1::uuid[]) AND archived_at IS NULL GROUP BY category_id",
            list(category_ids),
        )
    found = dict.fromkeys(category_ids, 0)
    for row in rows:
        found[row["category_id"]] = row["n"]
    return found
