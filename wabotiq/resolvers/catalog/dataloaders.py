"""Batch loaders of the catalog: one statement per relation per page, whatever its size.

A products page hands its products the variants and categories it fetched alongside them, and
primes the category loader with those categories; `cached()` lets a resolver use a value the
loader already holds without going through an awaitable.
"""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.dataloader import DataLoader

from wabotiq.domain.catalog.categories import children_by_parent, product_counts
from wabotiq.domain.catalog.listing import categories_by_id, variants_by_product
from wabotiq.domain.catalog.records import CategoryRecord, VariantRecord


async def _variants_by_product_id(keys: list[uuid.UUID]) -> list[list[VariantRecord]]:
    found = await variants_by_product(product_ids=keys)
    return [found.get(key, []) for key in keys]


async def _categories_by_id(keys: list[uuid.UUID]) -> list[CategoryRecord | None]:
    found = await categories_by_id(ids=keys)
    return [found.get(key) for key in keys]


async def _categories_by_parent_id(keys: list[uuid.UUID]) -> list[list[CategoryRecord]]:
    found = await children_by_parent(parent_ids=keys)
    return [found.get(key, []) for key in keys]


async def _product_counts_by_category_id(keys: list[uuid.UUID]) -> list[int]:
    found = await product_counts(category_ids=keys)
    return [found.get(key, 0) for key in keys]


def VariantsByProductIdLoader() -> DataLoader[uuid.UUID, list[VariantRecord]]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_product_id)


def CategoryByIdLoader() -> DataLoader[uuid.UUID, CategoryRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_categories_by_id)


def CategoriesByParentIdLoader() -> DataLoader[uuid.UUID, list[CategoryRecord]]:  # noqa: N802
    return DataLoader(load_fn=_categories_by_parent_id)


def ProductCountByCategoryIdLoader() -> DataLoader[uuid.UUID, int]:  # noqa: N802
    return DataLoader(load_fn=_product_counts_by_category_id)


def cached(loader: DataLoader[Any, Any], key: Any) -> tuple[bool, Any]:
    """`(True, value)` when the loader already holds `key`'s value, else `(False, None)`."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled():
        if future.exception() is None:
            return True, future.result()
    return False, None
