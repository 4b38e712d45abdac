"""Carts, orders, their lines and status history, in a tenant schema."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class CartStatus(StrEnum):
    ACTIVE = "active"
    CHECKED_OUT = "checked_out"
    ABANDONED = "abandoned"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Cart(Model):
    id = fields.UUIDField(primary_key=True)
    customer_id = fields.UUIDField()
    status = fields.CharEnumField(CartStatus, max_length=16, default=CartStatus.ACTIVE)
    currency = fields.CharField(max_length=3, null=True)
    order_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "carts"


class CartLine(Model):
    id = fields.UUIDField(primary_key=True)
    cart_id = fields.UUIDField()
    product_id = fields.UUIDField()
    variant_id = fields.UUIDField(null=True)
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cart_lines"


class Order(Model):
    id = fields.UUIDField(primary_key=True)
    sequence = fields.BigIntField(unique=True)
    number = fields.CharField(max_length=24, unique=True)
    customer_id = fields.UUIDField()
    cart_id = fields.UUIDField(null=True)
    status = fields.CharEnumField(OrderStatus, max_length=24)
    currency = fields.CharField(max_length=3)
    subtotal = fields.DecimalField(max_digits=14, decimal_places=2)
    total = fields.DecimalField(max_digits=14, decimal_places=2)
    notes = fields.TextField(default="")
    stock_released = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    paid_at = fields.DatetimeField(null=True)
    processing_at = fields.DatetimeField(null=True)
    shipped_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    refunded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "orders"


class OrderLine(Model):
    id = fields.UUIDField(primary_key=True)
    order_id = fields.UUIDField()
    position = fields.IntField()
    product_id = fields.UUIDField(null=True)
    variant_id = fields.UUIDField(null=True)
    sku = fields.CharField(max_length=64)
    name = fields.CharField(max_length=300)
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    quantity = fields.IntField()
    line_total = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "order_lines"


class OrderStatusChange(Model):
    id = fields.BigIntField(primary_key=True)
    order_id = fields.UUIDField()
    from_status = fields.CharField(max_length=24, null=True)
    to_status = fields.CharField(max_length=24)
    note = fields.TextField(default="")
    actor = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "order_status_history"


register_models("tenant", __name__)
