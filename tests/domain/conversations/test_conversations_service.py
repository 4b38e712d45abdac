"""Recording what customers send: one customer per phone and one open conversation per
customer and channel, whatever arrives at once; a resolved conversation is not reopened."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import twilio_channel
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Conversation, Message, MessageKind
from wabotiq.domain.customers.models import Customer


def _message(text: str, phone: str = "0712 345 678", name: str = "") -> InboundMessage:
    return InboundMessage(
        provider_message_id="SM" + uuid.uuid4().hex, phone=phone, kind=MessageKind.TEXT,
        text=text, profile_name=name,
    )  # fmt: skip


async def test_messages_recorded_at_once_make_one_customer_and_one_conversation(
    app: Any, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    ref = TenantRef.of(tenant.id)

    async def record(text: str, name: str) -> service.Recorded:
        with tenant_context(ref):
            async with in_transaction():
                return await service.record_inbound(
                    cipher=cipher, channel_id=channel.id,
                    message=_message(text, phone="+254712345678", name=name),
                )  # fmt: skip

    names = ["", "Wanjiku", "", "Wanjiku K"]
    results = await asyncio.gather(*(record(f"m{n}", names[n % 4]) for n in range(8)))
    assert len({r.conversation_id for r in results}) == 1
    assert all(r.new for r in results)
    with tenant_context(ref):
        customers = await Customer.all()
        assert await Conversation.all().count() == 1
        assert await Message.all().count() == 8
    assert len(customers) == 1 and customers[0].name in {"Wanjiku", "Wanjiku K"}


async def test_a_redelivery_is_not_stored_again_and_resolved_conversations_stay_closed(
    app: Any, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    first = _message("hello")
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            stored = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=first
            )
            again = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=first
            )
            await service.resolve_conversation(conversation_id=stored.conversation_id)
            later = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=_message("back again")
            )
        assert (stored.new, again.new, again.message_id) == (True, False, None)
        assert again.conversation_id == stored.conversation_id
        assert later.conversation_id != stored.conversation_id
        statuses = sorted(c.status.value for c in await Conversation.all())
    assert statuses == ["bot", "resolved"]
