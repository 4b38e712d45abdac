"""GraphQL types of the catalog: built from records by `from_model()`, costly fields computed
when first read; relations handed over by the page that fetched them (prefetched), else
through the catalog's loaders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from operator import attrgetter
from typing import Any

import strawberry
from strawberry.scalars import JSON

from wabotiq.domain.catalog.listing import ProductPage
from wabotiq.domain.catalog.records import (
    CategoryRecord,
    ProductRecord,
    VariantRecord,
    effective_price,
)
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.lazy import build, lazy_fields
from wabotiq.graphql.money import Money
from wabotiq.graphql.plans import NOT_PREFETCHED
from wabotiq.graphql.relations import relation
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info


@strawberry.enum(description="Where a product's data comes from.")
class ProductSource(Enum):
    MANUAL = strawberry.enum_value("manual", description="Entered in WabotIQ.")
    WOOCOMMERCE = strawberry.enum_value("woocommerce", description="Synced from WooCommerce.")
    SHOPIFY = strawberry.enum_value("shopify", description="Synced from Shopify.")


@strawberry.type(description="A node of the tenant's category tree.")
class Category:
    id: strawberry.ID = strawberry.field(description="Global ID of the category.")
    name: str = strawberry.field(description="The category's name.")
    slug: str = strawberry.field(description="A unique, URL-friendly name.")
    position: int = strawberry.field(description="Order among its siblings, lowest first.")
    archived_at: datetime | None = strawberry.field(description="When it was archived.")
    created_at: datetime = strawberry.field(description="When it was created.")
    raw_id: strawberry.Private[uuid.UUID]
    parent_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, category: CategoryRecord) -> Category:
        return cls(
            id=to_global_id("Category", category.id),
            name=category.name,
            slug=category.slug,
            position=category.position,
            archived_at=category.archived_at,
            created_at=category.created_at,
            raw_id=category.id,
            parent_id=category.parent_id,
        )

    @relation(description="The category above this one; null at the top level.")
    async def parent(self, info: Info) -> Category | None:
        return await info.context.loaders.catalog.category(self.parent_id)

    @relation(description="The live categories directly below this one, in order.")
    async def children(self, info: Info) -> list[Category]:
        return await info.context.loaders.catalog.children_of(self)

    @relation(description="How many live products sit directly in this category.")
    async def product_count(self, info: Info) -> int:
        return await info.context.loaders.catalog.product_count_of(self)


def _copied(*names: str) -> dict[str, Callable[[Any], Any]]:
    """Lazy fields whose value is the record's attribute of the same name."""
    return {name: attrgetter(f"record.{name}") for name in names}


def _effective_price(product: ProductRecord | None) -> Money:
    if product is None:
        raise LookupError("a variant needs its product's price")
    amount = effective_price(product.price, product.sale_price)
    return Money(amount=amount, currency=product.currency)


def _variant_override(variant: ProductVariant) -> Money | None:
    record, currency = variant.record, variant.product_price.currency
    return None if record.price is None else Money(amount=record.price, currency=currency)


