"""What a model is sent for a turn: the shop, its time, the rules, the history, the last list."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from wabotiq.agent.answer import AgentInput, Said
from wabotiq.agent.prompt import conversation, system_prompt
from wabotiq.agent.tools import Item

NAIROBI = ZoneInfo("Africa/Nairobi")


def given(**options) -> AgentInput:
    values = {
        "text": "Niongeze number 2",
        "history": [],
        "language": "sheng",
        "customer_name": "Otieno",
        "shop_name": "Mama Mboga Electronics",
        "now": datetime(2026, 12, 5, 21, 15, tzinfo=UTC),  # Sunday 00:15 in Nairobi
    }
    return AgentInput(**{**values, **options})


def test_the_system_prompt_names_the_shop_its_local_time_and_the_rules() -> None:
    prompt = system_prompt(given(), zone=NAIROBI, currency="KES", register="sheng")

    assert "Mama Mboga Electronics" in prompt
    assert "Sunday 6 December 2026, 00:15 (Africa/Nairobi)" in prompt
    assert "Answer this message in Sheng-flavoured Swahili" in prompt
    assert "KES 48,000" in prompt
    assert "did not come from a tool result" in prompt
    assert "handoff" in prompt


def test_the_last_list_is_numbered_with_ids_and_without_prices() -> None:
    shown = [
        Item(id="p-1", kind="product", name="Tecno Spark 20", price=None),
        Item(id="s-9", kind="service", name="Screen repair"),
    ]
    prompt = system_prompt(given(last_list=shown), zone=NAIROBI, currency="KES", register="en")

    assert "1. Tecno Spark 20 (product, id p-1)\n2. Screen repair (service, id s-9)" in prompt


def test_history_alternates_starts_with_the_customer_and_ends_with_the_new_message() -> None:
    history = [
        Said("bot", "Karibu!"),  # before the window's first customer line: dropped
        Said("customer", "Niaje"),
        Said("customer", "Una simu?"),
        Said("bot", "Ndio, tuko nazo."),
        Said("human", "Hi, Achieng here."),
        Said("customer", "Niongeze number 2"),  # the new message, already in the history
    ]

    messages = conversation(given(history=history), zone=NAIROBI, currency="KES", register="sw")

    assert [(m.role, m.content) for m in messages[1:]] == [
        ("user", "Niaje\nUna simu?"),
        ("assistant", "Ndio, tuko nazo.\nHi, Achieng here."),
        ("user", "Niongeze number 2"),
    ]
    assert messages[0].role == "system"
