"""Gemini through `google-genai`: function declarations in, function calls and text out."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import httpx
from google import genai
from google.genai import errors, types

from wabotiq.agent.llm.errors import FailureKind, LLMError
from wabotiq.agent.llm.types import Completion, Message, ToolCall, ToolSpec

# Gemini may leave a call's id out; ours are made locally and never sent back as Gemini's.
LOCAL_ID_PREFIX = "local_call_"


class GeminiChatProvider:
    """Gemini's `generateContent` with tools. System turns become the system instruction; a tool
    result goes back as a `functionResponse` under the function's name, its JSON unchanged."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        http_client: httpx.AsyncClient,
        name: str = "gemini",
    ) -> None:
        self.name = name
        self.model = model
        # Our own httpx client, so the SDK does not switch to aiohttp when that is installed;
        # no retry options: the SDK then tries once, and the failover chain owns retries.
        options = types.HttpOptions(base_url=base_url, httpx_async_client=http_client)
        self._client = genai.Client(api_key=api_key, http_options=options)

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], *, timeout: float
    ) -> Completion:
        config = self._config(messages, tools, timeout=timeout)
        contents = to_contents(messages)
        started = time.perf_counter()
        try:
            response = await self._client.aio.models.generate_content(
                model=self.model, contents=contents, config=config
            )
        except errors.APIError as exc:
            raise LLMError.from_status(self.name, exc.code, exc.message or str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise LLMError(self.name, FailureKind.TIMEOUT, str(exc) or "timed out") from exc
        except httpx.TransportError as exc:
            raise LLMError(self.name, FailureKind.CONNECTION, str(exc) or repr(exc)) from exc
        except (errors.UnknownApiResponseError, ValueError) as exc:
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, str(exc)) from exc
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            return self._completion(response, latency_ms)
        except ValueError as exc:
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, str(exc)) from exc

    def _config(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], *, timeout: float
    ) -> types.GenerateContentConfig:
        system = "\n\n".join(m.content for m in messages if m.role == "system" and m.content)
        declarations = [
            types.FunctionDeclaration(
                name=tool.name,
                description=tool.description,
                parameters_json_schema=tool.parameters,
            )
            for tool in tools
        ]
        return types.GenerateContentConfig(
            system_instruction=system or None,
            tools=[types.Tool(function_declarations=declarations)] if declarations else None,
            # Declarations only: the SDK must hand calls back to us, never run anything.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            http_options=types.HttpOptions(timeout=max(1, round(timeout * 1000))),
        )

    def _completion(self, response: types.GenerateContentResponse, latency_ms: float) -> Completion:
        if not response.candidates or response.candidates[0].content is None:
            reason = response.prompt_feedback.block_reason if response.prompt_feedback else None
            raise LLMError(self.name, FailureKind.BAD_RESPONSE, f"no candidate ({reason})")
        parts = response.candidates[0].content.parts or []
        calls = [part for part in parts if part.function_call is not None]
        usage = response.usage_metadata
        tokens_out = 0
        if usage:  # thinking tokens are billed as output
            tokens_out = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
        return Completion(
            text="".join(part.text for part in parts if part.text and not part.thought),
            tool_calls=tuple(tool_call(part, index) for index, part in enumerate(calls)),
            provider=self.name,
            model=response.model_version or self.model,
            tokens_in=(usage.prompt_token_count or 0) if usage else 0,
            tokens_out=tokens_out,
            latency_ms=latency_ms,
        )


def tool_call(part: types.Part, index: int) -> ToolCall:
    """Our tool call from a `functionCall` part; Gemini may leave out the id, so we make one."""
    call = part.function_call
    if call is None or not call.name:
        raise ValueError("a functionCall part without a name")
    return ToolCall(
        id=call.id or f"{LOCAL_ID_PREFIX}{index}_{call.name}",
        name=call.name,
        arguments=dict(call.args or {}),
        signature=part.thought_signature,
    )


def to_contents(messages: Sequence[Message]) -> list[types.Content]:
    """The conversation as Gemini contents: `model` for the assistant, and consecutive tool
    results in one `user` turn, as the API expects after a turn with several calls."""
    names = {call.id: call.name for m in messages for call in m.tool_calls}
    contents: list[types.Content] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "model" if message.role == "assistant" else "user"
        parts = _parts(message, names)
        if message.role == "tool" and contents and _is_tool_turn(contents[-1]):
            (contents[-1].parts or []).extend(parts)
        else:
            contents.append(types.Content(role=role, parts=parts))
    return contents


def _is_tool_turn(content: types.Content) -> bool:
    return content.role == "user" and all(p.function_response for p in content.parts or [])


def _parts(message: Message, names: dict[str, str]) -> list[types.Part]:
    if message.role == "tool":
        name = message.name or names.get(message.tool_call_id or "", "")
        response = types.FunctionResponse(
            id=_wire_id(message.tool_call_id), name=name, response=tool_response(message.content)
        )
        return [types.Part(function_response=response)]
    parts = [types.Part(text=message.content)] if message.content else []
    for call in message.tool_calls:
        function_call = types.FunctionCall(
            id=_wire_id(call.id), name=call.name, args=call.arguments
        )
        parts.append(types.Part(function_call=function_call, thought_signature=call.signature))
    return parts


def _wire_id(call_id: str | None) -> str | None:
    return None if not call_id or call_id.startswith(LOCAL_ID_PREFIX) else call_id


def tool_response(content: str) -> dict[str, Any]:
    """A tool's JSON object as is; anything else under `output`, the key Gemini documents."""
    try:
        value = json.loads(content)
    except json.JSONDecodeError:
        return {"output": content}
    return value if isinstance(value, dict) else {"output": value}
