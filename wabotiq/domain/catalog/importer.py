"""Import a catalog file (the format of `wabotiq/data/demo_catalog.json`), idempotently:
products and variants by SKU, categories by name (and, at the tenant-level entry, its bookable
services, staff and business hours: `wabotiq.domain.bookings.importer`); a second run changes
nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, cast

from tortoise.transactions import in_transaction

from wabotiq.core.errors import DomainError
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.bookings.importer import BookingsImportReport, import_bookings
from wabotiq.domain.catalog.categories import create_category, find_category_by_name
from wabotiq.domain.catalog.errors import CatalogError, CatalogErrorCode
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.catalog.service import (
    ProductSpec,
    VariantSpec,
    clean_attributes,
    clean_list,
    create_product,
    create_variant,
    update_product,
    update_variant,
)
from wabotiq.domain.catalog.stock import StockReason, adjust_stock
from wabotiq.tenancy.service import find_tenant, tenant_ref

IMPORT_ACTOR = "import"


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_archived: int = 0
    categories_created: int = 0
    bookings: BookingsImportReport = field(default_factory=BookingsImportReport)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_archived": self.skipped_archived,
            "categories_created": self.categories_created,
            "bookings": self.bookings.as_dict(),
        }


def load_demo_catalog() -> dict[str, Any]:
    """The demo catalog shipped with the package."""
    text = (resources.files("wabotiq") / "data" / "demo_catalog.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def _bad(index: int, message: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.INVALID, f"products[{index}]: {message}", field="file")


def _money(value: Any, index: int) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _bad(index, f"{value!r} is not an amount") from exc


def _variant_spec(item: Mapping[str, Any], index: int) -> VariantSpec:
    if not item.get("sku"):
        raise _bad(index, "a variant needs a sku")
    return VariantSpec(
        sku=str(item["sku"]),
        attributes=dict(item.get("attributes") or {}),
        price=_money(item.get("price"), index),
        stock=int(item.get("stock") or 0),
    )


def _product_spec(item: Mapping[str, Any], index: int, category_id: Any) -> ProductSpec:
    if not item.get("sku") or not item.get("name") or item.get("price") is None:
        raise _bad(index, "sku, name and price are required")
    variants = [_variant_spec(v, index) for v in item.get("variants") or []]
    return ProductSpec(
        sku=str(item["sku"]),
        name=str(item["name"]),
        price=_money(item["price"], index) or Decimal(0),
        currencies=(str(item["currency"]),) if item.get("currency") else (),
        description=str(item.get("description") or ""),
        category_id=category_id,
        sale_price=_money(item.get("sale_price"), index),
        stock=0 if variants else int(item.get("stock") or 0),
        active=bool(item.get("active", True)),
        attributes=dict(item.get("attributes") or {}),
        tags=list(item.get("tags") or []),
        image_urls=list(item.get("image_urls") or []),
        variants=variants,
    )


class _Importer:
    def __init__(self) -> None:
        self.report = ImportReport()
        self.categories: dict[str, Any] = {}

    async def category_id(self, name: str | None) -> Any:
        if not name or not name.strip():
            return None
        key = name.strip().lower()
        if key not in self.categories:
            found = await find_category_by_name(name=name)
            if found is None:
                found = await create_category(name=name)
                self.report.categories_created += 1
            self.categories[key] = found.id
        return self.categories[key]

    async def product(self, item: Mapping[str, Any], index: int) -> None:
        spec = _product_spec(item, index, await self.category_id(item.get("category")))
        existing = await Product.get_or_none(sku=spec.sku.strip())
        if existing is None:
            await create_product(spec=spec, actor=IMPORT_ACTOR)
            self.report.created += 1
        elif existing.archived_at is not None:
            self.report.skipped_archived += 1
        elif await self._update(existing, spec):
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    async def _update(self, product: Product, spec: ProductSpec) -> bool:
        wanted = {
            "name": spec.name.strip(),
            "description": spec.description.strip(),
            "category_id": spec.category_id,
            "price": spec.price,
            "sale_price": spec.sale_price,
            "active": spec.active,
            "attributes": clean_attributes(spec.attributes),
            "tags": clean_list(spec.tags, "tags"),
            "image_urls": clean_list(spec.image_urls, "imageUrls"),
        }
        changes = {k: v for k, v in wanted.items() if getattr(product, k) != v}
        if changes:
            await update_product(product_id=product.id, changes=changes)
        changed = bool(changes)
        if not spec.variants:
            return await self._set_stock(product.id, None, product.stock, spec.stock) or changed
        for variant in spec.variants:
            changed = await self._variant(product, variant) or changed
        return changed

    async def _variant(self, product: Product, spec: VariantSpec) -> bool:
        variant = await Variant.get_or_none(sku=spec.sku.strip())
        if variant is None:
            live = await Variant.filter(product_id=product.id, archived_at__isnull=True).exists()
            if not live:  # its first variant: the product's own stock moves onto the variants
                await self._set_stock(product.id, None, product.stock, 0)
            await create_variant(product_id=product.id, spec=spec, actor=IMPORT_ACTOR)
            return True
        if variant.product_id != product.id:
            raise CatalogError(
                CatalogErrorCode.SKU_TAKEN,
                f"SKU {spec.sku} is a variant of another product.",
                field="file",
            )
        if variant.archived_at is not None:
            return False
        wanted = {"attributes": clean_attributes(spec.attributes), "price": spec.price}
        changes = {k: v for k, v in wanted.items() if getattr(variant, k) != v}
        if changes:
            await update_variant(variant_id=variant.id, changes=changes)
        moved = await self._set_stock(product.id, variant.id, variant.stock, spec.stock)
        return bool(changes) or moved

    async def _set_stock(self, product_id: Any, variant_id: Any, current: int, target: int) -> bool:
        if current == target:
            return False
        await adjust_stock(
            product_id=product_id,
            variant_id=variant_id,
            delta=target - current,
            reason=StockReason.IMPORT,
            note="catalog import",
            actor=IMPORT_ACTOR,
        )
        return True


async def import_catalog(*, data: Mapping[str, Any]) -> ImportReport:
    """Create or update every product of a catalog file in the current tenant."""
    products = data.get("products")
    if not isinstance(products, list):
        raise CatalogError(CatalogErrorCode.INVALID, "No `products` list.", field="file")
    importer = _Importer()
    for index, item in enumerate(products):
        if not isinstance(item, Mapping):
            raise _bad(index, "not an object")
        await importer.product(item, index)
    return importer.report


async def import_into_tenant(*, tenant: TenantRef, data: Mapping[str, Any]) -> ImportReport:
    """An entry point (CLI, demo seeding): import products, then bookable services, staff and
    business hours, into `tenant` in one transaction of its own."""
    with tenant_context(tenant):
        async with in_transaction():
            report = await import_catalog(data=data)
            report.bookings = await import_bookings(data=data)
            return report


async def import_file(
    *, tenant: str, path: str
) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """`wabotiq catalog import`: (report, None) on success, else (None, error)."""
    found = await find_tenant(tenant)
    if found is None:
        return None, {"error": "NOT_FOUND", "message": f"No tenant {tenant!r}."}
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return None, {"error": "INVALID", "message": f"Cannot read {path}: {exc}"}
    if not isinstance(data, Mapping):
        return None, {"error": "INVALID", "message": "The file holds no catalog object."}
    try:
        report = await import_into_tenant(tenant=tenant_ref(found), data=data)
    except DomainError as exc:  # the catalog's or the bookings' refusal of the file
        return None, {"error": exc.code.value, "message": exc.message}
    return report.as_dict(), None
