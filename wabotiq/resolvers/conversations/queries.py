"""Queries of conversations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.core.errors import DomainError
from wabotiq.core.ids import InvalidGlobalId, uuid_from_global_id
from wabotiq.domain.conversations import inbox
from wabotiq.domain.conversations.models import ConversationStatus as StatusModel
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, id_or_none, offset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.conversations.types import VIEW, Conversation, ConversationFilter
from wabotiq.resolvers.paging import offset_page

FilterArg = Annotated[
    ConversationFilter | None, strawberry.argument(description="Which conversations to list.")
]
IdArg = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the conversation.")]


@strawberry.type
class ConversationsQueries:
    @strawberry.field(
        description="The tenant's conversations, most recent message first.", directives=VIEW
    )
    async def conversations(
        self, info: Info, filter: FilterArg = None, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Conversation]:
        offset, limit = offset_page(info, first, after)
        wanted = filter or ConversationFilter()
        try:
            rows, total = await inbox.list_conversations(
                cipher=info.context.runtime.cipher,
                tenant_id=info.context.tenant_id,
                offset=offset,
                limit=limit,
                status=StatusModel[wanted.status.name] if wanted.status else None,
                assignee_membership_id=(
                    None
                    if wanted.assignee_id is None
                    else uuid_from_global_id(wanted.assignee_id, "Member")
                ),
                unread=wanted.unread,
                search=wanted.search,
            )
        except (DomainError, InvalidGlobalId) as exc:
            raise coded_error(str(exc), "BAD_USER_INPUT") from exc
        return offset_connection(rows, offset=offset, total=total, convert=Conversation.from_model)

    @strawberry.field(description="One conversation, or null when there is none.", directives=VIEW)
    async def conversation(self, info: Info, id: IdArg) -> Conversation | None:
        conversation_id = id_or_none(id, "Conversation")
        if conversation_id is None:
            return None
        return await info.context.loaders.conversations.conversation(conversation_id)
