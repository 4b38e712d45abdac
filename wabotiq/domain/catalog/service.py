"""Products and their variants: create, change, archive; each change leaves an outbox event.

Stock is set once at creation (as an `initial` movement) and changed only through
`wabotiq.domain.catalog.stock` afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wabotiq.core.tenant import require_tenant
from wabotiq.db.connection import current_connection
from wabotiq.db.outbox import emit
from wabotiq.domain.catalog.categories import live_category
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode, not_found
from wabotiq.domain.catalog.models import Product, ProductSource, Variant
from wabotiq.domain.catalog.records import ProductRecord, VariantRecord
from wabotiq.domain.catalog.skus import claim_sku
from wabotiq.domain.catalog.stock import Movement, StockReason, record_movements
from wabotiq.tenancy.models import Tenant

PRODUCT_FIELDS = frozenset(
    {
        "sku", "name", "description", "category_id", "price", "sale_price", "currencies",
        "active", "attributes", "tags", "image_urls", "source", "external_id",
    }
)  # fmt: skip
VARIANT_FIELDS = frozenset({"sku", "attributes", "price", "currencies", "active", "position"})


@dataclass(frozen=True, slots=True)
class VariantSpec:
    sku: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    price: Decimal | None = None  # None: the product's price
    stock: int = 0
    active: bool = True
    position: int = 0


@dataclass(frozen=True, slots=True)
class VariantChange:
    variant: VariantRecord
    product: ProductRecord


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name: str
    price: Decimal
    currencies: Sequence[str] = ()  # what the caller's prices were given in: the tenant's
    description: str = ""
    category_id: uuid.UUID | None = None
    sale_price: Decimal | None = None
    stock: int = 0  # with variants, stock lives on the variants
    active: bool = True
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    image_urls: Sequence[str] = ()
    source: ProductSource = ProductSource.MANUAL
    external_id: str | None = None
    variants: Sequence[VariantSpec] = ()


def _invalid(message: str, field: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.INVALID, message, field=field)


async def tenant_currency() -> str:
    """The current tenant's currency: every price of its catalog is in it."""
    tenant = await Tenant.get(id=require_tenant().id)
    return tenant.currency


async def _check_currency(currencies: Sequence[str]) -> str:
    expected = await tenant_currency()
    if any(c.strip().upper() != expected for c in currencies):
        raise CatalogError(
            CatalogErrorCode.CURRENCY_MISMATCH, f"Prices are in {expected}.", field="price"
        )
    return expected


CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


def _amount(value: Decimal, field: str) -> Decimal:
    """An exact amount in cents (as stored), never negative."""
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise _invalid("An amount is between 0 and 999999999999.99.", field)
    if value != value.quantize(CENT):
        raise _invalid("An amount has at most two decimal places.", field)
    # abs(): -0 passes the sign check, and the database stores it as 0.00, not -0.00.
    return abs(value.quantize(CENT))


def _prices(price: Decimal, sale_price: Decimal | None) -> tuple[Decimal, Decimal | None]:
    price = _amount(price, "price")
    sale = None if sale_price is None else _amount(sale_price, "salePrice")
    if sale is not None and sale > price:
        raise _invalid("A sale price is at most the price.", "salePrice")
    return price, sale


def _clean_text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise _invalid(f"Use 1-{limit} characters.", field)
    return value


def clean_list(values: Sequence[str], field: str) -> list[str]:
    """Trimmed, without blanks or repeats (as stored); image URLs must be http(s)."""
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if field == "imageUrls" and any(not v.startswith(("https://", "http://")) for v in cleaned):
        raise _invalid("Image URLs are http(s) URLs.", field)
    return cleaned


def clean_attributes(values: Any) -> dict[str, str]:
    """Names and text values, trimmed (as stored): {"colour": "Black", "storage": "128GB"}."""
    if not isinstance(values, Mapping) or not all(
        isinstance(v, str | int | float) for v in values.values()
    ):
        raise _invalid("Attributes map names to text or numbers.", "attributes")
    cleaned = {str(k).strip(): str(v).strip() for k, v in values.items()}
    if any(not key for key in cleaned):
        raise _invalid("An attribute needs a name.", "attributes")
    return cleaned


async def _check_category(category_id: uuid.UUID | None) -> None:
    if category_id is not None:
        await live_category(category_id, "categoryId")


async def _check_external(
    source: ProductSource, external_id: str | None, product_id: uuid.UUID | None
) -> None:
    if external_id is None:
        return
    taken = (
        await Product.filter(source=source, external_id=external_id)
        .exclude(id=product_id or uuid.uuid4())
        .exists()
    )
    if taken:
        raise CatalogError(
            CatalogErrorCode.INVALID,
            f"Another product is {source.value} item {external_id}.",
            field="externalId",
        )


