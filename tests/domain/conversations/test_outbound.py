"""The outbound rules without any provider: idempotency keys, the 24-hour window, templates."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import twilio_channel
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import outbound, service
from wabotiq.domain.conversations.errors import ConversationError, ConversationErrorCode
from wabotiq.domain.conversations.models import Author, Conversation, Message
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.domain.customers.service import get_or_create_customer_by_phone

TEMPLATES = frozenset({"follow_up"})


T = TypeVar("T")


@dataclass
class Shop:
    """One tenant's conversation; each call runs in its schema and its own transaction."""

    ref: TenantRef
    conversation: Conversation

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            async with in_transaction():
                return await call()

    async def queue(self, outgoing: Outgoing, author: Author, key: str) -> Message:
        return await self.run(
            lambda: outbound.queue_outbound(
                conversation=self.conversation, outgoing=outgoing, author=author,
                idempotency_key=key, templates=TEMPLATES,
            )
        )  # fmt: skip

    async def count(self) -> int:
        return await self.run(lambda: Message.filter(conversation_id=self.conversation.id).count())


async def _shop(app: Any, make_tenant: MakeTenant, *, wrote_ago: timedelta) -> Shop:
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    ref = TenantRef.of(tenant.id)
    with tenant_context(ref):
        async with in_transaction():
            customer_id = await get_or_create_customer_by_phone(cipher=cipher, phone="0712345678")
            conversation_id = await service.open_conversation(
                channel_id=channel.id,
                customer_id=customer_id,
                inbound_at=datetime.now(UTC) - wrote_ago,
            )
        return Shop(ref, await Conversation.get(id=conversation_id))


async def test_within_the_window_text_is_pending_and_a_key_makes_one_row(app, make_tenant):
    shop = await _shop(app, make_tenant, wrote_ago=timedelta(hours=23))
    first = await shop.queue(Outgoing(text="Karibu!"), Author.BOT, "k1")
    again = await shop.queue(Outgoing(text="Karibu!"), Author.BOT, "k1")
    assert first.id == again.id and first.status == "pending"
    assert await shop.count() == 1


async def test_outside_the_window_a_person_s_text_is_refused_and_nothing_stored(app, make_tenant):
    shop = await _shop(app, make_tenant, wrote_ago=timedelta(hours=25))
    with pytest.raises(ConversationError) as refused:
        await shop.queue(Outgoing(text="Still interested?"), Author.HUMAN, "k1")
    assert refused.value.code is ConversationErrorCode.WINDOW_CLOSED
    assert await shop.count() == 0


async def test_outside_the_window_the_assistant_s_text_is_held_and_a_template_may_go(
    app, make_tenant
):
    shop = await _shop(app, make_tenant, wrote_ago=timedelta(hours=25))
    held = await shop.queue(Outgoing(text="Any news?"), Author.BOT, "k1")
    template = Outgoing(template="follow_up", variables={"1": "Wanjiku"})
    pending = await shop.queue(template, Author.HUMAN, "k2")
    assert (held.status, pending.status, pending.kind) == ("held", "pending", "template")
    assert pending.extra == {"template": "follow_up", "variables": {"1": "Wanjiku"}}
    assert await shop.run(lambda: outbound.undelivered(conversation_id=shop.conversation.id)) == [
        pending.id
    ]


async def test_an_unknown_template_or_empty_text_is_refused(app, make_tenant):
    shop = await _shop(app, make_tenant, wrote_ago=timedelta(hours=1))
    with pytest.raises(ConversationError) as unknown:
        await shop.queue(Outgoing(template="promo"), Author.HUMAN, "k1")
    with pytest.raises(ConversationError) as empty:
        await shop.queue(Outgoing(text="  "), Author.HUMAN, "k2")
    assert unknown.value.code is ConversationErrorCode.UNKNOWN_TEMPLATE
    assert empty.value.code is ConversationErrorCode.INVALID


async def test_a_pending_row_is_claimed_once(app, make_tenant):
    shop = await _shop(app, make_tenant, wrote_ago=timedelta(hours=1))
    row = await shop.queue(Outgoing(text="Karibu!"), Author.BOT, "k1")
    claims = [await shop.run(lambda: outbound.claim_delivery(message_id=row.id)) for _ in range(3)]
    assert [claim is not None for claim in claims] == [True, False, False]
    assert await shop.run(lambda: outbound.claim_delivery(message_id=uuid.uuid4())) is None
