"""Catalog tables of a tenant schema."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class ProductSource(StrEnum):
    MANUAL = "manual"
    WOOCOMMERCE = "woocommerce"
    SHOPIFY = "shopify"


class Category(Model):
    id = fields.UUIDField(primary_key=True)
    parent_id = fields.UUIDField(null=True)
    name = fields.CharField(max_length=120)
    slug = fields.CharField(max_length=140, unique=True)
    position = fields.IntField(default=0)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "categories"


class Product(Model):
    id = fields.UUIDField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    category_id = fields.UUIDField(null=True)
    price = fields.DecimalField(max_digits=14, decimal_places=2)
    sale_price = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    stock = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    attributes: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    image_urls: fields.JSONField[list[str]] = fields.JSONField(default=list)
    source = fields.CharEnumField(ProductSource, max_length=16, default=ProductSource.MANUAL)
    external_id = fields.CharField(max_length=128, null=True)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "products"


class Variant(Model):
    id = fields.UUIDField(primary_key=True)
    product_id = fields.UUIDField()
    sku = fields.CharField(max_length=64, unique=True)
    attributes: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    price = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    stock = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "variants"


class StockMovement(Model):
    id = fields.BigIntField(primary_key=True)
    product_id = fields.UUIDField()
    variant_id = fields.UUIDField(null=True)
    delta = fields.IntField()
    stock_after = fields.IntField()
    reason = fields.CharField(max_length=32)
    note = fields.TextField(default="")
    reference = fields.CharField(max_length=64, null=True)
    actor = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stock_movements"


register_models("tenant", __name__)
