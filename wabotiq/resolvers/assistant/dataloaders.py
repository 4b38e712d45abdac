"""Loaders of interactions: a fixed number of statements per page of conversations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.domain.assistant.service import InteractionPage, interactions_of_conversations
from wabotiq.graphql.relay import Connection, keyset_connection
from wabotiq.resolvers.assistant.types import Interaction
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import int_key_page

InteractionsKey = tuple[uuid.UUID, int, int | None]  # conversation, limit, before this id


async def _interactions_by_conversation(keys: list[InteractionsKey]) -> list[InteractionPage]:
    pages: dict[tuple[int, int | None], list[uuid.UUID]] = defaultdict(list)
    for conversation_id, limit, before in keys:
        pages[(limit, before)].append(conversation_id)
    found: dict[InteractionsKey, InteractionPage] = {}
    for (limit, before), ids in pages.items():
        batch = await interactions_of_conversations(
            conversation_ids=ids, limit=limit, before_id=before
        )
        for conversation_id in ids:
            found[(conversation_id, limit, before)] = batch.get(conversation_id, ([], 0))
    return [found[key] for key in keys]


def InteractionsByConversationLoader() -> DataLoader[InteractionsKey, InteractionPage]:  # noqa: N802
    return DataLoader(load_fn=_interactions_by_conversation)


class AssistantLoaders:
    """The loaders of interactions for one request, and their objects for other areas."""

    @cached_property
    def interactions_by_conversation(self) -> DataLoader[InteractionsKey, InteractionPage]:
        return InteractionsByConversationLoader()

    async def conversation_interactions(
        self, info: Info, conversation_id: uuid.UUID, *, first: int, after: str | None
    ) -> Connection[Interaction]:
        """A conversation's interactions, newest first; the cursor is the interaction's id."""
        before, limit = int_key_page(info, first, after)
        rows, total = await self.interactions_by_conversation.load(
            (conversation_id, limit + 1, before)
        )
        return keyset_connection(
            rows,
            limit=limit,
            continued=before is not None,
            total=total,
            convert=Interaction.from_model,
            key=lambda row: row.id,
        )
