"""Local stand-ins for the providers' HTTP APIs, answering in their documented JSON.

OpenAI: `POST {base}/chat/completions` -> `choices[0].message.{content, tool_calls}`,
`usage.{prompt_tokens, completion_tokens}`, errors `{"error": {"message", "type", ...}}`.
Gemini: `POST {base}/v1beta/models/{model}:generateContent` -> `candidates[0].content.parts[]`
with `text` or `functionCall`, `usageMetadata.{promptTokenCount, candidatesTokenCount}`, errors
`{"error": {"code", "message", "status"}}`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

Step = Callable[[httpx.Request], Awaitable[httpx.Response]]
GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ScriptedServer:
    """Answers each request with the next step of its script; the last step repeats. Every
    request is kept, so a test can tell exactly how many reached the provider."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def then(self, *steps: Step) -> None:
        """Replace what is left of the script."""
        self.steps = list(steps)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return await step(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


def reply(status: int, body: dict[str, Any]) -> Step:
    async def step(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    return step


def hang() -> Step:
    """Never answers: the caller's timeout has to end the wait."""

    async def step(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return step


def refuse() -> Step:
    """Nobody listens: the connection is refused."""

    async def step(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    return step


def held(gate: asyncio.Event, then: Step, *, arrived: asyncio.Event | None = None) -> Step:
    """Answers with `then` once `gate` is set; sets `arrived` when the request comes in."""

    async def step(request: httpx.Request) -> httpx.Response:
        if arrived is not None:
            arrived.set()
        await gate.wait()
        return await then(request)

    return step


# --- OpenAI chat completions -----------------------------------------------------------------


def openai_completion(
    *,
    content: str | None = None,
    tool_calls: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    model: str = "gpt-4o-mini-2024-07-18",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
            for call_id, name, arguments in tool_calls
        ]
    return {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_06737a9306",
    }


def openai_text(text: str, **options: Any) -> Step:
    return reply(200, openai_completion(content=text, **options))


def openai_error(status: int, message: str = "The server had an error") -> Step:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return reply(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})


# --- Gemini generateContent ------------------------------------------------------------------


def gemini_response(
    parts: list[dict[str, Any]],
    *,
    prompt_tokens: int = 0,
    candidate_tokens: int = 0,
    thoughts_tokens: int | None = None,
    model: str = "gemini-2.0-flash",
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": candidate_tokens,
        "totalTokenCount": prompt_tokens + candidate_tokens + (thoughts_tokens or 0),
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
    }
    if thoughts_tokens is not None:
        usage["thoughtsTokenCount"] = thoughts_tokens
    return {
        "candidates": [
            {
                "content": {"parts": parts, "role": "model"},
                "finishReason": "STOP",
                "avgLogprobs": -0.12,
            }
        ],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": "f2LJaPm0C5ap1dkPrZ_P0Ak",
    }


def gemini_text(text: str, **options: Any) -> Step:
    return reply(200, gemini_response([{"text": text}], **options))


def gemini_error(status: int, message: str = "Internal error encountered.") -> Step:
    body = {"error": {"code": status, "message": message, "status": GEMINI_STATUS[status]}}
    return reply(status, body)
