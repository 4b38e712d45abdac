"""A local shop conversation goes through the whole path: a signed Twilio webhook into the app,
the queue, the assistant, and one reply per message out through the Twilio Messages API, every
message stored. What the assistant says is its own business here: only the structure is held."""

from __future__ import annotations

from typing import Any

from wabotiq.chat.shop import LocalShop
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations.models import Direction, Message, MessageStatus

PHONE = "+254712000321"


async def _messages(shop: LocalShop, conversation_id: Any) -> list[Message]:
    with tenant_context(TenantRef.of(shop.tenant_id)):
        return list(await Message.filter(conversation_id=conversation_id).order_by("seq"))


async def test_each_message_gets_one_reply_while_the_assistant_has_the_conversation(
    shop: LocalShop,
):
    exchanges = []
    with_bot = True  # a new conversation starts with the assistant
    for text in ("Niaje", "una laptop ngapi?"):
        exchange = await shop.send(text, phone=PHONE)
        # One reply while the assistant has the conversation; none once a person has it.
        assert len(exchange.replies) == (1 if with_bot else 0), (text, exchange)
        assert all(reply.strip() for reply in exchange.replies)
        with_bot = exchange.with_bot
        exchanges.append(exchange)
    assert exchanges[0].replies and exchanges[0].latency_ms is not None
    assert len({exchange.conversation_id for exchange in exchanges}) == 1

    stored = await _messages(shop, exchanges[0].conversation_id)
    inbound = [m for m in stored if m.direction is Direction.INBOUND]
    outbound = [m for m in stored if m.direction is Direction.OUTBOUND]
    assert [(m.text, m.provider_message_id) for m in inbound] == [
        (exchange.text, exchange.message_sid) for exchange in exchanges
    ]
    assert all(m.processed_at is not None for m in inbound)
    # Every reply row went to "Twilio" exactly once, and was accepted with the SID it answered.
    assert [(m.text, m.provider_message_id, m.status) for m in outbound] == [
        (sent.body, sent.sid, MessageStatus.ACCEPTED) for sent in shop.twilio.sent
    ]
    assert [sent.body for sent in shop.twilio.sent] == [
        reply for exchange in exchanges for reply in exchange.replies
    ]
    assert {sent.to for sent in shop.twilio.sent} == {f"whatsapp:{PHONE}"}


async def test_the_local_channel_is_made_once_and_reused(app: Any, demo_tenant: str):
    async with LocalShop.open(app, tenant_id=demo_tenant) as first:
        pass
    async with LocalShop.open(app, tenant_id=demo_tenant) as again:
        pass
    assert again.channel_id == first.channel_id
    assert again.channel.auth_token == first.channel.auth_token
    assert first.channel.account_sid.startswith("AC") and len(first.channel.auth_token) >= 24
