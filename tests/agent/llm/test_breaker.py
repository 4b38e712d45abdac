from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.agent.llm.conftest import gemini_provider, openai_provider
from tests.agent.llm.test_openai_chat import ASK
from tests.agent.llm.wire import ScriptedServer, gemini_text, held, openai_error, openai_text
from tests.support.polling import eventually
from wabotiq.agent.llm import (
    BreakerRegistry,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    FailoverChain,
    FailureKind,
    LLMError,
    RetryPolicy,
    provider_health,
)

ONE_TRY = RetryPolicy(attempts=1, initial_s=0.001, max_s=0.001)


class ManualClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def health_of(breakers: BreakerRegistry, provider: str):
    return {item.provider: item for item in provider_health(breakers)}[provider]


def chain_of(client_for, openai: ScriptedServer, breakers: BreakerRegistry, retry=ONE_TRY):
    gemini = ScriptedServer(gemini_text("Karibu kutoka Gemini!"))
    providers = [openai_provider(client_for(openai)), gemini_provider(client_for(gemini))]
    return FailoverChain(providers, retry=retry, breakers=breakers)


async def test_health_lists_every_provider_from_the_start(client_for) -> None:
    breakers = BreakerRegistry()
    chain_of(client_for, ScriptedServer(openai_text("")), breakers)

    assert [(h.provider, h.state, h.consecutive_failures) for h in provider_health(breakers)] == [
        ("gemini", BreakerState.CLOSED, 0),
        ("openai", BreakerState.CLOSED, 0),
    ]


async def test_the_breaker_opens_after_n_failures_and_then_calls_nobody(client_for) -> None:
    breakers = BreakerRegistry(failure_threshold=2, cooldown_s=30, clock=ManualClock())
    openai = ScriptedServer(openai_error(500, "The server had an error"))
    chain = chain_of(client_for, openai, breakers)

    for _ in range(2):
        result = await chain.complete(ASK, [])
        assert result.hops[0].kind is FailureKind.SERVER_ERROR
    health = health_of(breakers, "openai")
    assert (health.state, health.consecutive_failures) == (BreakerState.OPEN, 2)
    assert "HTTP 500" in (health.last_error or "")
    assert health.last_failure_at is not None and health.last_success_at is None

    result = await chain.complete(ASK, [])

    assert len(openai.requests) == 2  # nothing reached the provider while open
    skipped, answered = result.hops
    assert (skipped.provider, skipped.kind, skipped.attempts) == (
        "openai",
        FailureKind.CIRCUIT_OPEN,
        1,
    )
    assert answered.provider == "gemini" and answered.answered
    assert health_of(breakers, "gemini").last_success_at is not None


async def test_retries_stop_once_the_breaker_opens(client_for) -> None:
    breakers = BreakerRegistry(failure_threshold=2, cooldown_s=30, clock=ManualClock())
    openai = ScriptedServer(openai_error(503))
    chain = chain_of(client_for, openai, breakers, retry=RetryPolicy(5, 0.001, 0.002))

    result = await chain.complete(ASK, [])

    assert len(openai.requests) == 2
    assert (result.hops[0].kind, result.hops[0].attempts) == (FailureKind.CIRCUIT_OPEN, 3)


async def test_after_the_cooldown_one_probe_passes_and_its_success_closes(client_for) -> None:
    clock = ManualClock()
    breakers = BreakerRegistry(failure_threshold=1, cooldown_s=30, clock=clock)
    openai = ScriptedServer(openai_error(500))
    chain = chain_of(client_for, openai, breakers)
    await chain.complete(ASK, [])
    clock.advance(29.9)
    assert health_of(breakers, "openai").state is BreakerState.OPEN

    clock.advance(0.1)

    assert health_of(breakers, "openai").state is BreakerState.HALF_OPEN
    gate, arrived = asyncio.Event(), asyncio.Event()
    openai.then(held(gate, openai_text("Sasa, OpenAI tena!"), arrived=arrived))
    probe = asyncio.create_task(chain.complete(ASK, []))
    await arrived.wait()
    meanwhile = await chain.complete(ASK, [])  # while the probe is out, no second caller passes
    assert meanwhile.hops[0].kind is FailureKind.CIRCUIT_OPEN
    assert meanwhile.completion.provider == "gemini"
    assert len(openai.requests) == 2
    assert health_of(breakers, "openai").state is BreakerState.HALF_OPEN

    gate.set()
    probed = await probe

    assert probed.completion.text == "Sasa, OpenAI tena!"
    health = health_of(breakers, "openai")
    assert (health.state, health.consecutive_failures) == (BreakerState.CLOSED, 0)
    assert health.last_success_at is not None
    again = await chain.complete(ASK, [])
    assert again.completion.provider == "openai" and len(openai.requests) == 3


