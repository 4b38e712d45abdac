"""OpenAI chat completions with tools, and any OpenAI-compatible endpoint (Together, vLLM, ...)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam

from wabotiq.agent.llm.errors import FailureKind, LLMError
from wabotiq.agent.llm.types import Completion, Message, ToolCall, ToolSpec


class OpenAIChatProvider:
    """One class for OpenAI and every endpoint that speaks its chat-completions API; `name` tells
    them apart (breaker, health, LLM_CHAIN). Retries belong to the failover chain, so the SDK's
    own are off: one policy, and every attempt passes the breaker."""

    def __init__(
        self,
        *,
        name: str,
        api_key: str,
        base_url: str,
        model: str,
        http_client: httpx.AsyncClient,
    ) -> None:
        self.name = name
        self.model = model
        # The SDK is typed for `httpx2` but takes an `httpx` client too (its constructor checks
        # for both), so one client and one mock transport serve every provider.
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,  # type: ignore[arg-type]  # httpx works, see above
            max_retries=0,
        )

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], *, timeout: float
    ) -> Completion:
        options: dict[str, Any] = {"tools": [tool_param(tool) for tool in tools]} if tools else {}
        wire_messages = [message_param(message) for message in messages]
        started = time.perf_counter()
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                # Plain dicts in the wire shape; the SDK's TypedDicts add nothing at run time.
                messages=cast("list[ChatCompletionMessageParam]", wire_messages),
                timeout=timeout,
                **options,
            )
        except openai.APITimeoutError as exc:
            raise LLMError(self.name, FailureKind.TIMEOUT, exc.message) from exc
        except openai.APIConnectionError as exc:
            raise LLMError(self.name, FailureKind.CONNECTION, exc.message) from exc
        except openai.APIStatusError as exc:
            raise LLMError.from_status(self.name, exc.status_code, exc.message) from exc
        except openai.APIError as exc:  # an answer the SDK could not read
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, exc.message) from exc
        latency_ms = (time.perf_counter() - started) * 1000
        if not response.choices:
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, "the answer has no choices")
        message = response.choices[0].message
        usage = response.usage
        return Completion(
            text=message.content or "",
            tool_calls=tuple(self._tool_call(call) for call in message.tool_calls or ()),
            provider=self.name,
            model=response.model or self.model,
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            latency_ms=latency_ms,
        )

    def _tool_call(self, call: Any) -> ToolCall:
        if call.type != "function":
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, f"unknown tool call {call.type!r}")
        try:
            arguments = json.loads(call.function.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise LLMError(
                self.name, FailureKind.BAD_RESPONSE, f"{call.function.name}: arguments not JSON"
            ) from exc
        if not isinstance(arguments, dict):
            raise LLMError(
                self.name, FailureKind.BAD_RESPONSE, f"{call.function.name}: arguments not object"
            )
        return ToolCall(id=call.id, name=call.function.name, arguments=arguments)


def tool_param(tool: ToolSpec) -> dict[str, Any]:
    """A function declaration as chat completions' `tools` takes it."""
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
        },
    }


def message_param(message: Message) -> dict[str, Any]:
    """One turn on the wire; a tool result goes back as the tool's own text, unchanged."""
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        return {
            "role": "assistant",
            "content": message.content or None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
                for call in message.tool_calls
            ],
        }
    return {"role": message.role, "content": message.content}
