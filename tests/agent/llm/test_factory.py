from __future__ import annotations

import json

import httpx
import pytest

from tests.agent.llm.test_chain import CannedOffline
from tests.agent.llm.test_openai_chat import ASK
from tests.agent.llm.wire import ScriptedServer, gemini_text, openai_error, openai_text
from wabotiq.agent.llm import (
    BreakerRegistry,
    FailureKind,
    build_chain,
    build_providers,
    tenant_chain,
)
from wabotiq.core.settings import ConfigurationError, Settings, load_settings

NO_KEYS = {
    "openai_api_key": None,
    "gemini_api_key": None,
    "llm_compatible_base_url": None,
    "llm_compatible_model": None,
}


def make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **{**NO_KEYS, **values})  # type: ignore[arg-type]


class Router:
    """One transport for every provider: each host gets its own scripted server."""

    def __init__(self, servers: dict[str, ScriptedServer]) -> None:
        self.servers = servers

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        return await self.servers[request.url.host](request)


@pytest.fixture
async def routed():
    clients: list[httpx.AsyncClient] = []

    def build(servers: dict[str, ScriptedServer]) -> httpx.AsyncClient:
        clients.append(httpx.AsyncClient(transport=httpx.MockTransport(Router(servers))))
        return clients[-1]

    yield build
    for client in clients:
        await client.aclose()


def test_defaults() -> None:
    settings = make_settings()

    assert settings.llm_chain == ["openai", "gemini", "compatible"]
    assert (settings.openai_chat_model, settings.gemini_chat_model) == (
        "gpt-4o-mini",
        "gemini-2.0-flash",
    )
    assert settings.gemini_base_url == "https://generativelanguage.googleapis.com"


async def test_providers_without_settings_are_left_out(routed) -> None:
    client = routed({})

    assert build_providers(make_settings(), http_client=client) == []
    only_gemini = build_providers(make_settings(gemini_api_key="AIza-x"), http_client=client)
    assert [provider.name for provider in only_gemini] == ["gemini"]


async def test_the_chain_follows_llm_chain_with_each_providers_settings(routed) -> None:
    openai = ScriptedServer(openai_error(503))
    gemini = ScriptedServer(gemini_text("Karibu!"))
    together = ScriptedServer(
        openai_text("Sasa kutoka Together!", model="Qwen/Qwen2.5-72B", prompt_tokens=10**6)
    )
    settings = make_settings(
        llm_chain="compatible,openai,gemini",
        openai_api_key="sk-1",
        openai_base_url="https://openai.test/v1",
        openai_chat_model="gpt-4.1-mini",
        gemini_api_key="AIza-1",
        gemini_base_url="https://gemini.test",
        llm_compatible_base_url="https://together.test/v1",
        llm_compatible_api_key="tg-1",
        llm_compatible_model="Qwen/Qwen2.5-72B",
        llm_prices={"Qwen/Qwen2.5-72B": (1.2, 1.2)},
        llm_max_attempts=1,
    )
    client = routed({"openai.test": openai, "gemini.test": gemini, "together.test": together})
    chain = build_chain(settings, http_client=client, fallback=None, breakers=BreakerRegistry())

    result = await chain.complete(ASK, [])

    assert chain.provider_names == ["compatible", "openai", "gemini"]
    assert result.completion.text == "Sasa kutoka Together!"
    assert result.completion.provider == "compatible"
    (request,) = together.requests
    assert request.headers["authorization"] == "Bearer tg-1"
    assert json.loads(request.content)["model"] == "Qwen/Qwen2.5-72B"
    assert result.cost_usd == pytest.approx(1.2)

    fallen = await chain.complete(ASK, [], order=["openai", "gemini"])

    assert [(hop.provider, hop.kind, hop.attempts) for hop in fallen.hops] == [
        ("openai", FailureKind.SERVER_ERROR, 1),
        ("gemini", None, 1),
    ]
    assert json.loads(openai.requests[0].content)["model"] == "gpt-4.1-mini"


async def test_breaker_settings_reach_the_process_breakers(routed) -> None:
    breakers = BreakerRegistry()
    settings = make_settings(
        openai_api_key="sk-1",
        openai_base_url="https://openai.test/v1",
        llm_breaker_failures=1,
        llm_breaker_cooldown_s=600,
        llm_max_attempts=1,
    )
    openai = ScriptedServer(openai_error(500))
    client = routed({"openai.test": openai})
    chain = build_chain(settings, http_client=client, fallback=CannedOffline(), breakers=breakers)

    await chain.complete(ASK, [])
    second = await chain.complete(ASK, [])

    assert len(openai.requests) == 1
    assert second.hops[0].kind is FailureKind.CIRCUIT_OPEN
    assert second.completion.provider == "offline"


async def test_a_tenant_chain_follows_its_own_order_of_configured_providers(routed) -> None:
    openai = ScriptedServer(openai_text("unused"))
    gemini = ScriptedServer(gemini_text("Karibu!"))
    client = routed({"openai.test": openai, "gemini.test": gemini})
    settings = make_settings(
        llm_chain="openai,gemini",
        openai_api_key="sk-1",
        openai_base_url="https://openai.test/v1",
        gemini_api_key="AIza-1",
        gemini_base_url="https://gemini.test",
    )
    breakers = BreakerRegistry()

    own = tenant_chain(settings, ["compatible", "gemini", "openai"], client, breakers=breakers)
    default = tenant_chain(settings, [], client, breakers=breakers)

    assert own is not None and default is not None
    assert own.provider_names == ["gemini", "openai"]  # "compatible" has no settings here
    assert default.provider_names == ["openai", "gemini"]
    result = await own.complete(ASK, [])
    assert (result.completion.text, openai.requests) == ("Karibu!", [])


async def test_no_configured_provider_means_no_chain(routed) -> None:
    client = routed({})
    only_openai = make_settings(openai_api_key="sk-1")
    breakers = BreakerRegistry()

    assert tenant_chain(make_settings(), [], client, breakers=breakers) is None
    assert tenant_chain(only_openai, ["gemini"], client, breakers=breakers) is None
    assert tenant_chain(only_openai, [], client, breakers=breakers) is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [("openai,claude", "unknown provider"), ("openai,openai", "twice")],
)
def test_llm_chain_names_known_providers_once(value, message) -> None:
    with pytest.raises(ConfigurationError, match=rf"LLM_CHAIN: .*{message}"):
        load_settings(_env_file=None, llm_chain=value)


def test_chain_and_prices_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("LLM_CHAIN", "gemini, compatible")
    monkeypatch.setenv("LLM_PRICES", '{"gpt-4o-mini": [0.2, 0.8]}')

    settings = make_settings()

    assert settings.llm_chain == ["gemini", "compatible"]
    assert settings.llm_prices == {"gpt-4o-mini": (0.2, 0.8)}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"gemini_api_key": "AIza-x"},
        {"openai_api_key": "sk-x", "llm_compatible_base_url": "http://llm.local/v1"},
        {
            "openai_api_key": "sk-x",
            "llm_compatible_base_url": "http://llm.local/v1",
            "llm_compatible_model": "llama",
            "llm_chain": ["compatible", "openai"],
        },
        {"openai_api_key": "sk-x", "gemini_api_key": "AIza-x", "llm_chain": ["gemini"]},
    ],
)
async def test_configured_providers_are_those_built(routed, values) -> None:
    # GraphQL shows the configured providers without building them; it must name the same.
    settings = make_settings(**values)

    built = build_providers(settings, http_client=routed({}))

    assert settings.configured_llm_providers() == [provider.name for provider in built]
