"""Dead letters: one table in each tenant's schema, one in `public` for platform tasks."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class DeadLetterBase(Model):
    """A task that failed its last attempt: what it was asked (ids only, as tasks take), how it
    failed, when, and whether someone ran it again."""

    id = fields.BigIntField(primary_key=True)
    task_name = fields.TextField()
    task_id = fields.CharField(max_length=255, unique=True)
    args: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    kwargs: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    labels: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    error_type = fields.TextField()
    error_message = fields.TextField(default="")
    traceback = fields.TextField(default="")
    attempts = fields.IntField()
    first_failed_at = fields.DatetimeField()
    last_failed_at = fields.DatetimeField()
    tenant_id = fields.CharField(max_length=12, null=True)
    request_id = fields.TextField(null=True)
    retried_at = fields.DatetimeField(null=True)
    retry_task_id = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True


class DeadLetter(DeadLetterBase):
    """A tenant's dead letter, in its own schema (the tenant sees these)."""

    class Meta:
        app = "tenant"
        table = "dead_letters"


class PlatformDeadLetter(DeadLetterBase):
    """A dead letter of a task that carries no tenant."""

    class Meta:
        app = "public"
        table = "dead_letters"
        schema = "public"


# Each model names its app, so the one module serves both scopes.
register_models("tenant", __name__)
register_models("public", __name__)
