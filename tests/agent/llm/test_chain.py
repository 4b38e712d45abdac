from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.agent.llm.conftest import gemini_provider, openai_provider
from tests.agent.llm.test_openai_chat import ASK, SEARCH
from tests.agent.llm.wire import (
    ScriptedServer,
    gemini_error,
    gemini_text,
    hang,
    openai_completion,
    openai_error,
    openai_text,
    reply,
)
from wabotiq.agent.llm import (
    AllProvidersFailed,
    BreakerRegistry,
    Completion,
    FailoverChain,
    FailureKind,
    Hop,
    Message,
    RetryPolicy,
    ToolSpec,
    provider_health,
)

FAST_RETRY = RetryPolicy(attempts=3, initial_s=0.001, max_s=0.005)


class CannedOffline:
    """Stands in for the offline tier (built elsewhere): the same `complete`, no network."""

    name = "offline"

    def __init__(self) -> None:
        self.calls = 0

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], *, timeout: float
    ) -> Completion:
        self.calls += 1
        return Completion("Tuko na laptops.", (), "offline", "rules", 0, 0, 0.1)


def chain_of(
    client_for, openai: ScriptedServer, gemini: ScriptedServer, **options
) -> FailoverChain:
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("breakers", BreakerRegistry())
    return FailoverChain(
        [openai_provider(client_for(openai)), gemini_provider(client_for(gemini))], **options
    )


async def test_the_first_provider_that_answers_wins(client_for) -> None:
    openai = ScriptedServer(openai_text("Sasa!", prompt_tokens=1000, completion_tokens=500))
    gemini = ScriptedServer(gemini_text("unused"))

    result = await chain_of(client_for, openai, gemini).complete(ASK, [SEARCH])

    assert result.completion.text == "Sasa!"
    assert result.hops == (Hop("openai", True, 1),)
    assert gemini.requests == []
    # gpt-4o-mini-2024-07-18 at $0.15 in / $0.60 out per million tokens
    assert result.cost_usd == pytest.approx(0.00015 + 0.0003)
    assert result.record() == {
        "provider": "openai",
        "model": "gpt-4o-mini-2024-07-18",
        "tokens_in": 1000,
        "tokens_out": 500,
        "cost_usd": result.cost_usd,
        "latency_ms": round(result.completion.latency_ms, 1),
        "tools_called": [],
        "hops": [
            {"provider": "openai", "answered": True, "attempts": 1, "failure": None, "error": None}
        ],
    }


async def test_a_timeout_fails_over_to_the_next_provider(client_for) -> None:
    openai = ScriptedServer(hang())
    gemini = ScriptedServer(
        gemini_text("Habari! Laptops ziko.", prompt_tokens=30, candidate_tokens=6)
    )
    chain = chain_of(client_for, openai, gemini, timeout_s=0.2, retry=RetryPolicy(2, 0.001, 0.005))

    result = await chain.complete(ASK, [SEARCH])

    assert result.completion.text == "Habari! Laptops ziko."
    assert result.completion.provider == "gemini"
    timed_out, answered = result.hops
    assert (timed_out.provider, timed_out.answered) == ("openai", False)
    assert (timed_out.kind, timed_out.attempts) == (FailureKind.TIMEOUT, 2)
    assert "0.2 s" in (timed_out.error or "")
    assert answered == Hop("gemini", True, 1)
    assert len(openai.requests) == 2  # a timeout is transient: tried again, then given up


async def test_a_gemini_timeout_fails_over_too(client_for) -> None:
    openai = ScriptedServer(openai_text("Sasa kutoka OpenAI!"))
    gemini = ScriptedServer(hang())
    chain = chain_of(client_for, openai, gemini, timeout_s=0.2, retry=RetryPolicy(1, 0.001, 0.001))

    result = await chain.complete(ASK, [], order=["gemini", "openai"])

    assert [(hop.provider, hop.kind) for hop in result.hops] == [
        ("gemini", FailureKind.TIMEOUT),
        ("openai", None),
    ]
    assert result.completion.text == "Sasa kutoka OpenAI!"
    assert len(gemini.requests) == 1


async def test_a_server_error_is_retried_and_then_succeeds(client_for) -> None:
    openai = ScriptedServer(openai_error(500), openai_text("Sasa!"))
    gemini = ScriptedServer(gemini_text("unused"))

    result = await chain_of(client_for, openai, gemini).complete(ASK, [])

    assert result.completion.text == "Sasa!"
    assert result.hops == (Hop("openai", True, 2),)
    assert len(openai.requests) == 2
    assert gemini.requests == []


