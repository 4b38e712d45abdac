"""The language-model tier on a real shop: local servers speak OpenAI's and Gemini's JSON, the
tools run against real Postgres and the real search engine (scripts in `tests.agent.models`)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from tortoise.transactions import in_transaction

from tests.agent.llm.conftest import gemini_provider, openai_provider
from tests.agent.llm.test_factory import make_settings
from tests.agent.llm.wire import (
    ScriptedServer,
    gemini_error,
    gemini_text,
    openai_error,
    openai_text,
)
from tests.agent.models import (
    SIGNATURE,
    VICTUS,
    ManualClock,
    gemini_calls_search,
    gemini_quoting,
    openai_calls,
    openai_quoting,
    small_shop,
    timing_out,
    victus,
)
from wabotiq.agent.answer import AgentInput, Said
from wabotiq.agent.llm import (
    AllProvidersFailed,
    BreakerRegistry,
    BreakerState,
    FailoverChain,
    RetryPolicy,
    provider_health,
)
from wabotiq.agent.llm.types import ToolCall
from wabotiq.agent.llm_agent import (
    LLMAgent,
    UngroundedReply,
    UnusableReply,
    intent_of,
    language_tier,
    reply_register,
)
from wabotiq.agent.replies.phrases import say
from wabotiq.agent.tools import Item, Toolbox, ToolCallRecord, ToolContext
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.customers.service import create_customer
from wabotiq.search.runtime import get_engine

NOW = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)  # 10:30 in Nairobi
NAIROBI = ZoneInfo("Africa/Nairobi")
ONE_TRY = RetryPolicy(attempts=1, initial_s=0.001, max_s=0.001)


@pytest.fixture(scope="module")
async def shop(db: None) -> TenantRef:
    return await small_shop()


@pytest.fixture
async def toolbox(shop: TenantRef, settings: Settings) -> Toolbox:
    """A new customer's toolbox in the shop."""
    phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
    with tenant_context(shop):
        async with in_transaction():
            customer = await create_customer(
                cipher=FieldCipher(settings), phone=phone, name="Wanjiku"
            )
    context = ToolContext(
        tenant_id=shop.id,
        customer_id=customer.id,
        now=NOW,
        zone=NAIROBI,
        currency="KES",
        engine=get_engine(),
    )
    return Toolbox(context)


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[[ScriptedServer], httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []

    def build(server: ScriptedServer) -> httpx.AsyncClient:
        clients.append(httpx.AsyncClient(transport=httpx.MockTransport(server)))
        return clients[-1]

    yield build
    for client in clients:
        await client.aclose()


def chain_of(client_for, openai: ScriptedServer, gemini: ScriptedServer, **options):
    options.setdefault("retry", ONE_TRY)
    options.setdefault("breakers", BreakerRegistry())
    providers = [openai_provider(client_for(openai)), gemini_provider(client_for(gemini))]
    return FailoverChain(providers, **options)


def ask(text: str = "Niaje, uko na laptop ya gaming?", **options: Any) -> AgentInput:
    values: dict[str, Any] = {
        "text": text,
        "history": [Said("customer", "Sasa"), Said("bot", "Poa! Nikusaidie aje?")],
        "language": "sheng",
        "customer_name": "Wanjiku",
        "shop_name": "Duka Tech",
        "now": NOW,
    }
    return AgentInput(**{**values, **options})


async def answer(agent: LLMAgent, given: AgentInput, toolbox: Toolbox):
    with tenant_context(TenantRef.of(toolbox.ctx.tenant_id)):
        return await agent.answer(given, toolbox)


# --- the providers' side: a model that calls tools and quotes their results ------------------


# --- (a) a tool call, its result, and a reply quoting it -------------------------------------


async def test_the_model_searches_and_quotes_the_price_the_tool_returned(
    client_for, toolbox: Toolbox
) -> None:
    openai = ScriptedServer(
        openai_calls(
            "search_catalog", {"query": "gaming laptop"}, prompt_tokens=900, completion_tokens=20
        ),
        openai_quoting("Poa! Iko hii:\n1. {name} - Ksh {price:.0f}", prompt_tokens=1200,
                       completion_tokens=30),
    )  # fmt: skip
    gemini = ScriptedServer(gemini_error(500))
    shown = Item(id="prev-1", kind="product", name="Samsung Galaxy A15 Phone")
    agent = LLMAgent(chain_of(client_for, openai, gemini))

    result = await answer(agent, ask(last_list=[shown]), toolbox)

    assert result.texts == [f"Poa! Iko hii:\n1. {VICTUS} - KES 48,000"]
    assert (result.tier, result.provider, result.model) == (
        "llm",
        "openai",
        "gpt-4o-mini-2024-07-18",
    )
    assert (result.tokens_in, result.tokens_out) == (2100, 50)
    # gpt-4o-mini at $0.15 in / $0.60 out per million tokens, both steps
    assert result.cost_usd == pytest.approx((2100 * 0.15 + 50 * 0.60) / 1e6)
    assert (result.intent, result.understood, result.handoff) == ("product_search", True, False)
    assert result.language == "sheng"
    assert [(hop["step"], hop["provider"], hop["answered"]) for hop in result.hops] == [
        (1, "openai", True),
        (2, "openai", True),
    ]
    assert {hop["model"] for hop in result.hops} == {"gpt-4o-mini-2024-07-18"}
    assert all(hop["latency_ms"] >= 0 for hop in result.hops)
    assert toolbox.calls == [ToolCallRecord("search_catalog", True)]
    assert VICTUS in [item.name for item in toolbox.shown]
    assert gemini.requests == []

    first, second = openai.bodies()
    system = first["messages"][0]
    assert system["role"] == "system"
    assert "Duka Tech" in system["content"]
    assert "Thursday 3 December 2026, 10:30 (Africa/Nairobi)" in system["content"]
    assert "1. Samsung Galaxy A15 Phone (product, id prev-1)" in system["content"]
    assert "Answer this message in Sheng-flavoured Swahili" in system["content"]
    assert [(m["role"], m["content"]) for m in first["messages"][1:]] == [
        ("user", "Sasa"),
        ("assistant", "Poa! Nikusaidie aje?"),
        ("user", "Niaje, uko na laptop ya gaming?"),
    ]
    assert {tool["function"]["name"] for tool in first["tools"]} >= {"search_catalog", "handoff"}
    called, result_message = second["messages"][-2:]
    assert called["tool_calls"][0]["function"] == {
        "name": "search_catalog",
        "arguments": json.dumps({"query": "gaming laptop"}),
    }
    assert result_message["role"] == "tool"
    assert result_message["tool_call_id"] == "call_search_catalog"
    assert victus(json.loads(result_message["content"])["items"])["price"] == "48000.00"


# --- (b) failover in the middle of a turn, with Gemini's signature kept ----------------------


async def test_a_timed_out_provider_fails_over_and_its_breaker_spares_the_next_step(
    client_for, toolbox: Toolbox
) -> None:
    openai = ScriptedServer(timing_out())
    gemini = ScriptedServer(
        gemini_calls_search("laptop ya gaming"),
        gemini_quoting("Sawa! {name} iko KES {price:,.0f}."),
    )
    breakers = BreakerRegistry(failure_threshold=1, cooldown_s=30, clock=ManualClock())
    agent = LLMAgent(chain_of(client_for, openai, gemini, breakers=breakers))

    result = await answer(agent, ask(), toolbox)

    assert result.texts == [f"Sawa! {VICTUS} iko KES 48,000."]
    assert (result.provider, result.model) == ("gemini", "gemini-2.0-flash")
    assert (result.tokens_in, result.tokens_out) == (720, 37)
    hops = [(h["step"], h["provider"], h["answered"], h["failure"]) for h in result.hops]
    assert hops == [
        (1, "openai", False, "timeout"),
        (1, "gemini", True, None),
        (2, "openai", False, "circuit_open"),  # opened by the timeout: not asked again
        (2, "gemini", True, None),
    ]
    assert len(openai.requests) == 1
    model_turn = gemini.bodies()[1]["contents"][-2]
    assert model_turn["role"] == "model"
    (call,) = model_turn["parts"]
    assert base64.b64decode(call["thoughtSignature"]) == SIGNATURE
    assert call["functionCall"]["name"] == "search_catalog"


# --- (c) nobody answers ----------------------------------------------------------------------


async def test_all_providers_down_raises_for_the_offline_tier(client_for, toolbox) -> None:
    openai = ScriptedServer(openai_error(503))
    gemini = ScriptedServer(gemini_error(503, "The model is overloaded."))
    agent = LLMAgent(chain_of(client_for, openai, gemini))

    with pytest.raises(AllProvidersFailed) as raised:
        await answer(agent, ask(), toolbox)

    assert [(hop.provider, hop.kind.value if hop.kind else None) for hop in raised.value.hops] == [
        ("openai", "server_error"),
        ("gemini", "server_error"),
    ]
    assert toolbox.calls == []


# --- (d) the breaker opens, and half-opens after its cool-down -------------------------------


async def test_the_breaker_opens_then_lets_one_probe_through_after_the_cooldown(
    client_for, toolbox: Toolbox
) -> None:
    clock = ManualClock()
    breakers = BreakerRegistry(failure_threshold=1, cooldown_s=30, clock=clock)
    openai = ScriptedServer(timing_out())
    gemini = ScriptedServer(gemini_text("Karibu Duka Tech!"))
    agent = LLMAgent(chain_of(client_for, openai, gemini, breakers=breakers))

    await answer(agent, ask("Sasa"), toolbox)
    clock.now += 29
    still_open = await answer(agent, ask("Niaje"), toolbox)
    openai.then(openai_text("Poa sana! Nikusaidie aje?"))
    clock.now += 1
    probed = await answer(agent, ask("Uko?"), toolbox)

    assert [h["failure"] for h in still_open.hops] == ["circuit_open", None]
    assert (probed.provider, probed.texts) == ("openai", ["Poa sana! Nikusaidie aje?"])
    assert len(openai.requests) == 2  # the timeout, then the one probe
    health = {item.provider: item.state for item in provider_health(breakers)}
    assert health["openai"] is BreakerState.CLOSED


# --- (e) a price the tools never gave -------------------------------------------------------


@pytest.mark.parametrize(
    "made_up",
    ["KES 39,999", "39,999/=", "Ksh 39999", "40k", "KES 96,000"],  # the last: a sum of its own
)
async def test_a_price_no_tool_returned_is_not_sent(client_for, toolbox, made_up) -> None:
    openai = ScriptedServer(
        openai_calls("search_catalog", {"query": "gaming laptop"}),
        openai_quoting(f"{{name}} iko KES {{price:,.0f}}, mbili ni {made_up}."),
    )
    agent = LLMAgent(chain_of(client_for, openai, ScriptedServer(gemini_error(500))))

    with pytest.raises(UngroundedReply) as raised:
        await answer(agent, ask(), toolbox)

    assert raised.value.figures == (made_up,)
    assert [hop["step"] for hop in raised.value.hops] == [1, 2]


async def test_an_empty_reply_is_unusable(client_for, toolbox) -> None:
    openai = ScriptedServer(openai_text(""))
    agent = LLMAgent(chain_of(client_for, openai, ScriptedServer(gemini_error(500))))

    with pytest.raises(UnusableReply):
        await answer(agent, ask(), toolbox)


# --- limits and handoff ----------------------------------------------------------------------


async def test_a_model_that_never_stops_calling_tools_gets_a_safe_reply(
    client_for, toolbox
) -> None:
    openai = ScriptedServer(openai_calls("view_cart", {}, prompt_tokens=100, completion_tokens=5))
    agent = LLMAgent(chain_of(client_for, openai, ScriptedServer(gemini_error(500))), max_steps=3)

    result = await answer(agent, ask("Cart yangu?", language="sw"), toolbox)

    assert len(openai.requests) == 3
    assert result.texts == [say("not_understood", "sw")]
    assert (result.understood, result.intent, result.tokens_in) == (False, "view_cart", 300)
    assert [call.name for call in toolbox.calls] == ["view_cart"] * 3


async def test_a_handoff_is_told_to_the_customer_once(client_for, toolbox) -> None:
    openai = ScriptedServer(
        openai_calls("handoff", {"reason": "customer asked for a person"}), openai_text("")
    )
    agent = LLMAgent(chain_of(client_for, openai, ScriptedServer(gemini_error(500))))

    result = await answer(agent, ask("Nataka kuongea na mtu", language="sw"), toolbox)

    assert (result.handoff, result.intent) == (True, "handoff")
    assert result.texts == [say("handoff", "sw")]
    assert result.texts[0].startswith("Sawa — nakuunganisha")
    assert result.language == "sw"


# --- what the record says ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "intent"),
    [
        ([], "other"),
        ([("search_catalog", {"query": "laptop"})], "product_search"),
        ([("search_catalog", {"query": "returns", "kind": "passage"})], "faq"),
        ([("search_catalog", {"query": "x"}), ("add_to_cart", {"item_id": "1"})], "add_to_cart"),
        ([("view_cart", {}), ("checkout", {})], "checkout"),
        ([("check_availability", {}), ("book_appointment", {})], "book_service"),
        ([("my_appointments", {}), ("reschedule_appointment", {})], "reschedule_booking"),
        ([("my_appointments", {}), ("cancel_appointment", {})], "cancel_booking"),
        ([("order_status", {})], "order_status"),
        ([("item_details", {"item_id": "1"})], "product_details"),
        ([("search_catalog", {"query": "x"}), ("handoff", {})], "handoff"),
    ],
)
def test_the_intent_is_the_most_telling_tool_called(calls, intent) -> None:
    assert intent_of([ToolCall(f"c{n}", name, args) for n, (name, args) in enumerate(calls)]) == (
        intent
    )


async def test_the_language_tier_of_a_tenant_follows_its_chain(client_for) -> None:
    client = client_for(ScriptedServer(openai_text("unused")))
    configured = make_settings(openai_api_key="sk-1", llm_chain="openai,gemini")
    for_tenant = language_tier(configured, client, breakers=BreakerRegistry())
    offline_only = language_tier(make_settings(), client, breakers=BreakerRegistry())

    assert offline_only([]) is None
    assert for_tenant(["gemini"]) is None  # the tenant's only choice has no settings here
    default = for_tenant([])
    assert isinstance(default, LLMAgent)
    assert for_tenant([]) is default  # built once per order


@pytest.mark.parametrize(
    ("text", "before", "register"),
    [
        ("Niaje, uko na laptop ya gaming?", "", "sheng"),  # a new conversation
        ("Nataka kuongea na mtu", "", "sw"),
        ("Hello, do you have gaming laptops?", "sheng", "en"),  # a clear sentence moves it
        ("2", "sw", "sw"),  # too little to move it
    ],
)
def test_the_register_to_answer_in(text: str, before: str, register: str) -> None:
    assert reply_register(text, before) == register
