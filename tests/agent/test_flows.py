"""The assistant end to end, offline tier: a customer shops in Sheng and books in Swahili
through signed webhooks, the drain task and a local Twilio; every reply is what went out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from tortoise.transactions import in_transaction

from tests.agent.shop import TILL, Chat, demo_shop, next_weekday
from tests.support.polling import eventually
from tests.support.whatsapp import providers
from wabotiq.agent.responder import AgentResponder
from wabotiq.agent.turn import MediaAwareResponder
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.bookings.models import Appointment, Service
from wabotiq.domain.conversations.service import release_to_bot
from wabotiq.domain.orders.models import Order, OrderLine

NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=NAIROBI)  # a Wednesday morning


@pytest.fixture(scope="module")
async def shop(app: Any) -> tuple[str, Any]:
    return await demo_shop(app)


@pytest.fixture
async def chat(
    app: Any, client: httpx.AsyncClient, settings: Settings, shop: tuple[str, Any]
) -> AsyncIterator[Chat]:
    responder = MediaAwareResponder(inner=AgentResponder(clock=lambda: NOW))
    async with providers(app, responder) as fake:
        yield Chat(client, settings, fake, tenant_id=shop[0], channel_id=shop[1])


async def test_a_sheng_purchase_from_greeting_to_payment_instructions(chat: Chat):
    [hello] = await chat.say("Niaje")
    assert hello.startswith("Niaje") and "Duka Smart" in hello
    [laptops] = await chat.say("una laptop ngapi?")
    assert laptops.count("KES ") >= 3 and "\n1. " in laptops
    [gaming] = await chat.say("Gaming, budget ni 50K")
    first_line = next(line for line in gaming.splitlines() if line.startswith("1. "))
    assert "HP Pavilion Gaming 15" in first_line and "KES 48,000" in first_line
    [added] = await chat.say("Niongeze number 1 kwa cart")
    assert "1 × HP Pavilion Gaming 15" in added and "KES 48,000" in added
    [paid] = await chat.say("Checkout")
    assert TILL in paid and "KES 48,000" in paid

    with tenant_context(TenantRef.of(chat.tenant_id)):
        [order] = await Order.filter(number__in=[w for w in paid.split() if "-" in w])
        [line] = await OrderLine.filter(order_id=order.id)
    assert order.status.value == "pending_payment" and order.number in paid
    assert (line.sku, line.quantity, order.total) == ("LP-HP-PAV-G15", 1, Decimal("48000"))
    mine = (await chat.interactions())[-5:]
    assert [r.intent for r in mine] == [
        "greeting", "product_search", "product_search", "add_to_cart", "checkout"
    ]  # fmt: skip
    assert all(r.tier == "offline" and r.language in ("sw", "sheng") for r in mine)


async def test_a_swahili_booking_lands_next_saturday_at_ten_and_a_taken_slot_gets_alternatives(
    chat: Chat, app: Any, client: httpx.AsyncClient, settings: Settings
):
    saturday_ten = next_weekday(NOW, 5).replace(hour=10)
    [booked] = await chat.say("Nataka kusukwa box braids Jumamosi saa nne asubuhi")
    assert "Box Braids" in booked and "saa nne asubuhi" in booked, booked
    with tenant_context(TenantRef.of(chat.tenant_id)):
        braids = await Service.get(code="SV-BRAIDS")
        [appointment] = await Appointment.filter(service_id=braids.id)
    assert appointment.starts_at == saturday_ten

    other = Chat(client, settings, chat.fake, chat.tenant_id, chat.channel_id)
    [refused] = await other.say("Nataka kusukwa box braids Jumamosi saa nne asubuhi")
    assert "haipatikani" in refused and "\n1. " in refused, refused
    first_offer = next(line for line in refused.splitlines() if line.startswith("1. "))[3:]
    [rebooked] = await other.say("namba 1")  # the first time offered
    assert "Box Braids" in rebooked and first_offer in rebooked, (first_offer, rebooked)
    with tenant_context(TenantRef.of(chat.tenant_id)):
        starts = sorted(a.starts_at for a in await Appointment.filter(service_id=braids.id))
    assert len(starts) == 2 and starts[0] == saturday_ten and starts[1] != saturday_ten


async def test_asked_for_a_person_the_bot_says_so_once_then_is_silent_until_released(chat: Chat):
    [handed] = await chat.say("Nataka kuongea na mtu, si bot")
    assert "timu yetu" in handed
    conversation = await chat.conversation()
    assert conversation.status.value == "human"
    sent = len(chat.fake.sent)
    await chat.send("Hello? Mko?")
    await eventually(chat.all_seen, "the message seen")
    assert len(chat.fake.sent) == sent  # silence while a person has it

    with tenant_context(TenantRef.of(chat.tenant_id)):
        async with in_transaction():
            await release_to_bot(conversation_id=conversation.id)
    [answer] = await chat.say("Mna fridge?")
    assert "KES " in answer and "\n1. " in answer


async def test_two_turns_not_understood_in_a_row_go_to_a_person(chat: Chat):
    [first] = await chat.say("blah qwerty")
    assert "products" in first or "bidhaa" in first  # what it can do
    [second] = await chat.say("zzz yyy")
    assert "team" in second or "timu" in second
    conversation = await chat.conversation()
    assert conversation.status.value == "human"
    assert [r.understood for r in (await chat.interactions())[-2:]] == [False, False]
