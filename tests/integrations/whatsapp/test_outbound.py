"""`deliver`: one outbound row to the provider's wire format, at most once."""

from __future__ import annotations

import json
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import (
    ACCOUNT_SID,
    CONTENT_SID,
    SENDER,
    FakeProviders,
    twilio_channel,
)
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.service import disable_channel, update_channel
from wabotiq.domain.conversations import outbound, service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Author, Message, MessageKind
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.integrations.whatsapp.outbound import Delivery, deliver

PHONE = "+254712345678"


async def _queued(app: Any, make_tenant: MakeTenant, outgoing: Outgoing):
    """A Twilio conversation with one outbound row queued; (tenant ref, channel, row)."""
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    ref = TenantRef.of(tenant.id)
    inbound = InboundMessage(provider_message_id="SM" + "1" * 32, phone=PHONE,
                             kind=MessageKind.TEXT, text="Habari")  # fmt: skip
    with tenant_context(ref):
        async with in_transaction():
            recorded = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=inbound
            )
            conversation = await service.get_conversation(conversation_id=recorded.conversation_id)
            row = await outbound.queue_outbound(
                conversation=conversation, outgoing=outgoing, author=Author.HUMAN,
                idempotency_key="k1", templates=frozenset({"follow_up"}),
            )  # fmt: skip
    return ref, channel, row


async def _deliver(app: Any, settings: Settings, ref: TenantRef, row: Message, fake: FakeProviders):
    async with httpx.AsyncClient(transport=fake.transport) as client:
        delivery = Delivery(cipher=app.state.runtime.cipher, settings=settings, client=client)
        with tenant_context(ref):
            return [await deliver(message_id=row.id, delivery=delivery) for _ in range(2)]


async def test_a_twilio_template_goes_as_content_sid_and_variables_once(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    template = Outgoing(template="follow_up", variables={"1": "Wanjiku", "2": "KES 48,000"})
    ref, channel, row = await _queued(app, make_tenant, template)
    fake = FakeProviders()
    assert await _deliver(app, settings, ref, row, fake) == [True, False]
    (sent,) = fake.sent
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert {key: sent.form[key] for key in ("From", "To", "ContentSid")} == {
        "From": SENDER, "To": f"whatsapp:{PHONE}", "ContentSid": CONTENT_SID,
    }  # fmt: skip
    assert json.loads(sent.form["ContentVariables"]) == {"1": "Wanjiku", "2": "KES 48,000"}
    assert "Body" not in sent.form


async def test_nothing_goes_out_through_a_disabled_channel(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    ref, channel, row = await _queued(app, make_tenant, Outgoing(text="Karibu"))
    with tenant_context(ref):
        await disable_channel(channel_id=channel.id)
    fake = FakeProviders()
    assert await _deliver(app, settings, ref, row, fake) == [False, False]
    assert fake.requests == []
    with tenant_context(ref):
        stored = await Message.get(id=row.id)
    assert (stored.status, stored.error_code) == ("failed", "channel_disabled")


async def test_a_template_withdrawn_before_delivery_is_not_sent(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    ref, channel, row = await _queued(app, make_tenant, Outgoing(template="follow_up"))
    with tenant_context(ref):
        await update_channel(cipher=app.state.runtime.cipher, channel_id=channel.id, templates=[])
    fake = FakeProviders()
    assert await _deliver(app, settings, ref, row, fake) == [False, False]
    assert fake.requests == []
    with tenant_context(ref):
        stored = await Message.get(id=row.id)
    assert (stored.status, stored.error_code) == ("failed", "unknown_template")