async def _emit(product_id: uuid.UUID, event_type: str, **payload: Any) -> None:
    await emit(
        aggregate_type="product",
        aggregate_id=str(product_id),
        event_type=event_type,
        payload={"product_id": str(product_id), **payload},
    )


async def _live_product(product_id: uuid.UUID, *, lock: bool = False, field: str = "id") -> Product:
    query = Product.filter(id=product_id)
    product = await (query.select_for_update() if lock else query).first()
    if product is None:
        raise not_found("product", field)
    if product.archived_at is not None:
        raise CatalogError(CatalogErrorCode.ARCHIVED, "The product is archived.", field=field)
    return product


async def create_product(*, spec: ProductSpec, actor: str | None = None) -> ProductRecord:
    """Add a product (and its variants) with a SKU no other product or variant uses."""
    currency = await _check_currency(spec.currencies)
    price, sale_price = _prices(spec.price, spec.sale_price)
    if spec.stock < 0:
        raise _invalid("Stock cannot be negative.", "stock")
    if spec.variants and spec.stock:
        raise _invalid("A product with variants keeps its stock on the variants.", "stock")
    await _check_category(spec.category_id)
    await _check_external(spec.source, spec.external_id, None)
    product = await Product.create(
        id=uuid.uuid4(),
        sku=await claim_sku(spec.sku),
        name=_clean_text(spec.name, "name", 200),
        description=spec.description.strip(),
        category_id=spec.category_id,
        price=price,
        sale_price=sale_price,
        currency=currency,
        stock=spec.stock,
        active=spec.active,
        attributes=clean_attributes(spec.attributes),
        tags=clean_list(spec.tags, "tags"),
        image_urls=clean_list(spec.image_urls, "imageUrls"),
        source=spec.source,
        external_id=spec.external_id,
    )
    if spec.stock:
        await record_movements(
            [Movement(product.id, None, spec.stock, spec.stock, StockReason.INITIAL, actor=actor)]
        )
    await _emit(product.id, "created", sku=product.sku)
    for variant in spec.variants:
        await _add_variant(product, variant, actor)
    return ProductRecord.from_model(product)


async def update_product(*, product_id: uuid.UUID, changes: Mapping[str, Any]) -> ProductRecord:
    """Change a live product's details; `changes` holds only what changes (None clears)."""
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    product = await _live_product(product_id)
    if changes.get("currencies"):
        await _check_currency(changes["currencies"])
    await _apply_product_changes(product, changes)
    fields = sorted(set(changes) - {"currencies"})
    # Named fields only: a full save would write back a stale stock.
    await product.save(update_fields=[*fields, "updated_at"])
    await _emit(product.id, "updated", sku=product.sku, fields=fields)
    return ProductRecord.from_model(product)


async def _apply_product_changes(product: Product, changes: Mapping[str, Any]) -> None:
    if "sku" in changes:
        product.sku = await claim_sku(changes["sku"], owner_id=product.id)
    if "name" in changes:
        product.name = _clean_text(changes["name"], "name", 200)
    if "description" in changes:
        product.description = (changes["description"] or "").strip()
    if "category_id" in changes:
        await _check_category(changes["category_id"])
        product.category_id = changes["category_id"]
    if "price" in changes:
        product.price = changes["price"]
    if "sale_price" in changes:
        product.sale_price = changes["sale_price"]
    product.price, product.sale_price = _prices(product.price, product.sale_price)
    if "active" in changes:
        product.active = bool(changes["active"])
    if "attributes" in changes:
        product.attributes = clean_attributes(changes["attributes"] or {})
    for name, field_name in (("tags", "tags"), ("image_urls", "imageUrls")):
        if name in changes:
            setattr(product, name, clean_list(changes[name] or [], field_name))
    if "source" in changes or "external_id" in changes:
        product.source = ProductSource(changes.get("source", product.source))
        product.external_id = changes.get("external_id", product.external_id)
        await _check_external(product.source, product.external_id, product.id)


async def archive_product(*, product_id: uuid.UUID) -> ProductRecord:
    """Take a product off sale and out of listings; it keeps its SKU and history."""
    product = await _live_product(product_id)
    product.archived_at = datetime.now(UTC)
    await product.save(update_fields=["archived_at", "updated_at"])
    await _emit(product.id, "archived", sku=product.sku)
    return ProductRecord.from_model(product)


