"""Mutations of the catalog: parse input, call one service, map the result."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.catalog import categories, service, stock
from wabotiq.domain.catalog.models import ProductSource
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.money import MoneyInput
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.catalog.inputs import (
    CategoryArchiveInput,
    CategoryCreateInput,
    CategoryUpdateInput,
    ProductArchiveInput,
    ProductCreateInput,
    ProductUpdateInput,
    ProductVariantInput,
    StockAdjustInput,
    VariantArchiveInput,
    VariantCreateInput,
    VariantUpdateInput,
)
from wabotiq.resolvers.catalog.types import (
    Category,
    CategoryPayload,
    Product,
    ProductPayload,
    ProductVariant,
    ProductVariantPayload,
    StockAdjustPayload,
)
from wabotiq.resolvers.context import Info, audit_target

EDIT = scopes(["catalog:edit"])


def _attributes(given: Any) -> Any:
    return {} if given is None else given  # the domain checks its shape


def _amount(money: MoneyInput | None) -> Decimal | None:
    return money.amount if money else None


def _currencies(*moneys: MoneyInput | None) -> tuple[str, ...]:
    return tuple(m.currency for m in moneys if m)


def _variant_spec(given: ProductVariantInput | VariantCreateInput) -> service.VariantSpec:
    return service.VariantSpec(
        sku=given.sku,
        attributes=_attributes(given.attributes),
        price=_amount(given.price),
        stock=given.stock,
        active=given.active,
        position=given.position,
    )


def _product_spec(given: ProductCreateInput) -> service.ProductSpec:
    return service.ProductSpec(
        sku=given.sku,
        name=given.name,
        price=given.price.amount,
        currencies=_currencies(given.price, given.sale_price, *(v.price for v in given.variants)),
        description=given.description,
        category_id=uuid_from_global_id(given.category_id, "Category")
        if given.category_id
        else None,
        sale_price=_amount(given.sale_price),
        stock=given.stock,
        active=given.active,
        attributes=_attributes(given.attributes),
        tags=given.tags,
        image_urls=given.image_urls,
        source=ProductSource(str(given.source.value)),
        external_id=given.external_id,
        variants=[_variant_spec(v) for v in given.variants],
    )


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def _product_changes(given: ProductUpdateInput) -> dict[str, Any]:
    """What the input changes; a null for a field that cannot be empty changes nothing."""
    changes: dict[str, Any] = {}
    for name in ("sku", "name", "price", "active", "attributes", "tags", "image_urls", "source"):
        value = getattr(given, name)
        if _given(value) and value is not None:
            changes[name] = value
    for name in ("description", "sale_price", "external_id", "category_id"):
        value = getattr(given, name)
        if _given(value):
            changes[name] = value
    if "price" in changes or changes.get("sale_price"):
        changes["currencies"] = _currencies(changes.get("price"), changes.get("sale_price"))
    for name in ("price", "sale_price"):
        if name in changes:
            changes[name] = _amount(changes[name])
    if "attributes" in changes:
        changes["attributes"] = _attributes(changes["attributes"])
    if "source" in changes:
        changes["source"] = ProductSource(str(changes["source"].value))
    if changes.get("category_id") is not None:
        changes["category_id"] = uuid_from_global_id(changes["category_id"], "Category")
    return changes


def _variant_changes(given: VariantUpdateInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("sku", "attributes", "active", "position"):
        value = getattr(given, name)
        if _given(value) and value is not None:
            changes[name] = value
    if "attributes" in changes:
        changes["attributes"] = _attributes(changes["attributes"])
    if _given(given.price):
        changes["price"] = _amount(given.price)
        changes["currencies"] = _currencies(given.price)
    return changes


def _category_changes(given: CategoryUpdateInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if _given(given.name) and given.name is not None:
        changes["name"] = given.name
    if _given(given.position) and given.position is not None:
        changes["position"] = given.position
    if _given(given.parent_id):
        changes["parent_id"] = (
            uuid_from_global_id(given.parent_id, "Category") if given.parent_id else None
        )
    return changes


def _product_payload(record: Any, errors: list[Any]) -> ProductPayload:
    return ProductPayload(
        product=Product.from_model(record) if record else None, user_errors=errors
    )


def _category_payload(record: Any, errors: list[Any]) -> CategoryPayload:
    return CategoryPayload(
        category=Category.from_model(record) if record else None, user_errors=errors
    )


def _variant_payload(
    change: service.VariantChange | None, errors: list[Any]
) -> ProductVariantPayload:
    if change is None:
        return ProductVariantPayload(variant=None, product=None, user_errors=errors)
    product = Product.from_model(change.product)
    return ProductVariantPayload(
        variant=ProductVariant.from_model(change.variant, product.effective_price),
        product=product,
        user_errors=errors,
    )


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(
        description="Create a product, with variants if it has any.", directives=EDIT
    )
    async def product_create(
        self, info: Info, input: Annotated[ProductCreateInput, INPUT]
    ) -> ProductPayload:
        ctx = info.context
        actor = ctx.principal.actor_id
        record, errors = await mutate(
            lambda: service.create_product(spec=_product_spec(input), actor=actor)
        )
        if record:
            audit_target(info, to_global_id("Product", record.id))
        return _product_payload(record, errors)

    @strawberry.mutation(description="Change a product's details.", directives=EDIT)
    async def product_update(
        self, info: Info, input: Annotated[ProductUpdateInput, INPUT]
    ) -> ProductPayload:
        audit_target(info, input.id)
        record, errors = await mutate(
            lambda: service.update_product(
                product_id=uuid_from_global_id(input.id, "Product"),
                changes=_product_changes(input),
            )
        )
        return _product_payload(record, errors)

    @strawberry.mutation(
        description="Archive a product: off sale and out of listings.", directives=EDIT
    )
    async def product_archive(
        self, info: Info, input: Annotated[ProductArchiveInput, INPUT]
    ) -> ProductPayload:
        audit_target(info, input.id)
        record, errors = await mutate(
            lambda: service.archive_product(product_id=uuid_from_global_id(input.id, "Product"))
        )
        return _product_payload(record, errors)

    @strawberry.mutation(description="Add a variant to a product.", directives=EDIT)
    async def variant_create(
        self, info: Info, input: Annotated[VariantCreateInput, INPUT]
    ) -> ProductVariantPayload:
        spec = _variant_spec(input)
        actor = info.context.principal.actor_id
        change, errors = await mutate(
            lambda: service.create_variant(
                product_id=uuid_from_global_id(input.product_id, "Product"),
                spec=spec,
                currencies=_currencies(input.price),
                actor=actor,
            )
        )
        if change:
            audit_target(info, to_global_id("ProductVariant", change.variant.id))
        return _variant_payload(change, errors)

    @strawberry.mutation(description="Change a variant.", directives=EDIT)
    async def variant_update(
        self, info: Info, input: Annotated[VariantUpdateInput, INPUT]
    ) -> ProductVariantPayload:
        audit_target(info, input.id)
        change, errors = await mutate(
            lambda: service.update_variant(
                variant_id=uuid_from_global_id(input.id, "ProductVariant"),
                changes=_variant_changes(input),
            )
        )
        return _variant_payload(change, errors)

    @strawberry.mutation(
        description="Archive a variant; its remaining stock is written off.", directives=EDIT
    )
    async def variant_archive(
        self, info: Info, input: Annotated[VariantArchiveInput, INPUT]
    ) -> ProductVariantPayload:
        audit_target(info, input.id)
        actor = info.context.principal.actor_id
        change, errors = await mutate(
            lambda: service.archive_variant(
                variant_id=uuid_from_global_id(input.id, "ProductVariant"), actor=actor
            )
        )
        return _variant_payload(change, errors)

    @strawberry.mutation(description="Create a category.", directives=EDIT)
    async def category_create(
        self, info: Info, input: Annotated[CategoryCreateInput, INPUT]
    ) -> CategoryPayload:
        record, errors = await mutate(
            lambda: categories.create_category(
                name=input.name,
                parent_id=uuid_from_global_id(input.parent_id, "Category")
                if input.parent_id
                else None,
                position=input.position,
            )
        )
        if record:
            audit_target(info, to_global_id("Category", record.id))
        return _category_payload(record, errors)

    @strawberry.mutation(
        description="Rename, reorder or move a category (never under itself).", directives=EDIT
    )
    async def category_update(
        self, info: Info, input: Annotated[CategoryUpdateInput, INPUT]
    ) -> CategoryPayload:
        audit_target(info, input.id)
        record, errors = await mutate(
            lambda: categories.update_category(
                category_id=uuid_from_global_id(input.id, "Category"),
                changes=_category_changes(input),
            )
        )
        return _category_payload(record, errors)

    @strawberry.mutation(
        description="Archive a category that has no live subcategories.", directives=EDIT
    )
    async def category_archive(
        self, info: Info, input: Annotated[CategoryArchiveInput, INPUT]
    ) -> CategoryPayload:
        audit_target(info, input.id)
        record, errors = await mutate(
            lambda: categories.archive_category(
                category_id=uuid_from_global_id(input.id, "Category")
            )
        )
        return _category_payload(record, errors)

    @strawberry.mutation(
        description="Add or remove stock with a reason; stock never goes below zero.",
        directives=EDIT,
    )
    async def stock_adjust(
        self, info: Info, input: Annotated[StockAdjustInput, INPUT]
    ) -> StockAdjustPayload:
        ctx = info.context
        audit_target(info, input.variant_id or input.product_id)
        actor = ctx.principal.actor_id
        result, errors = await mutate(
            lambda: stock.adjust_stock(
                product_id=uuid_from_global_id(input.product_id, "Product"),
                variant_id=uuid_from_global_id(input.variant_id, "ProductVariant")
                if input.variant_id
                else None,
                delta=input.delta,
                reason=stock.StockReason(str(input.reason.value)),
                note=input.note,
                actor=actor,
            )
        )
        if result is None:
            return StockAdjustPayload(product=None, variant=None, user_errors=errors)
        product = Product.from_model(result.product)
        variant = (
            ProductVariant.from_model(result.variant, product.effective_price)
            if result.variant
            else None
        )
        return StockAdjustPayload(product=product, variant=variant, user_errors=[])
