"""Users, memberships, roles, API keys and refresh tokens: all in `public`."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class MembershipStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"


class User(Model):
    id = fields.UUIDField(primary_key=True)
    email = fields.CharField(max_length=320, unique=True)
    name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=255, null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"
        schema = "public"


class Role(Model):
    id = fields.UUIDField(primary_key=True)
    tenant_id = fields.CharField(max_length=12)
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    is_system = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "roles"
        schema = "public"


class Membership(Model):
    id = fields.UUIDField(primary_key=True)
    tenant_id = fields.CharField(max_length=12)
    user_id = fields.UUIDField()
    role_id = fields.UUIDField()
    status = fields.CharEnumField(MembershipStatus, max_length=16)
    invitation_hash = fields.CharField(max_length=64, null=True)
    invitation_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        schema = "public"


class ApiKey(Model):
    id = fields.UUIDField(primary_key=True)
    tenant_id = fields.CharField(max_length=12)
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16, unique=True)
    secret_hash = fields.CharField(max_length=64)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_by = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"
        schema = "public"


class RefreshToken(Model):
    id = fields.UUIDField(primary_key=True)
    user_id = fields.UUIDField()
    family_id = fields.UUIDField()
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_tokens"
        schema = "public"


register_models("public", __name__)