async def _add_variant(product: Product, spec: VariantSpec, actor: str | None) -> Variant:
    if spec.stock < 0:
        raise _invalid("Stock cannot be negative.", "stock")
    variant = await Variant.create(
        id=uuid.uuid4(),
        product_id=product.id,
        sku=await claim_sku(spec.sku),
        attributes=clean_attributes(spec.attributes),
        price=None if spec.price is None else _amount(spec.price, "price"),
        stock=spec.stock,
        active=spec.active,
        position=spec.position,
    )
    if spec.stock:
        async with current_connection() as conn:
            product.stock = await conn.fetchval(
                "UPDATE products SET stock = stock + $2, updated_at = now() WHERE id = $1"
                " RETURNING stock",
                product.id,
                spec.stock,
            )
        await record_movements(
            [
                Movement(
                    product.id, variant.id, spec.stock, spec.stock, StockReason.INITIAL, actor=actor
                )
            ]
        )
    await _emit(product.id, "updated", sku=product.sku, variant_id=str(variant.id))
    return variant


async def create_variant(
    *,
    product_id: uuid.UUID,
    spec: VariantSpec,
    currencies: Sequence[str] = (),
    actor: str | None = None,
) -> VariantChange:
    """Add a variant to a live product; the product's stock becomes its variants' total, so a
    product with stock of its own must be brought to zero first."""
    if currencies:
        await _check_currency(currencies)
    product = await _live_product(product_id, lock=True, field="productId")
    has_variants = await Variant.filter(product_id=product.id, archived_at__isnull=True).exists()
    if product.stock and not has_variants:
        raise _invalid(
            "The product has stock of its own: adjust it to zero before adding variants.",
            "productId",
        )
    variant = await _add_variant(product, spec, actor)
    return VariantChange(VariantRecord.from_model(variant), ProductRecord.from_model(product))


async def _live_variant(variant_id: uuid.UUID, *, lock: bool = False) -> Variant:
    query = Variant.filter(id=variant_id)
    variant = await (query.select_for_update() if lock else query).first()
    if variant is None:
        raise not_found("variant")
    if variant.archived_at is not None:
        raise CatalogError(CatalogErrorCode.ARCHIVED, "The variant is archived.", field="id")
    return variant


async def update_variant(*, variant_id: uuid.UUID, changes: Mapping[str, Any]) -> VariantChange:
    """Change a live variant; `changes` holds only what changes (a None price: the product's)."""
    unknown = set(changes) - VARIANT_FIELDS
    if unknown:
        raise ValueError(f"not variant fields: {sorted(unknown)}")
    variant = await _live_variant(variant_id)
    if changes.get("currencies"):
        await _check_currency(changes["currencies"])
    if "sku" in changes:
        variant.sku = await claim_sku(changes["sku"], owner_id=variant.id)
    if "attributes" in changes:
        variant.attributes = clean_attributes(changes["attributes"] or {})
    if "price" in changes:
        price = changes["price"]
        variant.price = None if price is None else _amount(price, "price")
    if "active" in changes:
        variant.active = bool(changes["active"])
    if "position" in changes:
        variant.position = int(changes["position"])
    fields = sorted(set(changes) - {"currencies"})
    await variant.save(update_fields=[*fields, "updated_at"])
    await _emit(variant.product_id, "updated", variant_id=str(variant.id), fields=fields)
    product = await Product.get(id=variant.product_id)
    return VariantChange(VariantRecord.from_model(variant), ProductRecord.from_model(product))


async def archive_variant(*, variant_id: uuid.UUID, actor: str | None = None) -> VariantChange:
    """Archive a variant; its remaining stock is written off its product's total."""
    # Variant row first, then its product: the order stock changes lock them in.
    variant = await _live_variant(variant_id, lock=True)
    product = await _live_product(variant.product_id, lock=True, field="id")
    written_off = variant.stock
    variant.archived_at = datetime.now(UTC)
    variant.stock = 0
    await variant.save(update_fields=["archived_at", "stock", "updated_at"])
    if written_off:
        async with current_connection() as conn:
            product.stock = await conn.fetchval(
                "UPDATE products SET stock = stock - $2, updated_at = now() WHERE id = $1"
                " RETURNING stock",
                variant.product_id,
                written_off,
            )
        await record_movements(
            [
                Movement(
                    variant.product_id,
                    variant.id,
                    -written_off,
                    0,
                    StockReason.VARIANT_ARCHIVED,
                    actor=actor,
                )
            ]
        )
    await _emit(variant.product_id, "updated", variant_id=str(variant.id), archived=True)
    return VariantChange(VariantRecord.from_model(variant), ProductRecord.from_model(product))
