"""The audit log, one per tenant schema."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField(auto_now_add=True)
    actor_type = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=64, null=True)
    actor_label = fields.CharField(max_length=320, default="")
    operation = fields.CharField(max_length=100)
    target_ids: fields.JSONField[list[str]] = fields.JSONField(default=list)
    outcome = fields.CharField(max_length=16)
    request_id = fields.CharField(max_length=64, default="")
    details: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_log"


register_models("tenant", __name__)
