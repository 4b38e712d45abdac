"""Mutations of dead letters: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.domain.dead_letters.service import retry_dead_letter
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.dead_letters.types import DeadLetter, RetryDeadLetterPayload, letter_id
from wabotiq.resolvers.inputs import IdInput
from wabotiq.workers.rerun import kick_again


@strawberry.type
class DeadLettersMutations:
    @strawberry.mutation(
        description="Run a dead letter's task again with its original arguments (once).",
        directives=scopes(["integrations:manage"]),
    )
    async def retry_dead_letter(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> RetryDeadLetterPayload:
        audit_target(info, input.id)
        letter, errors = await mutate(
            lambda: retry_dead_letter(letter_id(input.id), kick=kick_again)
        )
        return RetryDeadLetterPayload(
            dead_letter=DeadLetter.from_model(letter) if letter else None, user_errors=errors
        )