@lazy_fields(
    id=lambda v: to_global_id("ProductVariant", v.record.id),
    product_id=lambda v: to_global_id("Product", v.record.product_id),
    price=lambda v: v.price_override or v.product_price,
    price_override=_variant_override,
    product_price=lambda v: _effective_price(v.product_record),
    in_stock=lambda v: v.record.stock > 0,
    **_copied("active", "position", "archived_at", "created_at", "updated_at"),
)
@strawberry.type(description="A sellable version of a product, e.g. one colour or size.")
class ProductVariant:
    id: strawberry.ID = strawberry.field(description="Global ID of the variant.")
    product_id: strawberry.ID = strawberry.field(description="Global ID of its product.")
    sku: str = strawberry.field(description="Stock keeping unit, unique in the tenant.")
    attributes: JSON = strawberry.field(
        description='What sets it apart, as names and values: {"colour": "Black"}.'
    )
    price: Money = strawberry.field(
        description="What it sells for: its own price, or else the product's effective price."
    )
    price_override: Money | None = strawberry.field(description="Its own price, when it has one.")
    stock: int = strawberry.field(description="Units in stock.")
    in_stock: bool = strawberry.field(description="Whether at least one unit is in stock.")
    active: bool = strawberry.field(description="Whether it is offered for sale.")
    position: int = strawberry.field(description="Order among the product's variants.")
    archived_at: datetime | None = strawberry.field(description="When it was archived.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    record: strawberry.Private[VariantRecord]
    product_price: strawberry.Private[Money]  # the product's effective price
    # The product it was read with (a record, not the GraphQL object: no reference cycle)
    product_record: strawberry.Private[ProductRecord | None] = None

    @classmethod
    def from_model(
        cls, variant: VariantRecord, product_price: Money, product_id: strawberry.ID | None = None
    ) -> ProductVariant:
        """`product_price`: the product's effective price; `product_id`: its global ID, when
        the caller has it already. IDs and prices are computed when read."""
        values = cls._values(variant)
        values["product_price"] = product_price
        if product_id is not None:
            values["product_id"] = product_id
        return build(cls, values)

    @classmethod
    def of_product(cls, variant: VariantRecord, product: ProductRecord) -> ProductVariant:
        """A variant of `product`, whose effective price it falls back to (computed when
        read)."""
        values = cls._values(variant)
        values["product_record"] = product
        return build(cls, values)

    @staticmethod
    def _values(variant: VariantRecord) -> dict[str, Any]:
        # The fields most pages ask for; the rest come from the record when read.
        return {
            "sku": variant.sku,
            "attributes": variant.attributes,
            "stock": variant.stock,
            "record": variant,
        }


def _sale_price(product: Product) -> Money | None:
    record = product.record
    if record is None or record.sale_price is None:
        return None
    return Money(amount=record.sale_price, currency=record.currency)


@lazy_fields(
    id=lambda p: to_global_id("Product", p.raw_id),
    price=lambda p: Money(amount=p.record.price, currency=p.record.currency),
    sale_price=_sale_price,
    effective_price=lambda p: p.sale_price or p.price,
    tags=lambda p: list(p.record.tags),
    image_urls=lambda p: list(p.record.image_urls),
    source=lambda p: ProductSource(str(p.record.source)),
    in_stock=lambda p: p.stock > 0,
    **_copied(
        "description",
        "active",
        "attributes",
        "external_id",
        "archived_at",
        "created_at",
        "updated_at",
    ),
)
@strawberry.type(description="Something the tenant sells.")
class Product:
    id: strawberry.ID = strawberry.field(description="Global ID of the product.")
    sku: str = strawberry.field(description="Stock keeping unit, unique in the tenant.")
    name: str = strawberry.field(description="The product's name.")
    description: str = strawberry.field(description="What it is, for customers.")
    price: Money = strawberry.field(description="The regular price.")
    sale_price: Money | None = strawberry.field(description="The sale price, while on sale.")
    effective_price: Money = strawberry.field(
        description="What a customer pays: the sale price while on sale, else the price."
    )
    stock: int = strawberry.field(
        description="Units in stock; for a product with variants, their total."
    )
    in_stock: bool = strawberry.field(description="Whether at least one unit is in stock.")
    active: bool = strawberry.field(description="Whether it is offered for sale.")
    attributes: JSON = strawberry.field(
        description='Its properties, as names and values: {"brand": "Samsung"}.'
    )
    tags: list[str] = strawberry.field(description="Free-form labels for search and filters.")
    image_urls: list[str] = strawberry.field(description="Pictures of it, first is the main.")
    source: ProductSource = strawberry.field(description="Where its data comes from.")
    external_id: str | None = strawberry.field(
        description="Its id in the source system (WooCommerce, Shopify)."
    )
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; archived products are hidden from listings."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    raw_id: strawberry.Private[uuid.UUID]
    category_id: strawberry.Private[uuid.UUID | None]
    # What `variants` and `category` return, when a page fetched them with the products.
    page_variants: strawberry.Private[list[ProductVariant]] = NOT_PREFETCHED
    page_category: strawberry.Private[Category | None] = NOT_PREFETCHED
    record: strawberry.Private[ProductRecord | None] = None

    @classmethod
    def from_model(cls, product: ProductRecord) -> Product:
        """The fields most pages ask for; the rest are computed (or copied) when read."""
        values = {
            "sku": product.sku,
            "name": product.name,
            "stock": product.stock,
            "raw_id": product.id,
            "category_id": product.category_id,
            "record": product,
        }
        return build(cls, values)

    @relation(description="Its live variants, in display order.", prefetched="page_variants")
    async def variants(self, info: Info) -> list[ProductVariant]:
        return await info.context.loaders.catalog.variants_of(self)

    @relation(description="Its category, if it has one.", prefetched="page_category")
    async def category(self, info: Info) -> Category | None:
        return await info.context.loaders.catalog.category(self.category_id)


def page_products(
    page: ProductPage, *, with_variants: bool, with_categories: bool
) -> Callable[[ProductRecord], Product]:
    """Converts the products of a page, handing them the variants and categories the page
    fetched along with them (what their resolvers would return), so a page of plain objects
    needs no resolver call."""
    categories: dict[uuid.UUID, Category | None] = {}

    def category(category_id: uuid.UUID | None) -> Category | None:
        if category_id is None:
            return None
        if category_id not in categories:
            found = page.categories.get(category_id)
            categories[category_id] = Category.from_model(found) if found else None
        return categories[category_id]

    def convert(record: ProductRecord) -> Product:
        product = Product.from_model(record)
        if with_variants:
            variants = page.variants.get(record.id, ())
            product.page_variants = [ProductVariant.of_product(v, record) for v in variants]
        if with_categories:
            product.page_category = category(record.category_id)
        return product

    return convert


@strawberry.type(description="One change to the stock of a product or variant.")
class StockMovement:
    id: strawberry.ID = strawberry.field(description="Global ID of the movement.")
    product_id: strawberry.ID = strawberry.field(description="The product.")
    variant_id: strawberry.ID | None = strawberry.field(description="The variant, if one.")
    delta: int = strawberry.field(description="Units added (positive) or removed (negative).")
    stock_after: int = strawberry.field(description="Units in stock after the change.")
    reason: str = strawberry.field(
        description="Why: initial, restock, correction, damage, loss, return, import,"
        " reservation, release or variant_archived."
    )
    note: str = strawberry.field(description="Free-form explanation.")
    reference: str | None = strawberry.field(description="What caused it, e.g. an order.")
    actor: str | None = strawberry.field(description="Who made the change, if a person or key.")
    created_at: datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_model(cls, movement: Any) -> StockMovement:
        return cls(
            id=to_global_id("StockMovement", movement.id),
            product_id=to_global_id("Product", movement.product_id),
            variant_id=(
                to_global_id("ProductVariant", movement.variant_id) if movement.variant_id else None
            ),
            delta=movement.delta,
            stock_after=movement.stock_after,
            reason=movement.reason,
            note=movement.note,
            reference=movement.reference,
            actor=movement.actor,
            created_at=movement.created_at,
        )


@strawberry.type(description="The result of changing a product.")
class ProductPayload:
    product: Product | None = strawberry.field(description="The product, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of changing a variant.")
class ProductVariantPayload:
    variant: ProductVariant | None = strawberry.field(description="The variant, when it worked.")
    product: Product | None = strawberry.field(description="Its product, as it is now.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of changing a category.")
class CategoryPayload:
    category: Category | None = strawberry.field(description="The category, when it worked.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of a stock adjustment.")
class StockAdjustPayload:
    product: Product | None = strawberry.field(description="The product, with its new stock.")
    variant: ProductVariant | None = strawberry.field(
        description="The variant adjusted, if one was."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
