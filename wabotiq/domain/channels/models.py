"""WhatsApp channels of a tenant (the route from a channel id to its tenant: `routes.py`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class ChannelProvider(StrEnum):
    TWILIO = "twilio"
    CLOUD = "cloud"


class ChannelStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class Channel(Model):
    """One WhatsApp number of the tenant. `config` holds what may be shown (account SID,
    sender, phone number id); `secrets_encrypted` the tokens, encrypted as one JSON object."""

    id = fields.UUIDField(primary_key=True)
    provider = fields.CharEnumField(ChannelProvider, max_length=16)
    name = fields.CharField(max_length=100, default="")
    status = fields.CharEnumField(ChannelStatus, max_length=16, default=ChannelStatus.ACTIVE)
    config: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    secrets_encrypted = fields.TextField()
    templates: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "channels"


register_models("tenant", __name__)
