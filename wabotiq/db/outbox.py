"""The outbox table of each tenant schema, and writing domain events into it inside the
caller's transaction (the dispatcher in `wabotiq.events` publishes them once committed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.core.tenant import TenantRef
from wabotiq.db.connection import current_connection
from wabotiq.db.registry import register_models


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    aggregate_type = fields.CharField(max_length=32)
    aggregate_id = fields.CharField(max_length=64)
    event_type = fields.CharField(max_length=64)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    dispatched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"


@dataclass(frozen=True, slots=True)
class Event:
    """A published event: what the bus carries and subscribers receive."""

    id: int
    tenant_id: str
    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: dict[str, Any]
    occurred_at: str

    def as_message(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tenant_id": self.tenant_id,
            "aggregate_type": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "event_type": self.event_type,
            "payload": self.payload,
            "occurred_at": self.occurred_at,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Event:
        return cls(**message)


async def emit(
    *, aggregate_type: str, aggregate_id: str, event_type: str, payload: dict[str, Any]
) -> OutboxEvent:
    """Record an event; it is published only if the surrounding transaction commits."""
    return await OutboxEvent.create(
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        event_type=event_type,
        payload=payload,
    )


async def emit_to(
    *,
    tenant_id: str,
    aggregate_type: str,
    aggregate_id: str,
    event_type: str,
    payload: dict[str, Any],
) -> None:
    """Record an event in a named tenant's outbox, whatever schema the caller is routed to.

    For changes kept in `public` that concern one tenant (who may access it): their callers
    may run outside the tenant (the CLI) or inside a transaction opened before any tenant was
    set, where routing can no longer change. Joins the caller's transaction when one is open."""
    async with current_connection() as connection:
        await connection.execute(
            f"INSERT INTO {TenantRef.of(tenant_id).schema}.outbox"
            " (aggregate_type, aggregate_id, event_type, payload) VALUES ($1, $2, $3, $4::jsonb)",
            aggregate_type,
            aggregate_id,
            event_type,
            json.dumps(payload),
        )


def channel(tenant_id: str, aggregate_type: str) -> str:
    """The bus channel of one tenant's events of one kind; subscribers never choose the tenant."""
    return f"wabotiq:{tenant_id}:{aggregate_type}"


register_models("tenant", __name__)
