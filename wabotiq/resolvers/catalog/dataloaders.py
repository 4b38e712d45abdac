"""Loaders of the catalog: one statement per relation per page, whatever its size.

A products page hands its products the variants and categories it fetched alongside them
(their relation fields are prefetched, see `types.page_products`) and primes the category
loader with those categories; everything else comes through `CatalogLoaders`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.domain.catalog.categories import children_by_parent, product_counts
from wabotiq.domain.catalog.listing import categories_by_id, variants_by_product
from wabotiq.domain.catalog.models import Product as ProductModel
from wabotiq.domain.catalog.models import Variant as VariantModel
from wabotiq.domain.catalog.records import CategoryRecord, ProductRecord, VariantRecord
from wabotiq.resolvers.catalog.types import Category, Product, ProductVariant


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


async def _products_by_id(keys: list[uuid.UUID]) -> list[ProductRecord | None]:
    found = {p.id: ProductRecord.from_model(p) for p in await ProductModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _variants_by_id(keys: list[uuid.UUID]) -> list[VariantRecord | None]:
    found = {v.id: VariantRecord.from_model(v) for v in await VariantModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


def VariantsByProductIdLoader() -> DataLoader[uuid.UUID, list[VariantRecord]]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_product_id)


def CategoryByIdLoader() -> DataLoader[uuid.UUID, CategoryRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_categories_by_id)


def CategoriesByParentIdLoader() -> DataLoader[uuid.UUID, list[CategoryRecord]]:  # noqa: N802
    return DataLoader(load_fn=_categories_by_parent_id)


def ProductCountByCategoryIdLoader() -> DataLoader[uuid.UUID, int]:  # noqa: N802
    return DataLoader(load_fn=_product_counts_by_category_id)


def ProductByIdLoader() -> DataLoader[uuid.UUID, ProductRecord | None]:  # noqa: N802
    """Products archived or not: order lines keep pointing at what was sold."""
    return DataLoader(load_fn=_products_by_id)


def ProductVariantByIdLoader() -> DataLoader[uuid.UUID, VariantRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_id)


class CatalogLoaders:
    """The catalog's loaders for one request, and its objects for the other areas."""

    def __init__(self) -> None:
        # A page's products share a handful of categories: each is converted once.
        self._categories: dict[uuid.UUID, Category | None] = {}

    @cached_property
    def variants_by_product_id(self) -> DataLoader[uuid.UUID, list[VariantRecord]]:
        return VariantsByProductIdLoader()

    @cached_property
    def category_by_id(self) -> DataLoader[uuid.UUID, CategoryRecord | None]:
        return CategoryByIdLoader()

    @cached_property
    def categories_by_parent_id(self) -> DataLoader[uuid.UUID, list[CategoryRecord]]:
        return CategoriesByParentIdLoader()

    @cached_property
    def product_count_by_category_id(self) -> DataLoader[uuid.UUID, int]:
        return ProductCountByCategoryIdLoader()

    @cached_property
    def product_by_id(self) -> DataLoader[uuid.UUID, ProductRecord | None]:
        return ProductByIdLoader()

    @cached_property
    def variant_by_id(self) -> DataLoader[uuid.UUID, VariantRecord | None]:
        return ProductVariantByIdLoader()

    def prime_categories(self, categories: Mapping[uuid.UUID, CategoryRecord | None]) -> None:
        """Categories a page fetched already (for the `parent` of one that is on it too)."""
        self.category_by_id.prime_many(categories)

    async def product(self, product_id: uuid.UUID | None) -> Product | None:
        """A product, archived or not."""
        if product_id is None:
            return None
        found = await self.product_by_id.load(product_id)
        return Product.from_model(found) if found else None

    async def variant(
        self, product_id: uuid.UUID | None, variant_id: uuid.UUID | None
    ) -> ProductVariant | None:
        """A variant of a product (archived or not), priced from that product."""
        if product_id is None or variant_id is None:
            return None
        product = await self.product_by_id.load(product_id)
        variant = await self.variant_by_id.load(variant_id)
        if product is None or variant is None:
            return None
        return ProductVariant.from_model(variant, Product.from_model(product).effective_price)

    async def variants_of(self, product: Product) -> list[ProductVariant]:
        rows = await self.variants_by_product_id.load(product.raw_id)
        return [ProductVariant.from_model(v, product.effective_price, product.id) for v in rows]

    async def category(self, category_id: uuid.UUID | None) -> Category | None:
        if category_id is None:
            return None
        if category_id not in self._categories:
            found = await self.category_by_id.load(category_id)
            converted = Category.from_model(found) if found else None
            self._categories.setdefault(category_id, converted)
        return self._categories[category_id]

    async def children_of(self, category: Category) -> list[Category]:
        rows = await self.categories_by_parent_id.load(category.raw_id)
        return [Category.from_model(row) for row in rows]

    async def product_count_of(self, category: Category) -> int:
        return int(await self.product_count_by_category_id.load(category.raw_id))
