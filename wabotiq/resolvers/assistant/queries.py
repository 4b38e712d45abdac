"""Queries of the assistant."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.agent.llm.breaker import BREAKERS
from wabotiq.core.ids import InvalidGlobalId, uuid_from_global_id
from wabotiq.domain.assistant import service
from wabotiq.domain.assistant.service import OFFLINE
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, keyset_connection
from wabotiq.resolvers.assistant.types import (
    MANAGE,
    VIEW,
    AssistantSettings,
    Interaction,
    LlmProviderHealth,
)
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import int_key_page

ConversationArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this conversation's (global ID); all when omitted."),
]


@strawberry.type
class AssistantQueries:
    @strawberry.field(description="How the shop's assistant works for you.", directives=MANAGE)
    async def assistant_settings(self, info: Info) -> AssistantSettings:
        row = await service.assistant_settings()
        return AssistantSettings.from_model(row, info.context.runtime.settings)

    @strawberry.field(
        description="The platform's LLM providers, in chain order, then offline: whether each "
        "is configured, and its circuit breaker as this API process sees it (a worker in "
        "another process keeps its own).",
        directives=MANAGE,
    )
    def llm_providers(self, info: Info) -> list[LlmProviderHealth]:
        settings = info.context.runtime.settings
        configured = {*settings.configured_llm_providers(), OFFLINE}
        return [
            LlmProviderHealth.from_health(BREAKERS.health_of(name), configured=name in configured)
            for name in [*settings.llm_chain, OFFLINE]
        ]

    @strawberry.field(
        description="The turns the assistant answered, newest first.", directives=VIEW
    )
    async def interactions(
        self,
        info: Info,
        conversation_id: ConversationArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Interaction]:
        before_id, limit = int_key_page(info, first, after)
        try:
            conversation = (
                None
                if conversation_id is None
                else uuid_from_global_id(conversation_id, "Conversation")
            )
        except InvalidGlobalId as exc:
            raise coded_error(str(exc), "BAD_USER_INPUT") from exc
        rows, total = await service.list_interactions(
            conversation_id=conversation, before_id=before_id, limit=limit + 1
        )
        return keyset_connection(
            rows,
            limit=limit,
            continued=before_id is not None,
            total=total,
            convert=Interaction.from_model,
            key=lambda row: row.id,
        )
