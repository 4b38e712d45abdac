"""The public route from a channel id to its tenant (`public.channel_routes`)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class ChannelRoute(Model):
    """Public: a webhook names its channel, never its tenant."""

    channel_id = fields.UUIDField(primary_key=True)
    tenant_id = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "channel_routes"
        schema = "public"


register_models("public", __name__)
