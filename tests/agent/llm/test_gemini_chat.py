from __future__ import annotations

import base64
import re

import pytest

from tests.agent.llm.conftest import gemini_provider
from tests.agent.llm.test_openai_chat import ASK, SEARCH
from tests.agent.llm.wire import (
    ScriptedServer,
    gemini_error,
    gemini_response,
    gemini_text,
    refuse,
    reply,
)
from wabotiq.agent.llm import FailureKind, LLMError, Message, ToolCall

PATH = r"/v1(beta)?/models/gemini-2.0-flash:generateContent"


async def test_a_text_answer_with_its_token_counts(client_for) -> None:
    server = ScriptedServer(
        gemini_text("Sasa! Tuko na laptops tatu.", prompt_tokens=64, candidate_tokens=9)
    )
    provider = gemini_provider(client_for(server))

    completion = await provider.complete(ASK, [SEARCH], timeout=5)

    assert completion.text == "Sasa! Tuko na laptops tatu."
    assert completion.tool_calls == ()
    assert (completion.tokens_in, completion.tokens_out) == (64, 9)
    assert (completion.provider, completion.model) == ("gemini", "gemini-2.0-flash")
    (request,) = server.requests
    assert request.url.host == "gemini.test"
    assert re.fullmatch(PATH, request.url.path)
    assert request.headers["x-goog-api-key"] == "AIza-test"
    (body,) = server.bodies()
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Niaje, una laptop ngapi?"}]}]
    assert body["systemInstruction"]["parts"] == [{"text": "You are the shop's assistant."}]
    (tool,) = body["tools"]
    (declaration,) = tool["functionDeclarations"]
    assert (declaration["name"], declaration["description"]) == (
        "search_products",
        "Search the shop's catalog",
    )
    # Google's JSON parser takes a field's proto name or its camelCase form; SDK versions differ.
    schema = declaration.get("parametersJsonSchema", declaration.get("parameters_json_schema"))
    assert schema == SEARCH.parameters


async def test_function_calls_are_parsed_with_ids(client_for) -> None:
    signature = b"\x0a\x1fsig"
    parts = [
        {"text": "Let me look."},
        {
            "functionCall": {
                "id": "fc-1",
                "name": "search_products",
                "args": {"query": "gaming laptop", "max_price": 50000},
            },
            "thoughtSignature": base64.b64encode(signature).decode(),
        },
        {"functionCall": {"name": "view_cart", "args": {}}},
    ]
    server = ScriptedServer(
        reply(200, gemini_response(parts, prompt_tokens=70, candidate_tokens=20, thoughts_tokens=5))
    )

    completion = await gemini_provider(client_for(server)).complete(ASK, [SEARCH], timeout=5)

    assert completion.text == "Let me look."
    first, second = completion.tool_calls
    assert first == ToolCall(
        "fc-1", "search_products", {"query": "gaming laptop", "max_price": 50000}, signature
    )
    assert (second.name, second.arguments, second.signature) == ("view_cart", {}, None)
    assert second.id and second.id != first.id  # Gemini sent none: one is made
    assert (completion.tokens_in, completion.tokens_out) == (70, 25)  # thinking billed as output


async def test_tool_results_go_back_as_function_responses(client_for) -> None:
    server = ScriptedServer(gemini_text("Lenovo Legion ni KES 48,000."))
    provider = gemini_provider(client_for(server))
    made_up = ToolCall("local_call_1_view_cart", "view_cart", {})
    calls = (ToolCall("fc-1", "search_products", {"query": "gaming laptop"}), made_up)
    result = '{"items": [{"sku": "LEN-LEGION-5", "price": "48000.00", "in_stock": true}]}'

    await provider.complete(
        [
            *ASK,
            Message("assistant", tool_calls=calls),
            Message("tool", result, tool_call_id="fc-1", name="search_products"),
            Message("tool", "cart is empty", tool_call_id=made_up.id),
        ],
        [SEARCH],
        timeout=5,
    )

    (body,) = server.bodies()
    assert body["contents"][1:] == [
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {
                        "id": "fc-1",
                        "name": "search_products",
                        "args": {"query": "gaming laptop"},
                    }
                },
                {"functionCall": {"name": "view_cart", "args": {}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "fc-1",
                        "name": "search_products",
                        "response": {
                            "items": [
                                {"sku": "LEN-LEGION-5", "price": "48000.00", "in_stock": True}
                            ]
                        },
                    }
                },
                {
                    "functionResponse": {
                        "name": "view_cart",
                        "response": {"output": "cart is empty"},
                    }
                },
            ],
        },
    ]


@pytest.mark.parametrize(
    ("status", "kind", "transient"),
    [
        (400, FailureKind.CLIENT_ERROR, False),
        (429, FailureKind.RATE_LIMITED, True),
        (500, FailureKind.SERVER_ERROR, True),
        (503, FailureKind.SERVER_ERROR, True),
    ],
)
async def test_http_errors_say_whether_a_retry_may_help(
    client_for, status, kind, transient
) -> None:
    server = ScriptedServer(gemini_error(status, "nope"))

    with pytest.raises(LLMError) as raised:
        await gemini_provider(client_for(server)).complete(ASK, [], timeout=5)

    assert (raised.value.kind, raised.value.status) == (kind, status)
    assert raised.value.transient is transient
    assert raised.value.provider == "gemini"
    assert len(server.requests) == 1  # the SDK's own retries are off: the chain owns them


async def test_a_blocked_prompt_is_a_bad_response(client_for) -> None:
    body = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
        "modelVersion": "gemini-2.0-flash",
    }
    server = ScriptedServer(reply(200, body))

    with pytest.raises(LLMError) as raised:
        await gemini_provider(client_for(server)).complete(ASK, [], timeout=5)

    assert raised.value.kind is FailureKind.BAD_RESPONSE
    assert "SAFETY" in str(raised.value)


async def test_a_refused_connection_is_transient(client_for) -> None:
    server = ScriptedServer(refuse())

    with pytest.raises(LLMError) as raised:
        await gemini_provider(client_for(server)).complete(ASK, [], timeout=5)

    assert (raised.value.kind, raised.value.status) == (FailureKind.CONNECTION, None)
    assert raised.value.transient is True
