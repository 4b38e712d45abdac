"""Loaders of conversations and their messages: a fixed number of statements per page,
whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.domain.conversations.inbox import MessagePage, messages_of_conversations
from wabotiq.domain.conversations.models import Conversation as ConversationModel
from wabotiq.domain.conversations.models import Message as MessageModel
from wabotiq.graphql.relay import Connection, keyset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.conversations.types import Conversation, Message
from wabotiq.resolvers.paging import int_key_page

MessagesKey = tuple[uuid.UUID, int, int | None]  # conversation, limit, before this sequence


async def _conversations_by_id(keys: list[uuid.UUID]) -> list[ConversationModel | None]:
    found = {c.id: c for c in await ConversationModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _messages_by_id(keys: list[uuid.UUID]) -> list[MessageModel | None]:
    found = {m.id: m for m in await MessageModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _messages_by_conversation(keys: list[MessagesKey]) -> list[MessagePage]:
    pages: dict[tuple[int, int | None], list[uuid.UUID]] = defaultdict(list)
    for conversation_id, limit, before in keys:
        pages[(limit, before)].append(conversation_id)
    found: dict[MessagesKey, MessagePage] = {}
    for (limit, before), ids in pages.items():
        batch = await messages_of_conversations(
            conversation_ids=ids, limit=limit, before_seq=before
        )
        for conversation_id in ids:
            found[(conversation_id, limit, before)] = batch.get(conversation_id, ([], 0))
    return [found[key] for key in keys]


def ConversationByIdLoader() -> DataLoader[uuid.UUID, ConversationModel | None]:  # noqa: N802
    return DataLoader(load_fn=_conversations_by_id)


def MessageByIdLoader() -> DataLoader[uuid.UUID, MessageModel | None]:  # noqa: N802
    return DataLoader(load_fn=_messages_by_id)


def MessagesByConversationLoader() -> DataLoader[MessagesKey, MessagePage]:  # noqa: N802
    return DataLoader(load_fn=_messages_by_conversation)


class ConversationsLoaders:
    """The loaders of conversations for one request, and their objects for other areas."""

    @cached_property
    def conversation_by_id(self) -> DataLoader[uuid.UUID, ConversationModel | None]:
        return ConversationByIdLoader()

    @cached_property
    def message_by_id(self) -> DataLoader[uuid.UUID, MessageModel | None]:
        return MessageByIdLoader()

    @cached_property
    def messages_by_conversation(self) -> DataLoader[MessagesKey, MessagePage]:
        return MessagesByConversationLoader()

    async def conversation(self, conversation_id: uuid.UUID) -> Conversation | None:
        found = await self.conversation_by_id.load(conversation_id)
        return Conversation.from_model(found) if found else None

    async def message(self, message_id: uuid.UUID) -> Message | None:
        found = await self.message_by_id.load(message_id)
        return Message.from_model(found) if found else None

    async def messages(
        self, info: Info, conversation_id: uuid.UUID, *, first: int, after: str | None
    ) -> Connection[Message]:
        """A conversation's messages, newest first; the cursor is the message's sequence."""
        before, limit = int_key_page(info, first, after)
        rows, total = await self.messages_by_conversation.load((conversation_id, limit + 1, before))
        return keyset_connection(
            rows,
            limit=limit,
            continued=before is not None,
            total=total,
            convert=Message.from_model,
            key=lambda row: row.seq,
        )
