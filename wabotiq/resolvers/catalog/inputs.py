"""GraphQL inputs of the catalog. In update inputs an omitted field stays as it is; null
clears the fields that may be empty (sale price, category, external id)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from wabotiq.graphql.money import MoneyInput
from wabotiq.resolvers.catalog.types import ProductSource


@strawberry.enum(description="How to order a list of products.")
class ProductSort(Enum):
    NEWEST = strawberry.enum_value("newest", description="Most recently created first.")
    OLDEST = strawberry.enum_value("oldest", description="Oldest first.")
    NAME_ASC = strawberry.enum_value("name_asc", description="By name, A to Z.")
    NAME_DESC = strawberry.enum_value("name_desc", description="By name, Z to A.")
    PRICE_ASC = strawberry.enum_value("price_asc", description="Cheapest (effective price) first.")
    PRICE_DESC = strawberry.enum_value("price_desc", description="Dearest (effective price) first.")


@strawberry.enum(description="Why stock was adjusted by hand.")
class StockAdjustReason(Enum):
    RESTOCK = strawberry.enum_value("restock", description="New units arrived.")
    CORRECTION = strawberry.enum_value("correction", description="A count put it right.")
    DAMAGE = strawberry.enum_value("damage", description="Units were damaged.")
    LOSS = strawberry.enum_value("loss", description="Units were lost or stolen.")
    RETURN = strawberry.enum_value("return", description="A customer returned units.")


@strawberry.input(description="Which products to list.")
class ProductFilter:
    search: str | None = strawberry.field(
        default=None, description="Text to find in the name, SKU, description or tags."
    )
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this category and the categories below it."
    )
    price_min: Decimal | None = strawberry.field(
        default=None, description="Lowest effective price, inclusive."
    )
    price_max: Decimal | None = strawberry.field(
        default=None, description="Highest effective price, inclusive."
    )
    in_stock: bool | None = strawberry.field(
        default=None, description="Only products with (true) or without (false) stock."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Only products carrying every one of these tags."
    )
    active: bool | None = strawberry.field(
        default=None, description="Only products offered (true) or not offered (false)."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Include archived products, which are hidden by default."
    )


@strawberry.input(description="A variant to create with its product.")
class ProductVariantInput:
    sku: str = strawberry.field(description="Unique in the tenant, across products too.")
    attributes: JSON = strawberry.field(
        default_factory=dict, description="What sets it apart, e.g. colour, size, storage."
    )
    price: MoneyInput | None = strawberry.field(
        default=None, description="Its own price; omit to sell at the product's price."
    )
    stock: int = strawberry.field(default=0, description="Units in stock at the start.")
    active: bool = strawberry.field(default=True, description="Whether it is offered for sale.")
    position: int = strawberry.field(default=0, description="Order among the variants.")


@strawberry.input(description="A new product.")
class ProductCreateInput:
    sku: str = strawberry.field(description="Unique in the tenant, across variants too.")
    name: str = strawberry.field(description="The product's name.")
    price: MoneyInput = strawberry.field(description="The regular price, in the tenant currency.")
    description: str = strawberry.field(default="", description="What it is, for customers.")
    category_id: strawberry.ID | None = strawberry.field(default=None, description="Its category.")
    sale_price: MoneyInput | None = strawberry.field(
        default=None, description="A sale price, at most the price."
    )
    stock: int = strawberry.field(
        default=0, description="Units in stock at the start (0 when it has variants)."
    )
    active: bool = strawberry.field(default=True, description="Whether it is offered for sale.")
    attributes: JSON = strawberry.field(default_factory=dict, description="Its properties.")
    tags: list[str] = strawberry.field(default_factory=list, description="Free-form labels.")
    image_urls: list[str] = strawberry.field(
        default_factory=list, description="http(s) URLs of pictures, the main one first."
    )
    source: ProductSource = strawberry.field(
        default=ProductSource.MANUAL, description="Where its data comes from."
    )
    external_id: str | None = strawberry.field(
        default=None, description="Its id in the source system."
    )
    variants: list[ProductVariantInput] = strawberry.field(
        default_factory=list, description="Variants to create with it."
    )


@strawberry.input(description="Changes to a product; omitted fields stay as they are.")
class ProductUpdateInput:
    id: strawberry.ID = strawberry.field(description="The product to change.")
    sku: str | None = strawberry.field(default=strawberry.UNSET, description="A new SKU.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new description."
    )
    category_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new category; null for none."
    )
    price: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new regular price."
    )
    sale_price: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new sale price; null ends the sale."
    )
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Offer it for sale or not."
    )
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Its properties, replacing the old ones."
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Its tags, replacing the old ones."
    )
    image_urls: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Its pictures, replacing the old ones."
    )
    source: ProductSource | None = strawberry.field(
        default=strawberry.UNSET, description="Where its data comes from."
    )
    external_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="Its id in the source system; null for none."
    )


@strawberry.input(description="Which product to archive.")
class ProductArchiveInput:
    id: strawberry.ID = strawberry.field(description="The product.")


@strawberry.input(description="A new variant of a product.")
class VariantCreateInput:
    product_id: strawberry.ID = strawberry.field(description="The product it belongs to.")
    sku: str = strawberry.field(description="Unique in the tenant, across products too.")
    attributes: JSON = strawberry.field(
        default_factory=dict, description="What sets it apart, e.g. colour, size, storage."
    )
    price: MoneyInput | None = strawberry.field(
        default=None, description="Its own price; omit to sell at the product's price."
    )
    stock: int = strawberry.field(default=0, description="Units in stock at the start.")
    active: bool = strawberry.field(default=True, description="Whether it is offered for sale.")
    position: int = strawberry.field(default=0, description="Order among the variants.")


@strawberry.input(description="Changes to a variant; omitted fields stay as they are.")
class VariantUpdateInput:
    id: strawberry.ID = strawberry.field(description="The variant to change.")
    sku: str | None = strawberry.field(default=strawberry.UNSET, description="A new SKU.")
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Its attributes, replacing the old ones."
    )
    price: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="Its own price; null to use the product's."
    )
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Offer it for sale or not."
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET, description="Order among the variants."
    )


@strawberry.input(description="Which variant to archive.")
class VariantArchiveInput:
    id: strawberry.ID = strawberry.field(description="The variant.")


@strawberry.input(description="A new category.")
class CategoryCreateInput:
    name: str = strawberry.field(description="The category's name.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The category to put it under; omit for the top level."
    )
    position: int = strawberry.field(default=0, description="Order among its siblings.")


@strawberry.input(description="Changes to a category; omitted fields stay as they are.")
class CategoryUpdateInput:
    id: strawberry.ID = strawberry.field(description="The category to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move it under this category; null for the top level.",
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET, description="Order among its siblings."
    )


@strawberry.input(description="Which category to archive.")
class CategoryArchiveInput:
    id: strawberry.ID = strawberry.field(description="The category.")


@strawberry.input(description="A change of stock, with the reason for it.")
class StockAdjustInput:
    product_id: strawberry.ID = strawberry.field(description="The product.")
    variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The variant, for a product with variants."
    )
    delta: int = strawberry.field(description="Units to add (positive) or remove (negative).")
    reason: StockAdjustReason = strawberry.field(description="Why the stock changes.")
    note: str = strawberry.field(default="", description="Free-form explanation.")
