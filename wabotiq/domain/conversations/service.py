"""Conversations: record what customers send, open one conversation per customer and channel,
follow delivery statuses, and hand a conversation between the assistant and people."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from wabotiq.core.crypto import FieldCipher
from wabotiq.db.connection import current_connection
from wabotiq.domain.conversations.errors import ConversationError, ConversationErrorCode
from wabotiq.domain.conversations.events import ConversationEventType, conversation_event
from wabotiq.domain.conversations.inbound import Echo, InboundMessage, StatusUpdate
from wabotiq.domain.conversations.models import Conversation, ConversationStatus, MessageStatus
from wabotiq.domain.customers.service import get_or_create_customer_by_phone

# How far each status has come: a late, lesser status never overwrites a further one (Meta
# and Twilio deliver `delivered` after `read` now and then). A failure is final.
STATUS_RANK: dict[MessageStatus, int] = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.PENDING: 0,
    MessageStatus.HELD: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.ACCEPTED: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.READ: 5,
    MessageStatus.FAILED: 6,
}
# The same ranks in SQL: a status's position in this array (absent: 0).
_RANKED = ",".join(
    f"'{s.value}'" for s, rank in sorted(STATUS_RANK.items(), key=lambda i: i[1]) if rank
)
_RANK_SQL = f"array_position(ARRAY[{_RANKED}], {{}})"


@dataclass(frozen=True, slots=True)
class Recorded:
    """Where an inbound message went; `new` is False for a redelivery already stored."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    new: bool


async def open_conversation(
    *, channel_id: uuid.UUID, customer_id: uuid.UUID, inbound_at: datetime | None
) -> uuid.UUID:
    """The customer's open conversation on this channel, opened when there is none: one
    statement on a unique partial index, so a burst of first messages opens one."""
    async with current_connection() as connection:
        conversation_id: uuid.UUID = await connection.fetchval(
            "INSERT INTO conversations (id, channel_id, customer_id, status, last_inbound_at)"
            " VALUES ($1, $2, $3, 'bot', $4)"
            " ON CONFLICT (customer_id, channel_id) WHERE status <> 'resolved' DO UPDATE SET"
            " last_inbound_at = greatest(conversations.last_inbound_at, excluded.last_inbound_at),"
            " last_message_at = now(), updated_at = now() RETURNING id",
            uuid.uuid4(),
            channel_id,
            customer_id,
            inbound_at,
        )
    return conversation_id


def _inbound_time(message: InboundMessage, now: datetime) -> datetime:
    """When the customer wrote: the provider's time when given (a delivery retried for hours
    must not reopen the 24-hour window), never later than now."""
    return min(message.sent_at, now) if message.sent_at is not None else now


async def record_inbound(
    *, cipher: FieldCipher, channel_id: uuid.UUID, message: InboundMessage
) -> Recorded:
    """Store a customer's message once (by provider id) in their open conversation."""
    customer_id = await get_or_create_customer_by_phone(
        cipher=cipher, phone=message.phone, name=message.profile_name
    )
    inbound_at = _inbound_time(message, datetime.now(UTC))
    conversation_id = await open_conversation(
        channel_id=channel_id, customer_id=customer_id, inbound_at=inbound_at
    )
    async with current_connection() as connection:
        message_id = await connection.fetchval(
            "INSERT INTO messages (id, conversation_id, direction, author, kind, text, media_url,"
            " media_type, extra, provider_message_id, status, raw)"
            " VALUES ($1, $2, 'inbound', 'customer', $3, $4, $5, $6, $7::jsonb, $8, 'received',"
            " $9::jsonb) ON CONFLICT (provider_message_id) WHERE provider_message_id IS NOT NULL"
            " DO NOTHING RETURNING id",
            uuid.uuid4(),
            conversation_id,
            message.kind.value,
            message.text,
            message.media_url,
            message.media_type,
            json.dumps(message.extra),
            message.provider_message_id,
            json.dumps(message.raw),
        )
    if message_id is not None:
        await conversation_event(
            conversation_id=conversation_id,
            event_type=ConversationEventType.MESSAGE_RECEIVED,
            message_id=message_id,
        )
    return Recorded(
        conversation_id=conversation_id, message_id=message_id, new=message_id is not None
    )


async def has_unprocessed(*, conversation_id: uuid.UUID) -> bool:
    """Whether customer messages of the conversation still wait for their turn."""
    async with current_connection() as connection:
        found: bool = await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1"
            " AND direction = 'inbound' AND processed_at IS NULL)",
            conversation_id,
        )
    return found


