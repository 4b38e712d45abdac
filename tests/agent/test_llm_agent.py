"""The language-model tier on a real shop: local servers speak OpenAI's and Gemini's JSON, the
tools run against real Postgres and the real search engine. The "model" of these servers quotes
what the tool results it is sent say, so a price in a reply travels from the catalog, through
the tool, the wire and the model, to the customer."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from tortoise.transactions import in_transaction

from tests.agent.llm.conftest import gemini_provider, openai_provider
from tests.agent.llm.wire import (
    ScriptedServer,
    Step,
    gemini_error,
    gemini_response,
    gemini_text,
    openai_completion,
    openai_error,
    openai_text,
    reply,
)
from tests.conftest import OWNER_PASSWORD
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
    split_reply,
)
from wabotiq.agent.tools import Item, Toolbox, ToolCallRecord, ToolContext
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.catalog.service import ProductSpec, create_product
from wabotiq.domain.customers.service import create_customer
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.search.runtime import get_engine

NOW = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)  # 10:30 in Nairobi
NAIROBI = ZoneInfo("Africa/Nairobi")
VICTUS = "HP Victus 15 Gaming Laptop"
ONE_TRY = RetryPolicy(attempts=1, initial_s=0.001, max_s=0.001)
SIGNATURE = b"\x0a\x1fthought"


class ManualClock:
    """Monotonic seconds that move only when the test says so (the breakers' cool-down)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
async def shop(db: None) -> TenantRef:
    """Three products, indexed; the laptop's sale price is the price a customer is quoted."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    made = await create_tenant(
        name="Duka Tech", slug=slug, owner_email=f"owner-{slug}@example.com",
        owner_password=OWNER_PASSWORD,
    )  # fmt: skip
    tenant = TenantRef.of(made.tenant.id)
    products = [
        (VICTUS, "52000", "48000", "Gaming laptop, RTX 4050, 16GB RAM"),
        ("Lenovo IdeaPad Gaming 3 Laptop", "61500", None, "Gaming laptop, RTX 3050"),
        ("Samsung Galaxy A15 Phone", "18999", None, "Smartphone, 128GB"),
    ]
    with tenant_context(tenant):
        async with in_transaction():
            for name, price, sale, description in products:
                spec = ProductSpec(
                    sku=f"SKU-{uuid.uuid4().hex[:8]}",
                    name=name,
                    price=Decimal(price),
                    sale_price=Decimal(sale) if sale else None,
                    description=description,
                    stock=4,
                )
                await create_product(spec=spec)
    await get_engine().reindex(tenant.id)
    return tenant


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


def timing_out() -> Step:
    """The provider takes longer than the client waits: httpx gives up reading."""

    async def step(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("The read operation timed out", request=request)

    return step


def openai_calls(name: str, arguments: dict[str, Any], **usage: Any) -> Step:
    call = (f"call_{name}", name, arguments)
    return reply(200, openai_completion(tool_calls=[call], **usage))


def _victus(items: list[dict[str, Any]]) -> dict[str, Any]:
    return next(item for item in items if item["name"] == VICTUS)


def openai_quoting(template: str, **usage: Any) -> Step:
    """Answers with `template` filled from the last tool result it was sent."""

    async def step(request: httpx.Request) -> httpx.Response:
        result = json.loads(json.loads(request.content)["messages"][-1]["content"])
        item = _victus(result["items"])
        text = template.format(name=item["name"], price=Decimal(item["price"]))
        return httpx.Response(200, json=openai_completion(content=text, **usage))

    return step


def gemini_calls_search(query: str) -> Step:
    part = {
        "functionCall": {"id": "fc-1", "name": "search_catalog", "args": {"query": query}},
        "thoughtSignature": base64.b64encode(SIGNATURE).decode(),
    }
    return reply(200, gemini_response([part], prompt_tokens=300, candidate_tokens=12))


def gemini_quoting(template: str) -> Step:
    async def step(request: httpx.Request) -> httpx.Response:
        parts = json.loads(request.content)["contents"][-1]["parts"]
        item = _victus(parts[0]["functionResponse"]["response"]["items"])
        text = template.format(name=item["name"], price=Decimal(item["price"]))
        body = gemini_response([{"text": text}], prompt_tokens=420, candidate_tokens=25)
        return httpx.Response(200, json=body)

    return step


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
    assert _victus(json.loads(result_message["content"])["items"])["price"] == "48000.00"


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
    assert result.texts[0].startswith("Samahani, sikuweza kukamilisha")
    assert (result.understood, result.intent, result.tokens_in) == (False, "view_cart", 300)
    assert [call.name for call in toolbox.calls] == ["view_cart"] * 3


async def test_a_handoff_is_told_to_the_customer_once(client_for, toolbox) -> None:
    openai = ScriptedServer(
        openai_calls("handoff", {"reason": "customer asked for a person"}), openai_text("")
    )
    agent = LLMAgent(chain_of(client_for, openai, ScriptedServer(gemini_error(500))))

    result = await answer(agent, ask("Nataka kuongea na mtu", language="sw"), toolbox)

    assert (result.handoff, result.intent) == (True, "handoff")
    assert result.texts == ["Nimemwomba mhudumu wa duka akusaidie. Atakujibu hapa hivi punde."]
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


def test_a_long_reply_is_cut_between_paragraphs_then_lines() -> None:
    paragraph = "\n".join(f"{n}. " + "x" * 95 for n in range(1, 9))  # 8 lines, ~790 characters
    text = f"{paragraph}\n\n{paragraph}\n\n" + "y" * 2100

    messages = split_reply(text, limit=1000)

    assert messages[:2] == [paragraph, paragraph]
    assert messages[2:] == ["y" * 1000, "y" * 1000, "y" * 100]
    assert split_reply("Sawa!") == ["Sawa!"]
