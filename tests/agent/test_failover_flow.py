"""Failover end to end: a customer writes through a signed Twilio webhook, the drain task asks
the language-model tier, local servers speak OpenAI's and Gemini's JSON, and a local Twilio keeps
what went out. The first provider times out and the second answers; with every provider down,
or with a reply that names a price no tool gave, the offline tier answers; a provider's breaker
opens and, after its cool-down, lets one probe through."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.agent.llm.test_factory import Router
from tests.agent.llm.wire import (
    ScriptedServer,
    gemini_error,
    gemini_text,
    openai_error,
    openai_text,
)
from tests.agent.models import (
    VICTUS,
    ManualClock,
    gemini_calls_search,
    gemini_quoting,
    openai_calls,
    openai_quoting,
    small_shop,
    timing_out,
)
from tests.agent.shop import Chat
from tests.support.whatsapp import providers, twilio_channel
from wabotiq.agent.llm import BreakerRegistry
from wabotiq.agent.llm_agent import language_tier
from wabotiq.agent.responder import AgentResponder
from wabotiq.agent.turn import MediaAwareResponder
from wabotiq.core.settings import Settings
from wabotiq.domain.assistant.models import Interaction

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Africa/Nairobi"))
ASK = "Niaje, uko na laptop ya gaming?"


@pytest.fixture(scope="module")
async def shop(app: Any) -> tuple[str, uuid.UUID]:
    """Two laptops and a phone, indexed, and a Twilio channel."""
    tenant = await small_shop()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    return tenant.id, channel.id


@dataclass
class Models:
    openai: ScriptedServer
    gemini: ScriptedServer
    clock: ManualClock


@pytest.fixture
async def models(
    app: Any, client: httpx.AsyncClient, settings: Settings, shop: tuple[str, uuid.UUID]
) -> AsyncIterator[tuple[Models, Chat]]:
    """Local OpenAI and Gemini (scripted by each test), the platform's chain pointing at them
    (one try each, a breaker that opens at the first failure for 30 s), and a customer."""
    found = Models(ScriptedServer(openai_text("")), ScriptedServer(gemini_text("")), ManualClock())
    router = Router({"openai.test": found.openai, "gemini.test": found.gemini})
    llm_settings = settings.model_copy(
        update={
            "llm_chain": ["openai", "gemini"],
            "openai_api_key": "sk-test-123",
            "openai_base_url": "https://openai.test/v1",
            "gemini_api_key": "AIza-test",
            "gemini_base_url": "https://gemini.test",
            "llm_max_attempts": 1,
            "llm_breaker_failures": 1,
            "llm_breaker_cooldown_s": 30.0,
        }
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(router)) as llm_client:
        tier = language_tier(llm_settings, llm_client, breakers=BreakerRegistry(clock=found.clock))
        responder = AgentResponder(language_tier=tier, clock=lambda: NOW)
        async with providers(app, MediaAwareResponder(inner=responder)) as fake:
            yield found, Chat(client, settings, fake, tenant_id=shop[0], channel_id=shop[1])


async def turn(chat: Chat, text: str) -> tuple[list[str], list[Interaction]]:
    """The replies to `text` and the interactions its turn recorded (the shop, and so its
    interaction table, is shared by this module's tests)."""
    before = len(await chat.interactions())
    replies = await chat.say(text)
    return replies, (await chat.interactions())[before:]


async def test_the_first_provider_times_out_and_the_second_answers(models) -> None:
    llm, chat = models
    llm.openai.then(timing_out())
    quote = gemini_quoting("Sawa! {name} iko KES {price:,.0f}.")
    llm.gemini.then(gemini_calls_search("laptop ya gaming"), quote)

    replies, (record,) = await turn(chat, ASK)

    assert replies == [f"Sawa! {VICTUS} iko KES 48,000."]
    assert (record.tier, record.provider, record.model) == ("llm", "gemini", "gemini-2.0-flash")
    assert [(hop["step"], hop["provider"], hop["failure"]) for hop in record.hops] == [
        (1, "openai", "timeout"),
        (1, "gemini", None),
        (2, "openai", "circuit_open"),
        (2, "gemini", None),
    ]
    assert [tool["name"] for tool in record.tools] == ["search_catalog"]
    assert (record.tokens_in, record.tokens_out) == (720, 37)


async def test_with_every_provider_down_the_offline_tier_answers(models) -> None:
    llm, chat = models
    llm.openai.then(openai_error(503))
    llm.gemini.then(gemini_error(503, "The model is overloaded."))

    (reply,), (record,) = await turn(chat, ASK)

    assert VICTUS in reply and "KES 48,000" in reply
    assert (record.tier, record.provider) == ("offline", "offline")
    assert [(hop["provider"], hop["failure"]) for hop in record.hops] == [
        ("openai", "server_error"),
        ("gemini", "server_error"),
    ]
    assert (len(llm.openai.requests), len(llm.gemini.requests)) == (1, 1)


async def test_a_made_up_price_is_never_sent_and_the_offline_tier_answers(models) -> None:
    llm, chat = models
    llm.openai.then(
        openai_calls("search_catalog", {"query": "gaming laptop"}),
        openai_quoting("{name} iko KES 39,999 tu!"),
    )

    (reply,), (record,) = await turn(chat, ASK)

    assert "39,999" not in reply
    assert VICTUS in reply and "KES 48,000" in reply
    assert record.tier == "offline"
    assert "KES 39,999" in record.hops[-1]["error"]  # after the steps that answered


async def test_the_breaker_opens_and_half_opens_after_its_cooldown(models) -> None:
    llm, chat = models
    llm.openai.then(timing_out())
    llm.gemini.then(gemini_text("Karibu Duka Tech! Nikusaidie aje?"))

    _, (first,) = await turn(chat, "Sasa")
    llm.clock.now += 29
    _, (still_open,) = await turn(chat, "Niaje")
    llm.openai.then(openai_text("Poa! Nikusaidie na nini leo?"))
    llm.clock.now += 1
    probed, (probe,) = await turn(chat, "Uko?")

    assert probed == ["Poa! Nikusaidie na nini leo?"]
    assert len(llm.openai.requests) == 2  # the timeout, then the one probe after the cool-down
    assert [record.provider for record in (first, still_open, probe)] == [
        "gemini",
        "gemini",
        "openai",
    ]
    assert [hop["failure"] for hop in first.hops] == ["timeout", None]
    assert [hop["failure"] for hop in still_open.hops] == ["circuit_open", None]
    assert [hop["failure"] for hop in probe.hops] == [None]