async def test_a_failed_probe_opens_the_breaker_again(client_for) -> None:
    clock = ManualClock()
    breakers = BreakerRegistry(failure_threshold=3, cooldown_s=30, clock=clock)
    openai = ScriptedServer(openai_error(500))
    chain = chain_of(client_for, openai, breakers)
    for _ in range(3):
        await chain.complete(ASK, [])
    clock.advance(30)

    probe = await chain.complete(ASK, [])  # one failure is enough when half-open

    assert probe.hops[0].kind is FailureKind.SERVER_ERROR
    assert len(openai.requests) == 4
    health = health_of(breakers, "openai")
    assert (health.state, health.consecutive_failures) == (BreakerState.OPEN, 4)
    clock.advance(29)
    await chain.complete(ASK, [])
    assert len(openai.requests) == 4  # a whole new cool-down


async def test_the_cooldown_runs_on_the_real_clock(client_for) -> None:
    breakers = BreakerRegistry(failure_threshold=1, cooldown_s=0.05)
    openai = ScriptedServer(openai_error(500), openai_text("Niko sawa tena."))
    chain = chain_of(client_for, openai, breakers)
    await chain.complete(ASK, [])

    async def half_open() -> bool:
        return health_of(breakers, "openai").state is BreakerState.HALF_OPEN

    await eventually(half_open, "the breaker half-opens after its cool-down")
    result = await chain.complete(ASK, [])

    assert result.completion.text == "Niko sawa tena."
    assert health_of(breakers, "openai").state is BreakerState.CLOSED


async def test_a_cancelled_probe_is_no_verdict() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("openai", failure_threshold=1, cooldown_s=30, clock=clock)

    async def fail() -> None:
        raise LLMError.from_status("openai", 502, "Bad gateway")

    with pytest.raises(LLMError):
        await breaker.call(fail)
    clock.advance(30)
    started = asyncio.Event()

    async def wait_forever() -> None:
        started.set()
        await asyncio.Event().wait()

    async def answer() -> str:
        return "ok"

    probe = asyncio.create_task(breaker.call(wait_forever))
    await started.wait()
    with pytest.raises(CircuitOpenError):
        await breaker.call(answer)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe

    assert breaker.state is BreakerState.HALF_OPEN  # neither closed nor re-opened
    assert breaker.health().consecutive_failures == 1
    assert await breaker.call(answer) == "ok"  # the next probe is let through
    assert breaker.state is BreakerState.CLOSED


async def test_health_says_the_last_failure_kind_and_when_the_next_probe_may_pass() -> None:
    clock = ManualClock()
    breakers = BreakerRegistry(failure_threshold=2, cooldown_s=30, clock=clock)
    breaker = breakers.get("gemini")

    async def rate_limited() -> None:
        raise LLMError.from_status("gemini", 429, "Resource exhausted")

    with pytest.raises(LLMError):
        await breaker.call(rate_limited)
    closed = breakers.health_of("gemini")
    assert (closed.state, closed.last_failure_kind, closed.probe_at) == (
        BreakerState.CLOSED,
        "rate_limited",
        None,
    )

    with pytest.raises(LLMError):
        await breaker.call(rate_limited)
    clock.advance(10)
    before = datetime.now(UTC)
    opened = breakers.health_of("gemini")
    after = datetime.now(UTC)

    assert opened.state is BreakerState.OPEN
    assert opened.probe_at is not None
    assert before + timedelta(seconds=20) <= opened.probe_at <= after + timedelta(seconds=20)
    clock.advance(20)
    assert breakers.health_of("gemini").state is BreakerState.HALF_OPEN
    assert breakers.health_of("gemini").probe_at is None  # a probe may pass now


def test_health_of_a_provider_never_called_is_closed_and_adds_no_breaker() -> None:
    breakers = BreakerRegistry()

    health = breakers.health_of("compatible")

    assert (health.provider, health.state, health.consecutive_failures) == (
        "compatible",
        BreakerState.CLOSED,
        0,
    )
    assert (health.last_error, health.last_failure_kind, health.probe_at) == (None, None, None)
    assert provider_health(breakers) == []
