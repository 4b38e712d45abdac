"""The conversation drain: one task per stored customer message, but one turn at a time per
conversation. A drain takes the conversation's lock, answers every unprocessed customer
message as one turn (those that came while a turn ran are answered together in the next; a
lone message waits for nothing), marks them processed in the transaction that queues the
reply rows, then delivers, and looks again for messages that came meanwhile.

A re-run after a crash finds the turn committed and delivers only rows never attempted; a
crash before the commit leaves the messages unprocessed for the re-run to answer."""

from __future__ import annotations

import uuid

from taskiq import TaskiqEvents, TaskiqState
from tortoise.transactions import in_transaction

from wabotiq.agent.turn import Reply, Responder, Turn, TurnConversation, TurnCustomer, TurnMessage
from wabotiq.agent.understanding.message import warm_up
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import outbound, turns
from wabotiq.domain.conversations.models import (
    Author,
    Conversation,
    ConversationStatus,
    Message,
)
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.domain.conversations.service import take_over
from wabotiq.domain.customers.models import Customer
from wabotiq.integrations.whatsapp.outbound import Delivery, deliver
from wabotiq.workers.broker import broker
from wabotiq.workers.declare import reliable_task
from wabotiq.workers.messaging import Messaging, current

MAX_TURNS_PER_RUN = 50  # a conversation flooded without end yields its worker now and then


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _warm_up_agent(state: TaskiqState) -> None:
    """Load the agent's models when the worker starts, not on a customer's first message."""
    await warm_up()


@reliable_task("wabotiq.conversations.drain", max_retries=5)
async def drain_conversation_task(tenant_id: str, conversation_id: str) -> int:
    """Answer a conversation's waiting messages; safe to run twice, late, or concurrently."""
    messaging = current()
    return await drain_conversation(
        tenant_id=tenant_id,
        conversation_id=uuid.UUID(conversation_id),
        responder=messaging.turn_responder(),
        messaging=messaging,
    )


async def drain_conversation(
    *,
    tenant_id: str,
    conversation_id: uuid.UUID,
    responder: Responder,
    messaging: Messaging,
) -> int:
    """Take turns until no customer message waits; returns how many messages went out."""
    sent = 0
    with tenant_context(TenantRef.of(tenant_id)):
        async with messaging.client() as client:
            delivery = messaging.delivery(client)
            sent += await deliver_pending(conversation_id=conversation_id, delivery=delivery)
            for _ in range(MAX_TURNS_PER_RUN):
                took = await take_turn(
                    tenant_id=tenant_id, conversation_id=conversation_id, responder=responder
                )
                if not took:
                    break
                sent += await deliver_pending(conversation_id=conversation_id, delivery=delivery)
    return sent


async def deliver_pending(*, conversation_id: uuid.UUID, delivery: Delivery) -> int:
    """Send the conversation's rows never attempted, oldest first."""
    sent = 0
    for message_id in await outbound.undelivered(conversation_id=conversation_id):
        sent += await deliver(message_id=message_id, delivery=delivery)
    return sent


async def take_turn(*, tenant_id: str, conversation_id: uuid.UUID, responder: Responder) -> bool:
    """One turn under the conversation's lock, in one transaction; False when nothing waited.
    While a person has the conversation the assistant stays silent: the messages are marked
    seen and nothing is queued."""
    async with in_transaction():
        await turns.lock_conversation(conversation_id=conversation_id)
        waiting = await turns.pending_inbound(conversation_id=conversation_id)
        if not waiting:
            return False
        conversation = await Conversation.get(id=conversation_id)
        if conversation.status is ConversationStatus.BOT:
            turn = await _turn(tenant_id, conversation, waiting)
            reply = await responder.respond(turn)
            status = await turns.status_for_reply(conversation_id=conversation_id)
            if status is ConversationStatus.BOT:  # no person took it meanwhile
                await _queue_reply(conversation, reply, key=f"reply:{waiting[-1].id}")
        await turns.mark_processed(message_ids=[message.id for message in waiting])
    return True


async def _queue_reply(conversation: Conversation, reply: Reply, *, key: str) -> None:
    for index, text in enumerate(reply.texts):
        await outbound.queue_outbound(
            conversation=conversation,
            outgoing=Outgoing(text=text),
            author=Author.BOT,
            idempotency_key=f"{key}:{index}",
        )
    if reply.language:
        await turns.set_language(conversation_id=conversation.id, language=reply.language)
    if reply.handoff:
        await take_over(conversation_id=conversation.id)


async def _turn(tenant_id: str, conversation: Conversation, waiting: list[Message]) -> Turn:
    customer = await Customer.get(id=conversation.customer_id)
    history = await turns.recent_history(conversation_id=conversation.id, before_seq=waiting[0].seq)
    return Turn(
        tenant_id=tenant_id,
        conversation=TurnConversation(
            id=str(conversation.id),
            channel_id=str(conversation.channel_id),
            language=conversation.language,
        ),
        customer=TurnCustomer(
            id=str(customer.id),
            name=customer.name,
            preferred_language=customer.preferred_language,
        ),
        messages=[_turn_message(message) for message in waiting],
        history=[_turn_message(message) for message in history],
    )


def _turn_message(message: Message) -> TurnMessage:
    return TurnMessage(
        direction=message.direction.value,
        author=message.author.value,
        kind=message.kind.value,
        text=message.text,
        at=message.created_at,
        media_url=message.media_url,
        media_type=message.media_type,
        id=str(message.id),
    )
