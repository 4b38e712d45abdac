"""Queries of the catalog."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField

from wabotiq.domain.catalog import listing
from wabotiq.domain.catalog.categories import get_category, list_categories
from wabotiq.domain.catalog.errors import CatalogError
from wabotiq.domain.catalog.stock import list_movements
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import (
    AfterArg,
    Connection,
    FirstArg,
    keyset_connection,
    offset_connection,
    optional_query_uuid,
    query_uuid,
)
from wabotiq.resolvers.catalog.inputs import ProductFilter, ProductSort
from wabotiq.resolvers.catalog.types import Category, Product, StockMovement, page_products
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import int_key_page, offset_page

VIEW = scopes(["catalog:view"])

FilterArg = Annotated[
    ProductFilter | None, strawberry.argument(description="Only products matching this.")
]
SortArg = Annotated[ProductSort, strawberry.argument(description="The order of the products.")]
IdArg = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the object.")]
ParentArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="List the categories under this one; omit for the top."),
]
ArchivedArg = Annotated[
    bool, strawberry.argument(description="Include archived categories, hidden by default.")
]


def _fields(selections: Sequence[Any]) -> Iterator[SelectedField]:
    """Fields of a selection, looking through fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def _node_fields(info: Info) -> set[str]:
    """The fields a connection query selects on its nodes (via `edges.node` or `nodes`)."""
    names: set[str] = set()
    for connection in info.selected_fields:
        for child in _fields(connection.selections):
            if child.name == "nodes":
                names.update(f.name for f in _fields(child.selections))
            elif child.name == "edges":
                for edge_field in _fields(child.selections):
                    if edge_field.name == "node":
                        names.update(f.name for f in _fields(edge_field.selections))
    return names


def _product_filter(given: ProductFilter | None) -> listing.ProductFilter:
    if given is None:
        return listing.ProductFilter()
    return listing.ProductFilter(
        search=given.search,
        category_id=optional_query_uuid(given.category_id, "Category"),
        price_min=given.price_min,
        price_max=given.price_max,
        in_stock=given.in_stock,
        tags=tuple(given.tags or ()),
        active=given.active,
        include_archived=given.include_archived,
    )


@strawberry.type
class CatalogQueries:
    @strawberry.field(description="One product by ID, archived ones too.", directives=VIEW)
    async def product(self, info: Info, id: IdArg) -> Product | None:
        found = await listing.find_product(product_id=query_uuid(id, "Product"))
        return Product.from_model(found) if found else None

    @strawberry.field(
        description="The tenant's products; archived ones only when the filter asks.",
        directives=VIEW,
    )
    async def products(
        self,
        info: Info,
        filter: FilterArg = None,
        sort: SortArg = ProductSort.NEWEST,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Product]:
        offset, limit = offset_page(info, first, after)
        wanted = _node_fields(info)
        with_variants, with_categories = "variants" in wanted, "category" in wanted
        page = await listing.product_page(
            filter=_product_filter(filter),
            sort=listing.ProductSort(str(sort.value)),
            offset=offset,
            limit=limit,
            with_variants=with_variants,
            with_categories=with_categories,
        )
        # The products carry their variants and categories (see `page_products`); categories
        # also prime the loader, for the `parent` of a category that is on the page as well.
        if page.categories:
            info.context.loaders.catalog.prime_categories(page.categories)
        convert = page_products(page, with_variants=with_variants, with_categories=with_categories)
        return offset_connection(page.products, offset=offset, total=page.total, convert=convert)

    @strawberry.field(description="One category by ID, archived ones too.", directives=VIEW)
    async def category(self, info: Info, id: IdArg) -> Category | None:
        try:
            found = await get_category(category_id=query_uuid(id, "Category"))
        except CatalogError:
            return None
        return Category.from_model(found)

    @strawberry.field(description="Categories at one level of the tree, in order.", directives=VIEW)
    async def categories(
        self,
        info: Info,
        parent_id: ParentArg = None,
        include_archived: ArchivedArg = False,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Category]:
        offset, limit = offset_page(info, first, after)
        rows, total = await list_categories(
            parent_id=optional_query_uuid(parent_id, "Category"),
            include_archived=include_archived,
            offset=offset,
            limit=limit,
        )
        return offset_connection(rows, offset=offset, total=total, convert=Category.from_model)

    @strawberry.field(description="A product's stock movements, newest first.", directives=VIEW)
    async def stock_movements(
        self,
        info: Info,
        product_id: Annotated[strawberry.ID, strawberry.argument(description="The product.")],
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[StockMovement]:
        before_id, limit = int_key_page(info, first, after)
        rows, total = await list_movements(
            product_id=query_uuid(product_id, "Product"),
            before_id=before_id,
            limit=limit + 1,
        )
        return keyset_connection(
            rows,
            limit=limit,
            continued=before_id is not None,
            total=total,
            convert=StockMovement.from_model,
            key=lambda row: row.id,
        )
