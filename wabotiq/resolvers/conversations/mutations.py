"""Mutations of conversations: parse input, call one service, map the result. A message sent
here is committed first and delivered by the conversation's drain, the assistant's path."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.conversations import inbox, service
from wabotiq.domain.conversations.models import Conversation as ConversationModel
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.graphql.errors import UserError, mutate
from wabotiq.graphql.relay import INPUT
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.conversations.types import (
    HANDOFF,
    AssignConversationInput,
    Conversation,
    ConversationIdInput,
    ConversationPayload,
    Message,
    SendMessageInput,
    SendMessagePayload,
)
from wabotiq.workers.conversations import drain_conversation_task


def _payload(found: ConversationModel | None, errors: list[UserError]) -> ConversationPayload:
    return ConversationPayload(
        conversation=Conversation.from_model(found) if found else None, user_errors=errors
    )


@strawberry.type
class ConversationsMutations:
    @strawberry.mutation(
        description="Answer the customer as a person; the assistant stays silent from now on.",
        directives=HANDOFF,
    )
    async def send_message(
        self, info: Info, input: Annotated[SendMessageInput, INPUT]
    ) -> SendMessagePayload:
        ctx = info.context
        audit_target(info, input.conversation_id)
        outgoing = Outgoing(
            text=input.text or "",
            template=input.template,
            variables={variable.key: variable.value for variable in input.variables},
        )

        async def send() -> tuple:
            conversation_id = uuid_from_global_id(input.conversation_id, "Conversation")
            message = await inbox.send_message(
                conversation_id=conversation_id,
                outgoing=outgoing,
                idempotency_key=f"inbox:{input.idempotency_key or uuid.uuid4()}",
                sender_user_id=ctx.principal.user_id,
            )
            return message, await service.get_conversation(conversation_id=conversation_id)

        sent, errors = await mutate(send)
        if sent is None:
            return SendMessagePayload(message=None, conversation=None, user_errors=errors)
        message, conversation = sent
        await drain_conversation_task.kiq(ctx.tenant_id, str(conversation.id))
        return SendMessagePayload(
            message=Message.from_model(message),
            conversation=Conversation.from_model(conversation),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Give the conversation to a member; a person answers it from now on.",
        directives=HANDOFF,
    )
    async def assign_conversation(
        self, info: Info, input: Annotated[AssignConversationInput, INPUT]
    ) -> ConversationPayload:
        audit_target(info, input.id)
        found, errors = await mutate(
            lambda: inbox.assign_conversation(
                tenant_id=info.context.tenant_id,
                conversation_id=uuid_from_global_id(input.id, "Conversation"),
                membership_id=uuid_from_global_id(input.assignee_id, "Member"),
            )
        )
        return _payload(found, errors)

    @strawberry.mutation(
        description="Hand the conversation back: the assistant answers the next message.",
        directives=HANDOFF,
    )
    async def release_to_bot(
        self, info: Info, input: Annotated[ConversationIdInput, INPUT]
    ) -> ConversationPayload:
        audit_target(info, input.id)
        found, errors = await mutate(
            lambda: service.release_to_bot(
                conversation_id=uuid_from_global_id(input.id, "Conversation")
            )
        )
        return _payload(found, errors)

    @strawberry.mutation(
        description="Close the conversation; the customer's next message opens a new one.",
        directives=HANDOFF,
    )
    async def resolve_conversation(
        self, info: Info, input: Annotated[ConversationIdInput, INPUT]
    ) -> ConversationPayload:
        audit_target(info, input.id)
        found, errors = await mutate(
            lambda: service.resolve_conversation(
                conversation_id=uuid_from_global_id(input.id, "Conversation")
            )
        )
        return _payload(found, errors)
