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
from wabotiq.domain.channels.service import Template, channel_templates
from wabotiq.domain.conversations import outbound
from wabotiq.domain.conversations.models import Conversation, Message, MessageKind, MessageStatus
from wabotiq.domain.customers.models import Customer
from wabotiq.domain.customers.service import customer_phone
from wabotiq.integrations.whatsapp.channel import ProviderRefused, ProviderUnreachable
from wabotiq.integrations.whatsapp.registry import build_channel


@dataclass(frozen=True)
class Delivery:
    """What a delivery needs besides the row: keys, settings and an HTTP client."""

    cipher: FieldCipher
    settings: Settings
    client: httpx.AsyncClient


async def deliver(*, message_id: uuid.UUID, delivery: Delivery) -> bool:
    """Send one outbound row at most once; True when this call sent it. Everything the call
    needs is read first, then the row is claimed (committed) and the provider called. A
    refusal keeps the provider's error code; an unreachable provider puts the row back."""
    message = await Message.get_or_none(id=message_id)
    if message is None or message.status is not MessageStatus.PENDING:
        return False
    conversation = await Conversation.get(id=message.conversation_id)
    record = await ChannelRecord.get(id=conversation.channel_id)
    template = channel_templates(record).get(message.extra.get("template") or "")
    refusal = _refusal(record, message, template)
    if refusal is not None:
        await _failed(message_id, refusal)
        return False
    customer = await Customer.get(id=conversation.customer_id)
    to = customer_phone(cipher=delivery.cipher, phone_encrypted=customer.phone_encrypted)
    channel = build_channel(record, cipher=delivery.cipher, settings=delivery.settings)
    async with in_transaction():
        claimed = await outbound.claim_delivery(message_id=message_id)
    if claimed is None:  # another worker got there first
        return False
    try:
        if template is not None:
            variables = message.extra.get("variables") or {}
            sent = await channel.send_template(
                delivery.client, to=to, template=template, variables=variables
            )
        else:
            sent = await channel.send_text(delivery.client, to=to, text=message.text)
    except ProviderUnreachable:
        await outbound.release_claim(message_id=message_id)
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
