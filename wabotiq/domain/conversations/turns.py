"""A conversation's turns: the customer's unprocessed messages, oldest first, taken together
under a per-conversation lock and marked processed in the transaction that queues the reply."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from wabotiq.db.connection import current_connection
from wabotiq.domain.conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
)

HISTORY_MESSAGES = 20


async def lock_conversation(*, conversation_id: uuid.UUID) -> None:
    """Hold the conversation's turn lock until the caller's transaction ends. A transaction
    lock dies with its connection, so a crashed worker never leaves it held; a second drain
    waits here and then finds what the first left (usually nothing)."""
    async with current_connection() as connection:
        await connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            f"conversation-turn:{conversation_id}",
        )


async def pending_inbound(*, conversation_id: uuid.UUID) -> list[Message]:
    """The customer's messages not yet answered, in arrival order."""
    rows = await Message.filter(
        conversation_id=conversation_id, direction=Direction.INBOUND, processed_at__isnull=True
    ).order_by("seq")
    return list(rows)


async def recent_history(*, conversation_id: uuid.UUID, before_seq: int) -> list[Message]:
    """The last messages (both ways) before a turn, oldest first."""
    rows = (
        await Message.filter(conversation_id=conversation_id, seq__lt=before_seq)
        .order_by("-seq")
        .limit(HISTORY_MESSAGES)
    )
    return list(reversed(rows))


async def mark_processed(*, message_ids: list[uuid.UUID]) -> None:
    """These customer messages had their turn (answered, or seen while a person answers)."""
    await Message.filter(id__in=message_ids).update(processed_at=datetime.now(UTC))


async def set_language(*, conversation_id: uuid.UUID, language: str) -> None:
    """The language the conversation goes on in."""
    await Conversation.filter(id=conversation_id).update(language=language[:8])


async def status_for_reply(*, conversation_id: uuid.UUID) -> ConversationStatus:
    """The conversation's status now, its row locked until the caller's transaction ends: a
    person who took the conversation while the assistant was thinking is seen here (and one
    taking it from now on waits for this turn to commit), so the assistant never answers over
    a person."""
    async with current_connection() as connection:
        status: str = await connection.fetchval(
            "SELECT status FROM conversations WHERE id = $1 FOR UPDATE", conversation_id
        )
    return ConversationStatus(status)
