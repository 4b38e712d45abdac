"""The outbound path's rules, without the provider: a reply is a row committed (with our
idempotency key) before anyone calls the provider, and each row is attempted at most once
(a row whose attempt's outcome was lost is settled by `sending`: adopted, sent once more where
the provider can prove it never arrived, or failed UNKNOWN_OUTCOME for a person).

The 24-hour customer-service window: free-form text only within 24 hours of the customer's
last message; outside it only an approved template. A person sending text outside it is
refused; the assistant's text is held for a person instead.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from wabotiq.db.connection import current_connection
from wabotiq.domain.conversations.errors import ConversationError, ConversationErrorCode
from wabotiq.domain.conversations.events import ConversationEventType, conversation_event
from wabotiq.domain.conversations.models import (
    Author,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    MessageStatus,
)

WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What to send: text, or an approved template with its variables."""

    text: str = ""
    template: str | None = None
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> MessageKind:
        return MessageKind.TEMPLATE if self.template else MessageKind.TEXT


def window_open(conversation: Conversation, now: datetime | None = None) -> bool:
    """Whether free-form text may go out: the customer wrote within the last 24 hours."""
    last = conversation.last_inbound_at
    return last is not None and (now or datetime.now(UTC)) - last < WINDOW


def _initial_status(
    conversation: Conversation, outgoing: Outgoing, author: Author
) -> MessageStatus:
    if outgoing.template or window_open(conversation):
        return MessageStatus.PENDING
    if author is Author.HUMAN:
        raise ConversationError(
            ConversationErrorCode.WINDOW_CLOSED,
            "The customer last wrote more than 24 hours ago: only an approved template may be"
            " sent now.",
            field="text",
        )
    return MessageStatus.HELD


async def queue_outbound(
    *,
    conversation: Conversation,
    outgoing: Outgoing,
    author: Author,
    idempotency_key: str,
    sender_user_id: uuid.UUID | None = None,
    templates: frozenset[str] = frozenset(),
) -> Message:
    """Write the outbound row in the caller's transaction (the same key twice: the first row);
    `pending` when it may go out, `held` when the window closed on the assistant's text."""
    if outgoing.template is not None and outgoing.template not in templates:
        raise ConversationError(
            ConversationErrorCode.UNKNOWN_TEMPLATE,
            f"No approved template {outgoing.template!r} on this channel.",
            field="template",
        )
    if outgoing.template is None and not outgoing.text.strip():
        raise ConversationError(ConversationErrorCode.INVALID, "Nothing to send.", field="text")
    status = _initial_status(conversation, outgoing, author)
    extra: dict[str, Any] = (
        {"template": outgoing.template, "variables": outgoing.variables}
        if outgoing.template
        else {}
    )
    async with current_connection() as connection:
        inserted = await connection.fetchval(
            "INSERT INTO messages (id, conversation_id, direction, author, kind, text, extra,"
            " idempotency_key, status, sender_user_id) VALUES ($1, $2, 'outbound', $3, $4, $5,"
            " $6::jsonb, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            uuid.uuid4(),
            conversation.id,
            author.value,
            outgoing.kind.value,
            outgoing.text,
            json.dumps(extra),
            idempotency_key,
            status.value,
            sender_user_id,
        )
    if inserted is not None:
        await Conversation.filter(id=conversation.id).update(last_message_at=datetime.now(UTC))
        await conversation_event(
            conversation_id=conversation.id,
            event_type=ConversationEventType.MESSAGE_QUEUED,
            message_id=inserted,
        )
    return await Message.get(idempotency_key=idempotency_key)


async def undelivered(*, conversation_id: uuid.UUID) -> list[uuid.UUID]:
    """The conversation's outbound rows never attempted, oldest first."""
    rows = (
        await Message.filter(
            conversation_id=conversation_id, direction="outbound", status=MessageStatus.PENDING
        )
        .order_by("seq")
        .values_list("id", flat=True)
    )
    return [uuid.UUID(str(row)) for row in rows]


async def claim_delivery(*, message_id: uuid.UUID) -> Message | None:
    """Mark a pending row `sending`, once: the caller that gets it back makes the one provider
    call; everyone else (a retried task, a concurrent worker) gets None."""
    async with current_connection() as connection:
        claimed = await connection.fetchval(
            "UPDATE messages SET status = 'sending', attempted_at = now(), updated_at = now()"
            " WHERE id = $1 AND status = 'pending' RETURNING id",
            message_id,
        )
    return await Message.get(id=claimed) if claimed is not None else None


async def record_accepted(*, message_id: uuid.UUID, provider_message_id: str) -> None:
    """The provider took the message under its id (status callbacks name that id)."""
    async with current_connection() as connection:
        conversation_id = await connection.fetchval(
            "UPDATE messages SET provider_message_id = $2, updated_at = now(),"
            " status = CASE WHEN status = 'sending' THEN 'accepted' ELSE status END"
            " WHERE id = $1 RETURNING conversation_id",
            message_id,
            provider_message_id,
        )
    await _delivery_updated(conversation_id, message_id, MessageStatus.ACCEPTED)


async def _delivery_updated(
    conversation_id: uuid.UUID | None, message_id: uuid.UUID, status: MessageStatus
) -> None:
    if conversation_id is not None:
        await conversation_event(
            conversation_id=conversation_id,
            event_type=ConversationEventType.DELIVERY_UPDATED,
            message_id=message_id,
            detail=status.value,
        )


async def record_failed(*, message_id: uuid.UUID, error_code: str) -> None:
    """The provider refused the message; its code is kept (e.g. 63016, 131047: window)."""
    await Message.filter(id=message_id).update(
        status=MessageStatus.FAILED, error_code=error_code[:32], updated_at=datetime.now(UTC)
    )
    message = await Message.get_or_none(id=message_id)
    if message is not None:
        await _delivery_updated(message.conversation_id, message_id, MessageStatus.FAILED)


async def conversation_for_reply(*, conversation_id: uuid.UUID) -> Conversation:
    """The conversation a reply goes to (NOT_FOUND when there is none)."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        raise ConversationError(ConversationErrorCode.NOT_FOUND, "No such conversation.")
    if conversation.status is ConversationStatus.RESOLVED:
        raise ConversationError(ConversationErrorCode.RESOLVED, "The conversation is resolved.")
    return conversation


async def release_claim(*, message_id: uuid.UUID) -> None:
    """Nothing went out (no connection to the provider): the row may be attempted again."""
    await Message.filter(id=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.PENDING, attempted_at=None, updated_at=datetime.now(UTC)
    )
