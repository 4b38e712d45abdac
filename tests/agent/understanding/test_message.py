from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from wabotiq.agent.understanding import understand
from wabotiq.agent.understanding.intents import Intent
from wabotiq.agent.understanding.language import Register
from wabotiq.agent.understanding.slots import ShownItem

NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=NAIROBI)  # a Thursday
LAPTOPS = (
    ShownItem("LP-HP-VICTUS15", "HP Victus 15 Gaming Laptop", Decimal(95_000), "HP"),
    ShownItem("LP-ACER-NITRO5", "Acer Nitro 5", Decimal(88_000), "Acer"),
    ShownItem("LP-HP-PAV-G15", "HP Pavilion Gaming 15", Decimal(49_500), "HP"),
)


async def test_a_sheng_purchase_turn_by_turn() -> None:
    hello = await understand("Niaje", previous_register=None, last_list=(), now=NOW, tz=NAIROBI)
    assert (hello.intent.intent, hello.register.register) == (Intent.GREETING, Register.SHENG)

    ask = await understand(
        "una laptop ngapi?", previous_register=Register.SHENG, last_list=(), now=NOW, tz=NAIROBI
    )
    assert ask.intent.intent == Intent.PRODUCT_SEARCH
    assert ask.register.reply == Register.SHENG

    budget = await understand(
        "Gaming, budget ni 50K",
        previous_register=Register.SHENG,
        last_list=(),
        now=NOW,
        tz=NAIROBI,
        history=["Niaje", "una laptop ngapi?"],
    )
    assert budget.intent.intent == Intent.PRODUCT_SEARCH
    assert budget.budget is not None and budget.budget.high == Decimal(50_000)
    assert budget.query.price_max == Decimal(50_000)
    assert "laptop" in budget.query.terms  # the product comes from the conversation

    add = await understand(
        "Niongeze number 3 kwa cart",
        previous_register=Register.SHENG,
        last_list=LAPTOPS,
        now=NOW,
        tz=NAIROBI,
    )
    assert add.intent.intent == Intent.ADD_TO_CART
    assert add.reference is not None and add.reference.item == LAPTOPS[2]
    assert add.quantity is None

    pay = await understand(
        "Checkout", previous_register=Register.SHENG, last_list=(), now=NOW, tz=NAIROBI
    )
    assert pay.intent.intent == Intent.CHECKOUT
    assert pay.register.register == Register.SHENG  # one English word keeps the register


async def test_a_swahili_booking_with_its_time() -> None:
    booking = await understand(
        "Nataka kusukwa box braids Jumamosi saa nne asubuhi",
        previous_register=None,
        last_list=(),
        now=NOW,
        tz=NAIROBI,
    )
    assert booking.intent.intent == Intent.BOOK_SERVICE
    assert booking.register.reply == Register.SWAHILI
    assert booking.time is not None and booking.time.exact
    assert booking.time.start == datetime(2026, 12, 5, 10, 0, tzinfo=NAIROBI)
    assert booking.budget is None


async def test_an_english_reference_by_price_and_a_quantity() -> None:
    result = await understand(
        "I'll take two of the cheaper one",
        previous_register=Register.ENGLISH,
        last_list=LAPTOPS,
        now=NOW,
        tz=NAIROBI,
    )
    assert result.intent.intent == Intent.ADD_TO_CART
    assert result.reference is not None and result.reference.item == LAPTOPS[2]
    assert result.quantity == 2
    assert result.register.reply == Register.ENGLISH
