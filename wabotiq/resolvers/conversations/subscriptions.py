"""Live conversation events over graphql-transport-ws, for the caller's own tenant only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from wabotiq.resolvers.context import Info
from wabotiq.resolvers.conversations.types import (
    VIEW,
    ConversationEvent,
    ConversationEventType,
)
from wabotiq.resolvers.subscriptions import tenant_events


@strawberry.type
class ConversationsSubscriptions:
    @strawberry.subscription(
        description="New messages, delivery updates and status changes of your conversations.",
        directives=VIEW,
    )
    async def conversation_events(self, info: Info) -> AsyncGenerator[ConversationEvent, None]:
        async for event in tenant_events(info, "conversation"):
            loaders = info.context.loaders.conversations
            conversation = await loaders.conversation(uuid.UUID(event.aggregate_id))
            if conversation is None:
                continue
            message_id = event.payload.get("message_id")
            yield ConversationEvent(
                event_type=ConversationEventType(event.event_type),
                conversation=conversation,
                message=await loaders.message(uuid.UUID(message_id)) if message_id else None,
                occurred_at=datetime.fromisoformat(event.occurred_at),
            )
