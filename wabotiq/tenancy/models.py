"""The tenant registry in `public`."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Tenant(Model):
    id = fields.CharField(primary_key=True, max_length=12)
    slug = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=200)
    status = fields.CharEnumField(TenantStatus, max_length=16, default=TenantStatus.ACTIVE)
    timezone = fields.CharField(max_length=64, default="Africa/Nairobi")
    currency = fields.CharField(max_length=3, default="KES")
    languages: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tenants"
        schema = "public"

    @property
    def schema_name(self) -> str:
        return f"t_{self.id}"


register_models("public", __name__)
