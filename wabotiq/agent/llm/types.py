"""What goes into and comes out of a language model, the same for every provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function the model asks us to run. `arguments` is the decoded JSON object.

    `signature` is opaque provider state that must travel back with the call in the next turn
    (Gemini's thought signature); other providers leave it unset.
    """

    id: str
    name: str
    arguments: dict[str, Any]
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of the conversation.

    A `tool` turn answers the assistant's call `tool_call_id` to the function `name`, with the
    function's result as `content` (JSON text), passed to the model unchanged.
    """

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call: `parameters` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's answer: text, tool calls, or both, with what it cost to get."""

    text: str
    tool_calls: tuple[ToolCall, ...]
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: float


class LLMProvider(Protocol):
    """A chat model with tool calling. `name` keys its breaker, its health and LLM_CHAIN.

    Failures raise `LLMError` (see `errors.py`), which says whether a retry may help.
    """

    name: str

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], *, timeout: float
    ) -> Completion:
        """The model's next turn after `messages`, within `timeout` seconds."""
        ...
