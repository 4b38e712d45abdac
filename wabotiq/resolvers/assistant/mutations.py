"""Mutations of the assistant: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.domain.assistant.service import update_assistant_settings
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT
from wabotiq.resolvers.assistant.types import (
    MANAGE,
    AssistantSettings,
    UpdateAssistantSettingsInput,
    UpdateAssistantSettingsPayload,
)
from wabotiq.resolvers.context import Info


@strawberry.type
class AssistantMutations:
    @strawberry.mutation(
        description="Change the assistant's LLM chain or payment instructions.", directives=MANAGE
    )
    async def update_assistant_settings(
        self, info: Info, input: Annotated[UpdateAssistantSettingsInput, INPUT]
    ) -> UpdateAssistantSettingsPayload:
        row, errors = await mutate(
            lambda: update_assistant_settings(
                llm_chain=input.llm_chain, payment_instructions=input.payment_instructions
            )
        )
        settings = (
            None
            if row is None
            else AssistantSettings.from_model(row, info.context.runtime.settings)
        )
        return UpdateAssistantSettingsPayload(assistant_settings=settings, user_errors=errors)
