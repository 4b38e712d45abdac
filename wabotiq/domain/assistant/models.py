"""The assistant's settings (one row per tenant) and its interaction records (one per turn)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class AssistantSettings(Model):
    """How the shop's assistant works for this tenant. `llm_chain` empty means the platform's
    default chain (LLM_CHAIN); `payment_instructions` is what a customer is told at checkout
    until a payment provider is connected (e.g. "Lipa na M-Pesa: Till 123456")."""

    id = fields.SmallIntField(primary_key=True, default=1)
    llm_chain: fields.JSONField[list[str]] = fields.JSONField(default=list)
    payment_instructions = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assistant_settings"


class Interaction(Model):
    """One turn the assistant answered: what it understood, what it did, what it showed and
    what it cost. The last list shown and the run of turns it could not understand are read
    back from here, so the assistant's memory is the record of what it did."""

    id = fields.BigIntField(primary_key=True)
    conversation_id = fields.UUIDField()
    message_id = fields.UUIDField(null=True)  # the turn's last customer message
    intent = fields.CharField(max_length=32)
    understood = fields.BooleanField(default=True)
    language = fields.CharField(max_length=8)
    tier = fields.CharField(max_length=16)  # llm | offline
    provider = fields.CharField(max_length=32)
    model = fields.CharField(max_length=128, default="")
    tokens_in = fields.IntField(default=0)
    tokens_out = fields.IntField(default=0)
    cost_usd = fields.DecimalField(max_digits=12, decimal_places=6, null=True)
    latency_ms = fields.FloatField(default=0)
    tools: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    hops: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    shown: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    handoff = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agent_interactions"


register_models("tenant", __name__)
