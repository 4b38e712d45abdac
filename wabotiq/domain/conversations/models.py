"""Conversations with customers on a WhatsApp channel, and their messages both ways."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class ConversationStatus(StrEnum):
    BOT = "bot"  # the assistant answers
    HUMAN = "human"  # a person answers; the assistant stays silent
    RESOLVED = "resolved"  # closed; the customer's next message opens a new one


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Author(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    HUMAN = "human"


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    LOCATION = "location"
    TEMPLATE = "template"
    OTHER = "other"


class MessageStatus(StrEnum):
    RECEIVED = "received"  # inbound
    PENDING = "pending"  # outbound, committed, not attempted yet
    HELD = "held"  # outbound, outside the 24-hour window: waits for a person
    SENDING = "sending"  # outbound, the one attempt is under way (or its outcome is unknown)
    ACCEPTED = "accepted"  # the provider took it
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Conversation(Model):
    id = fields.UUIDField(primary_key=True)
    channel_id = fields.UUIDField()
    customer_id = fields.UUIDField()
    status = fields.CharEnumField(ConversationStatus, max_length=16, default=ConversationStatus.BOT)
    assignee_id = fields.UUIDField(null=True)
    language = fields.CharField(max_length=8, null=True)
    last_inbound_at = fields.DatetimeField(null=True)
    last_message_at = fields.DatetimeField(auto_now_add=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "conversations"


class Message(Model):
    id = fields.UUIDField(primary_key=True)
    seq = fields.BigIntField(generated=True)
    conversation_id = fields.UUIDField()
    direction = fields.CharEnumField(Direction, max_length=8)
    author = fields.CharEnumField(Author, max_length=8)
    kind = fields.CharEnumField(MessageKind, max_length=16)
    text = fields.TextField(default="")
    media_url = fields.TextField(null=True)
    media_type = fields.CharField(max_length=128, null=True)
    extra: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    provider_message_id = fields.CharField(max_length=128, null=True)
    idempotency_key = fields.CharField(max_length=128, null=True)
    status = fields.CharEnumField(MessageStatus, max_length=16)
    error_code = fields.CharField(max_length=32, null=True)
    sender_user_id = fields.UUIDField(null=True)
    payload: fields.JSONField[dict[str, Any]] | None = fields.JSONField(
        null=True, source_field="raw"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    attempted_at = fields.DatetimeField(null=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "messages"


register_models("tenant", __name__)
