"""Conversation events into the outbox (same transaction as the change): new messages both
ways, delivery updates and status changes, for the support dashboards' live view."""

from __future__ import annotations

import uuid
from enum import StrEnum

from wabotiq.db.outbox import emit

AGGREGATE = "conversation"


class ConversationEventType(StrEnum):
    MESSAGE_RECEIVED = "message_received"
    MESSAGE_QUEUED = "message_queued"
    DELIVERY_UPDATED = "delivery_updated"
    STATUS_CHANGED = "status_changed"


async def conversation_event(
    *,
    conversation_id: uuid.UUID,
    event_type: ConversationEventType,
    message_id: uuid.UUID | None = None,
    detail: str | None = None,
) -> None:
    """Record that something happened in a conversation (published once committed)."""
    payload: dict[str, str] = {"event": event_type.value}
    if message_id is not None:
        payload["message_id"] = str(message_id)
    if detail is not None:
        payload["detail"] = detail
    await emit(
        aggregate_type=AGGREGATE,
        aggregate_id=str(conversation_id),
        event_type=event_type.value,
        payload=payload,
    )
