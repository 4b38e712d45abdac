"""Outbound rows whose one attempt began but whose outcome never came back: the worker died
between claiming the row (`sending`, committed) and hearing the provider's answer. Left alone
such a row is lost forever; sent again blindly it may reach the customer twice. The rules:

- a row is stale once it has been `sending`, with no provider id, for longer than
  OUTBOUND_SENDING_STALE_S (longer than any provider call may take);
- it adopts the provider's message (id and status) when the provider can show it has it;
- otherwise it may be sent once more, and only once: `resent_at` in `extra` is committed
  before that call, so a second sweep never sends it again;
- when neither is possible it fails with UNKNOWN_OUTCOME, for a person to see and decide.

Every change is conditional on the row still being stale and unsettled, so two sweeps (or a
slow original worker) racing on one row settle it once. No transaction of its own.
"""

from __future__ import annotations

import uuid

from wabotiq.db.connection import current_connection
from wabotiq.domain.conversations.events import ConversationEventType, conversation_event
from wabotiq.domain.conversations.models import Message, MessageStatus

UNKNOWN_OUTCOME = "UNKNOWN_OUTCOME"
RESENT_AT = "resent_at"  # key in `extra`: the one extra attempt began then


def _stale(seconds: str) -> str:
    """The SQL condition of a stale row; `seconds` names the statement's parameter."""
    return (
        "direction = 'outbound' AND status = 'sending' AND provider_message_id IS NULL"
        f" AND attempted_at < now() - make_interval(secs => {seconds})"
    )


async def any_stale(*, stale_s: float) -> bool:
    """Whether the tenant has a stale row (an index probe: `messages_sending`)."""
    async with current_connection() as connection:
        found: bool = await connection.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM messages WHERE {_stale('$1')})",
            float(stale_s),
        )
    return found


async def stale_sending(*, stale_s: float, limit: int = 100) -> list[Message]:
    """The stale rows, oldest first."""
    async with current_connection() as connection:
        ids = await connection.fetch(
            f"SELECT id FROM messages WHERE {_stale('$1')} ORDER BY seq LIMIT $2",
            float(stale_s),
            limit,
        )
    rows = await Message.filter(id__in=[row["id"] for row in ids]).order_by("seq")
    return list(rows)


def was_resent(message: Message) -> bool:
    """Whether the one extra attempt has already begun."""
    return RESENT_AT in (message.extra or {})


async def taken_provider_ids(*, provider_message_ids: list[str]) -> set[str]:
    """Which of these provider ids already belong to a row (each may be adopted once)."""
    if not provider_message_ids:
        return set()
    rows = await Message.filter(provider_message_id__in=provider_message_ids).values_list(
        "provider_message_id", flat=True
    )
    return {str(row) for row in rows}


async def adopt(
    *,
    message_id: uuid.UUID,
    provider_message_id: str,
    status: MessageStatus,
    error_code: str | None = None,
) -> bool:
    """The provider has the message: the row takes its id and status (later status callbacks
    name that id). False when the row was settled meanwhile."""
    async with current_connection() as connection:
        conversation_id = await connection.fetchval(
            "UPDATE messages SET provider_message_id = $2, status = $3,"
            " error_code = coalesce($4, error_code), updated_at = now()"
            " WHERE id = $1 AND status = 'sending' AND provider_message_id IS NULL"
            " RETURNING conversation_id",
            message_id,
            provider_message_id,
            status.value,
            error_code[:32] if error_code else None,
        )
    await _updated(conversation_id, message_id, status)
    return conversation_id is not None


async def claim_resend(*, message_id: uuid.UUID, stale_s: float) -> bool:
    """Claim the one extra attempt (the caller commits before calling the provider); False
    when it was taken before, or the row was settled meanwhile."""
    async with current_connection() as connection:
        claimed = await connection.fetchval(
            "UPDATE messages SET extra = extra || jsonb_build_object($3::text, now()),"
            f" attempted_at = now(), updated_at = now() WHERE id = $1 AND {_stale('$2')}"
            " AND NOT (extra ? $3::text) RETURNING id",
            message_id,
            float(stale_s),
            RESENT_AT,
        )
    return claimed is not None


async def release_resend(*, message_id: uuid.UUID) -> None:
    """The extra attempt reached no provider (no connection): a later sweep may make it."""
    async with current_connection() as connection:
        await connection.execute(
            "UPDATE messages SET extra = extra - $2::text, updated_at = now()"
            " WHERE id = $1 AND status = 'sending' AND provider_message_id IS NULL",
            message_id,
            RESENT_AT,
        )


async def give_up(*, message_id: uuid.UUID, stale_s: float) -> bool:
    """Nobody can tell whether the customer got it: failed UNKNOWN_OUTCOME, shown in the
    inbox. False when the row was settled (or attempted again) meanwhile."""
    async with current_connection() as connection:
        conversation_id = await connection.fetchval(
            "UPDATE messages SET status = 'failed', error_code = $3, updated_at = now()"
            f" WHERE id = $1 AND {_stale('$2')} RETURNING conversation_id",
            message_id,
            float(stale_s),
            UNKNOWN_OUTCOME,
        )
    await _updated(conversation_id, message_id, MessageStatus.FAILED)
    return conversation_id is not None


async def _updated(
    conversation_id: uuid.UUID | None, message_id: uuid.UUID, status: MessageStatus
) -> None:
    if conversation_id is not None:
        await conversation_event(
            conversation_id=conversation_id,
            event_type=ConversationEventType.DELIVERY_UPDATED,
            message_id=message_id,
            detail=status.value,
        )
