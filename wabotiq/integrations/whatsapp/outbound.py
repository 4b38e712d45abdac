"""Delivering one outbound row: claimed `sending` in its own committed statement before the
provider call, so a retried task or a second worker never sends it again."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from tortoise.transactions import in_transaction

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.domain.channels.models import ChannelStatus
from wabotiq.domain.channels.service import Template, channel_templates
from wabotiq.domain.conversations import outbound
from wabotiq.domain.conversations.models import Conversation, Message, MessageKind, MessageStatus
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.customers.service import customer_phone
from wabotiq.integrations.whatsapp.channel import Channel, ProviderRefused, ProviderUnreachable
from wabotiq.integrations.whatsapp.registry import build_channel


@dataclass(frozen=True)
class Delivery:
    """What a delivery needs besides the row: keys, settings and an HTTP client."""

    cipher: FieldCipher
    settings: Settings
    client: httpx.AsyncClient


@dataclass(frozen=True)
class Attempt:
    """One row ready for its provider call: the channel, the customer's number, the template
    (if any), and why it cannot go at all (`refusal`), all read before the row is claimed."""

    message: Message
    channel: Channel
    to: str
    template: Template | None
    refusal: str | None


async def deliver(*, message_id: uuid.UUID, delivery: Delivery) -> bool:
    """Send one outbound row at most once; True when this call sent it. Everything the call
    needs is read first, then the row is claimed (committed) and the provider called. A
    refusal keeps the provider's error code; an unreachable provider puts the row back."""
    message = await Message.get_or_none(id=message_id)
    if message is None or message.status is not MessageStatus.PENDING:
        return False
    attempt = await prepare(message, delivery)
    if attempt.refusal is not None:
        await _failed(message_id, attempt.refusal)
        return False
    async with in_transaction():
        claimed = await outbound.claim_delivery(message_id=message_id)
    if claimed is None:  # another worker got there first
        return False
    return await send(attempt, delivery, release=outbound.release_claim)


async def prepare(message: Message, delivery: Delivery) -> Attempt:
    """What the provider call of `message` needs, read before anything is claimed."""
    conversation = await Conversation.get(id=message.conversation_id)
    record = await ChannelRecord.get(id=conversation.channel_id)
    template = channel_templates(record).get(message.extra.get("template") or "")
    customer = await Customer.get(id=conversation.customer_id)
    return Attempt(
        message=message,
        channel=build_channel(record, cipher=delivery.cipher, settings=delivery.settings),
        to=customer_phone(cipher=delivery.cipher, phone_encrypted=customer.phone_encrypted),
        template=template,
        refusal=_refusal(record, message, template),
    )


async def send(
    attempt: Attempt,
    delivery: Delivery,
    *,
    release: Callable[..., Awaitable[None]],
) -> bool:
    """The one provider call of a row the caller has claimed (committed); True when the
    provider took it. Unreachable: `release(message_id=...)` gives the claim back."""
    message_id = attempt.message.id
    try:
        if attempt.template is not None:
            variables = attempt.message.extra.get("variables") or {}
            sent = await attempt.channel.send_template(
                delivery.client, to=attempt.to, template=attempt.template, variables=variables
            )
        else:
            sent = await attempt.channel.send_text(
                delivery.client, to=attempt.to, text=attempt.message.text
            )
    except ProviderUnreachable:
        await release(message_id=message_id)
        raise
    except ProviderRefused as exc:
        await _failed(message_id, exc.code)
        return False
    async with in_transaction():  # the status and its event together
        await outbound.record_accepted(
            message_id=message_id, provider_message_id=sent.provider_message_id
        )
    return True


def _refusal(record: ChannelRecord, message: Message, template: Template | None) -> str | None:
    """Why the row cannot go out at all, before any attempt."""
    if record.status is not ChannelStatus.ACTIVE:
        return "channel_disabled"
    if message.kind is MessageKind.TEMPLATE and template is None:
        return "unknown_template"
    return None


async def _failed(message_id: uuid.UUID, code: str) -> None:
    async with in_transaction():
        await outbound.record_failed(message_id=message_id, error_code=code)
