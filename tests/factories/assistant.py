"""Conversations with interaction records, made through the domain services: shared by the
assistant's domain and GraphQL tests."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.transactions import in_transaction

from tests.conftest import TenantFixture
from tests.support.whatsapp import twilio_channel
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.assistant.models import Interaction
from wabotiq.domain.assistant.service import InteractionRecord, record_interaction
from wabotiq.domain.conversations import service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import MessageKind


async def conversations(tenant: TenantFixture, cipher: FieldCipher, count: int) -> list[uuid.UUID]:
    """`count` customers, one message each: their conversations' ids, in order."""
    channel = await twilio_channel(tenant.id, cipher)
    found = []
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            for n in range(count):
                message = InboundMessage(
                    provider_message_id=f"SM{uuid.uuid4().hex}",
                    phone=f"+2547{n:08d}",
                    kind=MessageKind.TEXT,
                    text="Niaje, una laptop ngapi?",
                    profile_name=f"Customer {n}",
                )
                recorded = await service.record_inbound(
                    cipher=cipher, channel_id=channel.id, message=message
                )
                found.append(recorded.conversation_id)
    return found


async def interaction(
    tenant: TenantFixture, conversation_id: uuid.UUID, **fields: Any
) -> Interaction:
    """One answered turn of the conversation (offline, understood, in Sheng, unless told)."""
    values: dict[str, Any] = {
        "message_id": None,
        "intent": "price",
        "understood": True,
        "language": "sheng",
        "tier": "offline",
        "provider": "offline",
        **fields,
    }
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            return await record_interaction(
                InteractionRecord(conversation_id=conversation_id, **values)
            )
