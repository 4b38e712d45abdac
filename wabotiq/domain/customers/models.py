"""Customers of a tenant; the phone number is stored encrypted with a keyed lookup hash."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class Customer(Model):
    id = fields.UUIDField(primary_key=True)
    phone_encrypted = fields.TextField()
    phone_hash = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200, default="")
    preferred_language = fields.CharField(max_length=8, default="en")
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    notes = fields.TextField(default="")
    opted_out_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "customers"


register_models("tenant", __name__)
