from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.agent.llm.wire import ScriptedServer
from wabotiq.agent.llm.gemini_chat import GeminiChatProvider
from wabotiq.agent.llm.openai_chat import OpenAIChatProvider

ClientFor = Callable[[ScriptedServer], httpx.AsyncClient]


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    """An httpx client whose requests go to a scripted provider server."""
    clients: list[httpx.AsyncClient] = []

    def build(server: ScriptedServer) -> httpx.AsyncClient:
        clients.append(httpx.AsyncClient(transport=httpx.MockTransport(server)))
        return clients[-1]

    yield build
    for client in clients:
        await client.aclose()


def openai_provider(
    client: httpx.AsyncClient,
    *,
    name: str = "openai",
    base_url: str = "https://openai.test/v1",
    api_key: str = "sk-test-123",
    model: str = "gpt-4o-mini",
) -> OpenAIChatProvider:
    return OpenAIChatProvider(
        name=name, api_key=api_key, base_url=base_url, model=model, http_client=client
    )


def gemini_provider(
    client: httpx.AsyncClient, *, model: str = "gemini-2.0-flash"
) -> GeminiChatProvider:
    return GeminiChatProvider(
        api_key="AIza-test", base_url="https://gemini.test", model=model, http_client=client
    )
