"""Delivering one outbound row: claimed `sending` in its own committed statement before the
provider call, so a retried task or a second worker never sends it again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from tortoise.transactions import in_transaction

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.domain.channels.models import ChannelStatus
from wabotiq.domain.channels.service import channel_templates
from wabotiq.domain.conversations import outbound
from wabotiq.domain.conversations.models import Conversation, MessageKind
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.customers.service import customer_phone
from wabotiq.integrations.whatsapp.channel import ProviderRefused, ProviderUnreachable, Sent
from wabotiq.integrations.whatsapp.registry import build_channel


@dataclass(frozen=True)
class Delivery:
    """What a delivery needs besides the row: keys, settings and an HTTP client."""

    cipher: FieldCipher
    settings: Settings
    client: httpx.AsyncClient


async def deliver(*, message_id: uuid.UUID, delivery: Delivery) -> bool:
    """Send one outbound row at most once; True when this call sent it. A refusal keeps the
    provider's error code; an unreachable provider puts the row back (nothing went out)."""
    async with in_transaction():
        message = await outbound.claim_delivery(message_id=message_id)
    if message is None:
        return False
    conversation = await Conversation.get(id=message.conversation_id)
    record = await ChannelRecord.get(id=conversation.channel_id)
    if record.status is not ChannelStatus.ACTIVE:
        async with in_transaction():
            await outbound.record_failed(message_id=message_id, error_code="channel_disabled")
        return False
    customer = await Customer.get(id=conversation.customer_id)
    to = customer_phone(cipher=delivery.cipher, phone_encrypted=customer.phone_encrypted)
    channel = build_channel(record, cipher=delivery.cipher, settings=delivery.settings)
    try:
        if message.kind is MessageKind.TEMPLATE:
            template = channel_templates(record)[message.extra["template"]]
            sent: Sent = await channel.send_template(
                delivery.client, to=to, template=template, variables=message.extra["variables"]
            )
        else:
            sent = await channel.send_text(delivery.client, to=to, text=message.text)
    except ProviderUnreachable:
        await outbound.release_claim(message_id=message_id)
        raise
    except ProviderRefused as exc:
        await outbound.record_failed(message_id=message_id, error_code=exc.code)
        return False
    await outbound.record_accepted(
        message_id=message_id, provider_message_id=sent.provider_message_id
    )
    return True