async def record_echo(*, cipher: FieldCipher, channel_id: uuid.UUID, echo: Echo) -> uuid.UUID:
    """A person answered from the business's own WhatsApp app: store it (once) and take the
    conversation from the assistant at once."""
    customer_id = await get_or_create_customer_by_phone(cipher=cipher, phone=echo.phone)
    conversation_id = await open_conversation(
        channel_id=channel_id, customer_id=customer_id, inbound_at=None
    )
    async with current_connection() as connection:
        message_id = await connection.fetchval(
            "INSERT INTO messages (id, conversation_id, direction, author, kind, text,"
            " provider_message_id, status, raw) VALUES ($1, $2, 'outbound', 'human', $3, $4, $5,"
            " 'sent', $6::jsonb) ON CONFLICT (provider_message_id)"
            " WHERE provider_message_id IS NOT NULL DO NOTHING RETURNING id",
            uuid.uuid4(),
            conversation_id,
            echo.kind.value,
            echo.text,
            echo.provider_message_id,
            json.dumps(echo.raw),
        )
    if message_id is not None:
        await conversation_event(
            conversation_id=conversation_id,
            event_type=ConversationEventType.MESSAGE_QUEUED,
            message_id=message_id,
        )
    await take_over(conversation_id=conversation_id)
    return conversation_id


async def apply_status(*, update: StatusUpdate) -> bool:
    """Move one outbound message to a further status (never back); a failure keeps the
    provider's error code. False when the message is unknown or already further."""
    rank = STATUS_RANK[update.status]
    async with current_connection() as connection:
        row = await connection.fetchrow(
            "UPDATE messages SET status = $2, error_code = coalesce($3, error_code),"
            f" updated_at = now() WHERE provider_message_id = $1 AND direction = 'outbound'"
            f" AND coalesce({_RANK_SQL.format('status::text')}, 0) < $4"
            " RETURNING id, conversation_id",
            update.provider_message_id,
            update.status.value,
            update.error_code,
            rank,
        )
    if row is None:
        return False
    await conversation_event(
        conversation_id=row["conversation_id"],
        event_type=ConversationEventType.DELIVERY_UPDATED,
        message_id=row["id"],
        detail=update.status.value,
    )
    return True


async def get_conversation(*, conversation_id: uuid.UUID, field: str = "id") -> Conversation:
    """The conversation, or NOT_FOUND."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        raise ConversationError(
            ConversationErrorCode.NOT_FOUND, "No such conversation.", field=field
        )
    return conversation


async def take_over(*, conversation_id: uuid.UUID, assignee_id: uuid.UUID | None = None) -> None:
    """A person answers from now on; the assistant stays silent until released."""
    changed = await (
        Conversation.filter(id=conversation_id)
        .exclude(status__in=[ConversationStatus.RESOLVED, ConversationStatus.HUMAN])
        .update(status=ConversationStatus.HUMAN, updated_at=datetime.now(UTC))
    )
    if assignee_id is not None:
        await Conversation.filter(id=conversation_id).update(assignee_id=assignee_id)
    if changed or assignee_id is not None:
        await _status_changed(conversation_id, ConversationStatus.HUMAN)


async def _status_changed(conversation_id: uuid.UUID, status: ConversationStatus) -> None:
    await conversation_event(
        conversation_id=conversation_id,
        event_type=ConversationEventType.STATUS_CHANGED,
        detail=status.value,
    )


async def release_to_bot(*, conversation_id: uuid.UUID) -> Conversation:
    """The assistant answers the customer's next message again."""
    conversation = await get_conversation(conversation_id=conversation_id)
    if conversation.status is ConversationStatus.RESOLVED:
        raise ConversationError(ConversationErrorCode.RESOLVED, "The conversation is resolved.")
    conversation.status = ConversationStatus.BOT
    await conversation.save(update_fields=["status", "updated_at"])
    await _status_changed(conversation.id, conversation.status)
    return conversation


async def resolve_conversation(*, conversation_id: uuid.UUID) -> Conversation:
    """Close the conversation; the customer's next message opens a new one."""
    conversation = await get_conversation(conversation_id=conversation_id)
    conversation.status = ConversationStatus.RESOLVED
    await conversation.save(update_fields=["status", "updated_at"])
    await _status_changed(conversation.id, conversation.status)
    return conversation
