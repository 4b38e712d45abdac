"""What support dashboards do with conversations: find them, answer from the inbox (the same
outbound path and window rule as the assistant), assign them to a member."""

from __future__ import annotations

import uuid
from typing import Any

from wabotiq.auth.errors import AuthError
from wabotiq.auth.members import get_member
from wabotiq.core.crypto import FieldCipher
from wabotiq.db.connection import current_connection
from wabotiq.domain.channels.models import Channel
from wabotiq.domain.conversations import outbound
from wabotiq.domain.conversations.errors import ConversationError, ConversationErrorCode
from wabotiq.domain.conversations.models import (
    Author,
    Conversation,
    ConversationStatus,
    Message,
)
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.domain.conversations.service import get_conversation, take_over
from wabotiq.domain.customers.errors import CustomerError
from wabotiq.domain.customers.phone import normalise_phone

# A conversation is unread while its latest message is the customer's.
_UNREAD = (
    "(SELECT m.direction FROM messages m WHERE m.conversation_id = c.id"
    " ORDER BY m.seq DESC LIMIT 1) = 'inbound'"
)


def _search_condition(search: str, cipher: FieldCipher, args: list[Any]) -> str:
    """By name (any part) or by phone (any common spelling, matched by its lookup hash)."""
    literal = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    args.append(f"%{literal}%")
    condition = f"cu.name ILIKE ${len(args)}"
    try:
        phone_hash = cipher.lookup_hash(normalise_phone(search))
    except CustomerError:
        return condition
    args.append(phone_hash)
    return f"({condition} OR cu.phone_hash = ${len(args)})"


async def list_conversations(
    *,
    cipher: FieldCipher,
    tenant_id: str,
    offset: int,
    limit: int,
    status: ConversationStatus | None = None,
    assignee_membership_id: uuid.UUID | None = None,
    unread: bool | None = None,
    search: str | None = None,
) -> tuple[list[Conversation], int]:
    """A page of conversations, most recent message first, and the total count; assigned to
    a member who is not the tenant's, none."""
    args: list[Any] = []
    conditions = ["true"]
    if status is not None:
        args.append(status.value)
        conditions.append(f"c.status = ${len(args)}")
    if assignee_membership_id is not None:
        try:
            member = await get_member(tenant_id=tenant_id, membership_id=assignee_membership_id)
        except AuthError:
            return [], 0
        args.append(member.user_id)
        conditions.append(f"c.assignee_id = ${len(args)}")
    if unread is not None:
        conditions.append(_UNREAD if unread else f"NOT coalesce({_UNREAD}, false)")
    if search and search.strip():
        conditions.append(_search_condition(search, cipher, args))
    where = " AND ".join(conditions)
    query = (
        "SELECT c.id, count(*) OVER () AS total FROM conversations c"
        f" JOIN customers cu ON cu.id = c.customer_id WHERE {where}"
        f" ORDER BY c.last_message_at DESC, c.id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with current_connection() as connection:
        rows = await connection.fetch(query, *args)
        total = (
            rows[0]["total"]
            if rows
            else await connection.fetchval(
                "SELECT count(*) FROM conversations c JOIN customers cu ON cu.id = c.customer_id"
                f" WHERE {where}",
                *args,
            )
        )
    ids = [row["id"] for row in rows]
    found = {c.id: c for c in await Conversation.filter(id__in=ids)}
    return [found[i] for i in ids if i in found], int(total)


async def send_message(
    *,
    conversation_id: uuid.UUID,
    outgoing: Outgoing,
    idempotency_key: str,
    sender_user_id: uuid.UUID | None,
) -> Message:
    """A person's message from the inbox: queued like the assistant's (delivered after
    commit), refused outside the 24-hour window unless it is an approved template; the
    conversation is the person's from now on."""
    conversation = await outbound.conversation_for_reply(conversation_id=conversation_id)
    channel = await Channel.get(id=conversation.channel_id)
    message = await outbound.queue_outbound(
        conversation=conversation,
        outgoing=outgoing,
        author=Author.HUMAN,
        idempotency_key=idempotency_key,
        sender_user_id=sender_user_id,
        templates=frozenset(channel.templates),
    )
    assignee = None if conversation.assignee_id else sender_user_id
    await take_over(conversation_id=conversation_id, assignee_id=assignee)
    return message


async def assign_conversation(
    *, tenant_id: str, conversation_id: uuid.UUID, membership_id: uuid.UUID
) -> Conversation:
    """Give the conversation to a member of the tenant; a person answers it from now on."""
    try:
        member = await get_member(tenant_id=tenant_id, membership_id=membership_id)
    except AuthError as exc:
        raise ConversationError(
            ConversationErrorCode.NOT_FOUND, "No such member.", field="assigneeId"
        ) from exc
    await get_conversation(conversation_id=conversation_id)
    await take_over(conversation_id=conversation_id, assignee_id=member.user_id)
    return await get_conversation(conversation_id=conversation_id)


MessagePage = tuple[list[Message], int]


async def messages_of_conversations(
    *, conversation_ids: list[uuid.UUID], limit: int, before_seq: int | None
) -> dict[uuid.UUID, MessagePage]:
    """Each conversation's messages, newest first, up to `limit` older than `before_seq`, with
    each conversation's total: two statements for any number of conversations."""
    async with current_connection() as connection:
        ranked = await connection.fetch(
            "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id"
            " ORDER BY seq DESC) AS n FROM messages WHERE conversation_id = ANY($1::uuid[])"
            " AND ($2::bigint IS NULL OR seq < $2)) page WHERE n <= $3",
            conversation_ids,
            before_seq,
            limit,
        )
        totals = await connection.fetch(
            "SELECT conversation_id, count(*) AS total FROM messages"
            " WHERE conversation_id = ANY($1::uuid[]) GROUP BY conversation_id",
            conversation_ids,
        )
    rows = await Message.filter(id__in=[r["id"] for r in ranked]).order_by("-seq")
    pages: dict[uuid.UUID, MessagePage] = {
        row["conversation_id"]: ([], int(row["total"])) for row in totals
    }
    for message in rows:
        pages[message.conversation_id][0].append(message)
    return pages
