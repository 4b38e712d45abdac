from __future__ import annotations

import json

import pytest

from tests.agent.llm.conftest import openai_provider
from tests.agent.llm.wire import (
    ScriptedServer,
    openai_completion,
    openai_error,
    openai_text,
    refuse,
    reply,
)
from wabotiq.agent.llm import FailureKind, LLMError, Message, ToolCall, ToolSpec

SEARCH = ToolSpec(
    name="search_products",
    description="Search the shop's catalog",
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string"}, "max_price": {"type": "number"}},
        "required": ["query"],
    },
)
ASK = [
    Message("system", "You are the shop's assistant."),
    Message("user", "Niaje, una laptop ngapi?"),
]


async def test_a_text_answer_with_its_token_counts(client_for) -> None:
    server = ScriptedServer(
        openai_text("Sasa! Tuko na laptops tatu.", prompt_tokens=82, completion_tokens=11)
    )
    provider = openai_provider(client_for(server))

    completion = await provider.complete(ASK, [SEARCH], timeout=5)

    assert completion.text == "Sasa! Tuko na laptops tatu."
    assert completion.tool_calls == ()
    assert (completion.tokens_in, completion.tokens_out) == (82, 11)
    assert completion.provider == "openai"
    assert completion.model == "gpt-4o-mini-2024-07-18"
    assert completion.latency_ms >= 0
    (request,) = server.requests
    assert request.url == "https://openai.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    body = json.loads(request.content)
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [
        {"role": "system", "content": "You are the shop's assistant."},
        {"role": "user", "content": "Niaje, una laptop ngapi?"},
    ]
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "search_products",
                "description": "Search the shop's catalog",
                "parameters": SEARCH.parameters,
            },
        }
    ]


async def test_tool_calls_are_parsed_with_ids_and_arguments(client_for) -> None:
    calls = [
        ("call_Xk2", "search_products", {"query": "gaming laptop", "max_price": 50000}),
        ("call_Yq7", "view_cart", {}),
    ]
    server = ScriptedServer(
        reply(200, openai_completion(tool_calls=calls, prompt_tokens=90, completion_tokens=24))
    )
    provider = openai_provider(client_for(server))

    completion = await provider.complete(ASK, [SEARCH], timeout=5)

    assert completion.text == ""
    assert completion.tool_calls == (
        ToolCall("call_Xk2", "search_products", {"query": "gaming laptop", "max_price": 50000}),
        ToolCall("call_Yq7", "view_cart", {}),
    )
    assert (completion.tokens_in, completion.tokens_out) == (90, 24)


async def test_tool_results_go_back_unchanged(client_for) -> None:
    server = ScriptedServer(openai_text("Lenovo Legion ni KES 48,000."))
    provider = openai_provider(client_for(server))
    result = '{"items": [{"sku": "LEN-LEGION-5", "price": "48000.00", "in_stock": true}]}'
    call = ToolCall("call_Xk2", "search_products", {"query": "gaming laptop"})

    await provider.complete(
        [
            *ASK,
            Message("assistant", tool_calls=(call,)),
            Message("tool", result, tool_call_id="call_Xk2", name="search_products"),
        ],
        [SEARCH],
        timeout=5,
    )

    (body,) = server.bodies()
    assert body["messages"][2:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_Xk2",
                    "type": "function",
                    "function": {
                        "name": "search_products",
                        "arguments": '{"query": "gaming laptop"}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_Xk2", "content": result},
    ]


async def test_no_tools_sends_no_tools_field(client_for) -> None:
    server = ScriptedServer(openai_text("Karibu!"))

    await openai_provider(client_for(server)).complete(ASK, [], timeout=5)

    assert "tools" not in server.bodies()[0]


@pytest.mark.parametrize(
    ("status", "kind", "transient"),
    [
        (400, FailureKind.CLIENT_ERROR, False),
        (401, FailureKind.CLIENT_ERROR, False),
        (429, FailureKind.RATE_LIMITED, True),
        (500, FailureKind.SERVER_ERROR, True),
        (503, FailureKind.SERVER_ERROR, True),
    ],
)
async def test_http_errors_say_whether_a_retry_may_help(
    client_for, status, kind, transient
) -> None:
    server = ScriptedServer(openai_error(status, "nope"))
    provider = openai_provider(client_for(server))

    with pytest.raises(LLMError) as raised:
        await provider.complete(ASK, [], timeout=5)

    assert (raised.value.kind, raised.value.status) == (kind, status)
    assert raised.value.transient is transient
    assert raised.value.provider == "openai"
    assert len(server.requests) == 1  # the SDK's own retries are off: the chain owns them


async def test_arguments_that_are_not_json_are_a_bad_response(client_for) -> None:
    body = openai_completion(tool_calls=[("call_1", "view_cart", {})])
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"query": '
    provider = openai_provider(client_for(ScriptedServer(reply(200, body))))

    with pytest.raises(LLMError) as raised:
        await provider.complete(ASK, [], timeout=5)

    assert raised.value.kind is FailureKind.BAD_RESPONSE
    assert raised.value.transient is False


async def test_a_compatible_endpoint_is_the_same_class_under_its_own_name(client_for) -> None:
    server = ScriptedServer(
        openai_text(
            "Habari!",
            model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
            prompt_tokens=12,
            completion_tokens=3,
        )
    )
    provider = openai_provider(
        client_for(server),
        name="together",
        base_url="https://together.test/v1",
        api_key="tg-key",
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
    )

    completion = await provider.complete(ASK, [], timeout=5)

    (request,) = server.requests
    assert request.url == "https://together.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer tg-key"
    assert json.loads(request.content)["model"] == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    assert (completion.provider, completion.text) == ("together", "Habari!")
    assert (completion.tokens_in, completion.tokens_out) == (12, 3)


async def test_a_refused_connection_is_transient(client_for) -> None:
    server = ScriptedServer(refuse())

    with pytest.raises(LLMError) as raised:
        await openai_provider(client_for(server)).complete(ASK, [], timeout=5)

    assert (raised.value.kind, raised.value.status) == (FailureKind.CONNECTION, None)
    assert raised.value.transient is True
