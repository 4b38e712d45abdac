"""`llmProviders` shows the process's breakers: a provider that failed until its circuit
opened is shown open, with its last failure and when the next probe may pass."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import MakeTenant, gql
from tests.support.apps import app_client
from wabotiq.agent.llm import BREAKERS, BreakerRegistry, BreakerState, LLMError
from wabotiq.core.settings import Settings

PROVIDERS = """
{
  llmProviders {
    name configured state consecutiveFailures lastFailureKind lastError lastFailureAt
    nextProbeAt
  }
}
"""
COOLDOWN_S = 3600
COOLDOWN, SLACK = timedelta(seconds=COOLDOWN_S), timedelta(seconds=1)
KEYS = {
    "openai_api_key": None,
    "gemini_api_key": "AIza-test",
    "llm_compatible_base_url": None,
    "llm_compatible_model": None,
    "llm_chain": ["openai", "gemini", "compatible"],
}


async def _answer() -> None:
    return None


async def _overloaded() -> None:
    raise LLMError.from_status("gemini", 503, "The model is overloaded")


@pytest.fixture
async def breakers(settings: Settings) -> AsyncIterator[BreakerRegistry]:
    """The process's breakers, opening after two failures for an hour; closed again after
    (a zero cool-down half-opens them, and an answered probe closes them)."""
    BREAKERS.configure(failure_threshold=2, cooldown_s=COOLDOWN_S)
    yield BREAKERS
    BREAKERS.configure(failure_threshold=2, cooldown_s=0)
    for health in BREAKERS.health():
        if health.state is not BreakerState.CLOSED:
            await BREAKERS.get(health.provider).call(_answer)
    BREAKERS.configure(
        failure_threshold=settings.llm_breaker_failures, cooldown_s=settings.llm_breaker_cooldown_s
    )


async def test_a_breaker_opened_by_failures_shows_open_until_its_probe(
    settings: Settings, database_url: str, make_tenant: MakeTenant, breakers: BreakerRegistry
):
    tenant = await make_tenant()
    async with app_client(settings, database_url, **KEYS) as client:
        before = await _providers(client, tenant.key_headers())
        failing_from = datetime.now(UTC)
        for _ in range(2):
            with pytest.raises(LLMError):
                await breakers.get("gemini").call(_overloaded)
        opened_by = datetime.now(UTC)
        after = await _providers(client, tenant.key_headers())

    assert [(p["name"], p["configured"]) for p in after] == [
        ("openai", False),
        ("gemini", True),
        ("compatible", False),
        ("offline", True),
    ]
    assert before[1]["state"] == "CLOSED" and before[1]["nextProbeAt"] is None
    gemini = after[1]
    assert (gemini["state"], gemini["consecutiveFailures"], gemini["lastFailureKind"]) == (
        "OPEN",
        2,
        "server_error",
    )
    assert "HTTP 503" in gemini["lastError"] and "overloaded" in gemini["lastError"]
    assert gemini["lastFailureAt"] is not None
    # An hour after it opened (the breaker counts on the monotonic clock; a second's slack
    # for reading it and the wall clock at different instants).
    probe_at = datetime.fromisoformat(gemini["nextProbeAt"])
    earliest, latest = failing_from + COOLDOWN - SLACK, opened_by + COOLDOWN + SLACK
    assert earliest <= probe_at <= latest
    for other in (after[0], after[2], after[3]):
        assert (other["state"], other["consecutiveFailures"], other["nextProbeAt"]) == (
            "CLOSED",
            0,
            None,
        )


async def test_provider_health_needs_integrations_manage(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    made = await gql(
        client,
        'mutation { apiKeyCreate(input: {name: "v", scopes: ["conversations:view"]}) { secret } }',
        None,
        tenant.key_headers(),
    )
    viewer = tenant.key_headers(made["data"]["apiKeyCreate"]["secret"])

    body = await gql(client, PROVIDERS, None, viewer)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["missingScopes"] == ["integrations:manage"]


async def _providers(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    body = await gql(client, PROVIDERS, None, headers)
    assert "errors" not in body, body
    return body["data"]["llmProviders"]
