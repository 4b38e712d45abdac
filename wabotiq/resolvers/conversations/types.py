"""GraphQL types of conversations and messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.domain.conversations.models import Conversation as ConversationModel
from wabotiq.domain.conversations.models import Message as MessageModel
from wabotiq.domain.conversations.outbound import window_open
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relations import relation
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.assistant.types import Interaction
    from wabotiq.resolvers.customers.types import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("wabotiq.resolvers.customers.types")]
InteractionRef = Annotated["Interaction", strawberry.lazy("wabotiq.resolvers.assistant.types")]


@strawberry.enum(description="Who answers a conversation.")
class ConversationStatus(Enum):
    BOT = strawberry.enum_value("bot", description="The assistant answers.")
    HUMAN = strawberry.enum_value(
        "human", description="A person answers; the assistant stays silent."
    )
    RESOLVED = strawberry.enum_value(
        "resolved", description="Closed; the customer's next message opens a new conversation."
    )


@strawberry.enum(description="Which way a message went.")
class MessageDirection(Enum):
    INBOUND = strawberry.enum_value("inbound", description="From the customer.")
    OUTBOUND = strawberry.enum_value("outbound", description="To the customer.")


@strawberry.enum(description="Who wrote a message.")
class MessageAuthor(Enum):
    CUSTOMER = strawberry.enum_value("customer", description="The customer.")
    BOT = strawberry.enum_value("bot", description="The assistant.")
    HUMAN = strawberry.enum_value("human", description="A person of the business.")


@strawberry.enum(description="Where a message is on its way.")
class MessageStatus(Enum):
    RECEIVED = strawberry.enum_value("received", description="A customer's message, stored.")
    PENDING = strawberry.enum_value("pending", description="Queued; not sent yet.")
    HELD = strawberry.enum_value(
        "held",
        description="Outside the 24-hour window: the assistant's text waits for a person.",
    )
    SENDING = strawberry.enum_value(
        "sending", description="Being sent (or its one attempt ended without an answer)."
    )
    ACCEPTED = strawberry.enum_value("accepted", description="The provider took it.")
    SENT = strawberry.enum_value("sent", description="Sent to WhatsApp.")
    DELIVERED = strawberry.enum_value("delivered", description="On the customer's phone.")
    READ = strawberry.enum_value("read", description="Read by the customer.")
    FAILED = strawberry.enum_value(
        "failed", description="Not delivered; errorCode says why (the provider's code)."
    )


@strawberry.type(description="One WhatsApp message, either way.")
class Message:
    id: strawberry.ID = strawberry.field(description="Global ID of the message.")
    direction: MessageDirection = strawberry.field(description="Which way it went.")
    author: MessageAuthor = strawberry.field(description="Who wrote it.")
    kind: str = strawberry.field(
        description="text, image, audio, video, document, location, template or other."
    )
    text: str = strawberry.field(description="Its text or caption (may be empty for media).")
    media_url: str | None = strawberry.field(description="Where its media is (provider URL).")
    media_type: str | None = strawberry.field(description="The media's content type.")
    status: MessageStatus = strawberry.field(description="Where it is on its way.")
    error_code: str | None = strawberry.field(
        description="The provider's error code when it failed (e.g. 63016, 131047), or"
        " UNKNOWN_OUTCOME when its attempt's outcome was lost and nobody can tell whether the"
        " customer got it (a person decides whether to send it again)."
    )
    created_at: datetime = strawberry.field(description="When it was stored.")
    updated_at: datetime = strawberry.field(description="When its status last changed.")
    sequence: strawberry.Private[int]

    @classmethod
    def from_model(cls, message: MessageModel) -> Message:
        return cls(
            id=to_global_id("Message", message.id),
            direction=MessageDirection(message.direction.value),
            author=MessageAuthor(message.author.value),
            kind=message.kind.value,
            text=message.text,
            media_url=message.media_url,
            media_type=message.media_type,
            status=MessageStatus(message.status.value),
            error_code=message.error_code,
            created_at=message.created_at,
            updated_at=message.updated_at,
            sequence=message.seq,
        )


@strawberry.type(description="A customer's conversation with the business on one channel.")
class Conversation:
    id: strawberry.ID = strawberry.field(description="Global ID of the conversation.")
    status: ConversationStatus = strawberry.field(description="Who answers it.")
    channel_id: strawberry.ID = strawberry.field(description="Global ID of its channel.")
    language: str | None = strawberry.field(description="The language it goes on in.")
    last_inbound_at: datetime | None = strawberry.field(
        description="When the customer last wrote (the 24-hour window counts from here)."
    )
    last_message_at: datetime = strawberry.field(description="When it last had a message.")
    window_open: bool = strawberry.field(
        description="Whether free-form text may be sent (else only an approved template)."
    )
    created_at: datetime = strawberry.field(description="When it was opened.")
    customer_id: strawberry.Private[uuid.UUID]
    conversation_id: strawberry.Private[uuid.UUID]
    assignee_user_id: strawberry.Private[uuid.UUID | None]

    @relation(description="The customer (their phone needs customers:view).")
    async def customer(self, info: Info) -> CustomerRef | None:
        return await info.context.loaders.customers.customer(self.customer_id)

    @relation(description="The email of the person it is assigned to, if anyone.")
    async def assignee_email(self, info: Info) -> str | None:
        if self.assignee_user_id is None:
            return None
        user = await info.context.loaders.members.user(self.assignee_user_id)
        return user.email if user else None

    @relation(description="Its messages, newest first.")
    async def messages(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Message]:
        loaders = info.context.loaders.conversations
        return await loaders.messages(info, self.conversation_id, first=first, after=after)

    @relation(description="The turns the assistant answered in it, newest first.")
    async def interactions(
        self, info: Info, first: FirstArg = 20, after: AfterArg = None
    ) -> Connection[InteractionRef]:
        assistant = info.context.loaders.assistant
        return await assistant.conversation_interactions(
            info, self.conversation_id, first=first, after=after
        )

    @classmethod
    def from_model(cls, conversation: ConversationModel) -> Conversation:
        return cls(
            id=to_global_id("Conversation", conversation.id),
            status=ConversationStatus(conversation.status.value),
            channel_id=to_global_id("Channel", conversation.channel_id),
            language=conversation.language,
            last_inbound_at=conversation.last_inbound_at,
            last_message_at=conversation.last_message_at,
            window_open=window_open(conversation),
            created_at=conversation.created_at,
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            assignee_user_id=conversation.assignee_id,
        )


@strawberry.input(description="Which conversations to list.")
class ConversationFilter:
    status: ConversationStatus | None = strawberry.field(
        default=None, description="Only conversations with this status."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only conversations assigned to this member (global ID)."
    )
    unread: bool | None = strawberry.field(
        default=None,
        description="Only those whose last message is (true) or is not the customer's.",
    )
    search: str | None = strawberry.field(
        default=None, description="The customer's name (any part) or phone (any spelling)."
    )


@strawberry.input(description="A variable of a template, in order.")
class TemplateVariableInput:
    key: str = strawberry.field(description="The variable's name or number, e.g. 1.")
    value: str = strawberry.field(description="Its value.")


@strawberry.input(description="A message from a person to the customer.")
class SendMessageInput:
    conversation_id: strawberry.ID = strawberry.field(description="The conversation.")
    text: str | None = strawberry.field(
        default=None, description="Free-form text (within 24 hours of the customer's message)."
    )
    template: str | None = strawberry.field(
        default=None, description="An approved template of the channel, by name (any time)."
    )
    variables: list[TemplateVariableInput] = strawberry.field(
        default_factory=list, description="The template's variables."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Send the same key again and no second message goes out."
    )


@strawberry.input(description="A conversation to assign.")
class AssignConversationInput:
    id: strawberry.ID = strawberry.field(description="The conversation.")
    assignee_id: strawberry.ID = strawberry.field(description="The member (global ID).")


@strawberry.input(description="The conversation to act on.")
class ConversationIdInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the conversation.")


@strawberry.type(description="The result of a change to a conversation.")
class ConversationPayload:
    conversation: Conversation | None = strawberry.field(description="The conversation.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of sending a message.")
class SendMessagePayload:
    message: Message | None = strawberry.field(description="The message, queued to go out.")
    conversation: Conversation | None = strawberry.field(description="Its conversation.")
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused (WINDOW_CLOSED: only a template may go now)."
    )


@strawberry.enum(description="What happened in a conversation.")
class ConversationEventType(Enum):
    MESSAGE_RECEIVED = strawberry.enum_value("message_received", description="The customer wrote.")
    MESSAGE_QUEUED = strawberry.enum_value(
        "message_queued", description="A message to the customer was queued (or sent by a person)."
    )
    DELIVERY_UPDATED = strawberry.enum_value(
        "delivery_updated", description="A message's delivery status changed."
    )
    STATUS_CHANGED = strawberry.enum_value(
        "status_changed", description="The conversation's status or assignee changed."
    )


@strawberry.type(description="Something that happened in one of your conversations.")
class ConversationEvent:
    event_type: ConversationEventType = strawberry.field(description="What happened.")
    conversation: Conversation = strawberry.field(description="The conversation, as it is now.")
    message: Message | None = strawberry.field(description="The message concerned, if any.")
    occurred_at: datetime = strawberry.field(description="When it happened.")


VIEW = scopes(["conversations:view"])
HANDOFF = scopes(["handoff:perform"])