async def test_a_rate_limit_is_retried_on_gemini_too(client_for) -> None:
    openai = ScriptedServer(openai_error(400, "bad request"))
    gemini = ScriptedServer(gemini_error(429, "Resource exhausted"), gemini_text("Karibu!"))

    result = await chain_of(client_for, openai, gemini).complete(ASK, [])

    assert result.completion.text == "Karibu!"
    assert result.hops[1] == Hop("gemini", True, 2)


async def test_a_client_error_is_not_retried_and_spares_the_breaker(client_for) -> None:
    breakers = BreakerRegistry(failure_threshold=1)
    openai = ScriptedServer(openai_error(400, "Invalid schema for function 'search_products'"))
    gemini = ScriptedServer(gemini_text("Karibu!"))
    chain = chain_of(client_for, openai, gemini, breakers=breakers)

    result = await chain.complete(ASK, [SEARCH])

    refused, answered = result.hops
    assert (refused.provider, refused.kind, refused.attempts) == (
        "openai",
        FailureKind.CLIENT_ERROR,
        1,
    )
    assert "Invalid schema" in (refused.error or "")
    assert answered == Hop("gemini", True, 1)
    assert len(openai.requests) == 1
    health = {item.provider: item for item in provider_health(breakers)}
    assert health["openai"].state == "closed"  # the request was at fault, not the provider
    assert health["openai"].consecutive_failures == 0


async def test_all_providers_down_the_fallback_answers(client_for) -> None:
    openai = ScriptedServer(openai_error(503))
    gemini = ScriptedServer(gemini_error(503, "The model is overloaded."))
    offline = CannedOffline()
    chain = chain_of(client_for, openai, gemini, fallback=offline)

    result = await chain.complete(ASK, [SEARCH])

    assert result.completion.text == "Tuko na laptops."
    assert [(hop.provider, hop.answered, hop.kind, hop.attempts) for hop in result.hops] == [
        ("openai", False, FailureKind.SERVER_ERROR, 3),
        ("gemini", False, FailureKind.SERVER_ERROR, 3),
        ("offline", True, None, 1),
    ]
    assert (len(openai.requests), len(gemini.requests), offline.calls) == (3, 3, 1)
    assert result.cost_usd is None  # no price known for the offline tier's model
    record = result.record()
    assert (record["provider"], record["model"], record["cost_usd"]) == ("offline", "rules", None)
    assert [(hop["provider"], hop["failure"]) for hop in record["hops"]] == [
        ("openai", "server_error"),
        ("gemini", "server_error"),
        ("offline", None),
    ]
    assert "HTTP 503" in record["hops"][0]["error"]


async def test_all_down_without_a_fallback_raises_with_the_hops(client_for) -> None:
    openai = ScriptedServer(openai_error(500))
    gemini = ScriptedServer(gemini_error(400, "API key not valid."))

    with pytest.raises(AllProvidersFailed) as raised:
        await chain_of(client_for, openai, gemini).complete(ASK, [])

    assert [(hop.provider, hop.kind) for hop in raised.value.hops] == [
        ("openai", FailureKind.SERVER_ERROR),
        ("gemini", FailureKind.CLIENT_ERROR),
    ]


async def test_a_tenant_order_overrides_the_default(client_for) -> None:
    openai = ScriptedServer(openai_text("unused"))
    gemini = ScriptedServer(gemini_error(500), gemini_text("Karibu!"))
    chain = chain_of(client_for, openai, gemini, retry=RetryPolicy(1, 0.001, 0.001))

    result = await chain.complete(ASK, [], order=["together", "gemini", "openai"])

    assert result.hops[0] == Hop(
        "together", False, kind=FailureKind.NOT_CONFIGURED, error="no settings"
    )
    assert result.hops[1].provider == "gemini" and result.hops[1].kind is FailureKind.SERVER_ERROR
    assert result.hops[2] == Hop("openai", True, 1)
    assert len(gemini.requests) == 1


async def test_price_overrides_replace_the_table(client_for) -> None:
    openai = ScriptedServer(openai_text("Sasa!", prompt_tokens=2_000_000, completion_tokens=0))
    chain = chain_of(
        client_for, openai, ScriptedServer(gemini_text("")), prices={"gpt-4o-mini": (1.0, 2.0)}
    )

    result = await chain.complete(ASK, [])

    assert result.cost_usd == pytest.approx(2.0)


async def test_a_tool_call_travels_through_the_chain(client_for) -> None:
    call = ("call_Xk2", "search_products", {"query": "laptop", "max_price": 50000})
    openai = ScriptedServer(reply(200, openai_completion(tool_calls=[call], prompt_tokens=9)))

    result = await chain_of(client_for, openai, ScriptedServer(gemini_text(""))).complete(
        ASK, [SEARCH]
    )

    (tool_call,) = result.completion.tool_calls
    assert (tool_call.id, tool_call.name, tool_call.arguments) == call
    assert result.record()["tools_called"] == ["search_products"]
