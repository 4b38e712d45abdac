"""The language-model tier: a model reads the turn, calls the shop's tools, and writes the reply.

The loop: ask the failover chain for the model's next step; run every tool it calls through the
turn's `Toolbox` and give it the results; stop at a reply in text, or after `max_steps` asks
with a safe reply of our own. A model writes the words, never the numbers: a reply naming an
amount that no tool returned in this turn is not sent (`UngroundedReply`), and neither is an
empty one (`UnusableReply`). On those (both `TierUnavailable`) and on `AllProvidersFailed` (no
provider answered a step, raised unchanged from the chain) the responder undoes what the tools
did and answers with the offline tier instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from wabotiq.agent.answer import AgentAnswer, AgentInput, TierUnavailable
from wabotiq.agent.grounding import house_prices, ungrounded
from wabotiq.agent.llm.breaker import BREAKERS, BreakerRegistry
from wabotiq.agent.llm.chain import ChainResult, FailoverChain
from wabotiq.agent.llm.factory import tenant_chain
from wabotiq.agent.llm.types import Message, ToolCall
from wabotiq.agent.prompt import conversation
from wabotiq.agent.replies.format import clip
from wabotiq.agent.replies.phrases import say
from wabotiq.agent.tools import TOOL_SPECS, Toolbox
from wabotiq.agent.understanding.language import Register, detect_register
from wabotiq.core.settings import Settings

logger = logging.getLogger(__name__)

# Asks of the model in one turn: search, details, add to cart and a reply fit in four.
MAX_STEPS = 5
TIER = "llm"

# The most telling tool a turn called names its intent (the interaction record's labels).
_INTENTS = (
    ("handoff", "handoff"),
    ("checkout", "checkout"),
    ("cancel_appointment", "cancel_booking"),
    ("reschedule_appointment", "reschedule_booking"),
    ("book_appointment", "book_service"),
    ("check_availability", "book_service"),
    ("add_to_cart", "add_to_cart"),
    ("remove_from_cart", "remove_from_cart"),
    ("view_cart", "view_cart"),
    ("order_status", "order_status"),
    ("item_details", "product_details"),
    ("search_catalog", "product_search"),
)


class UnusableReply(TierUnavailable):
    """The model answered but gave nothing we may send. `hops` are every step's, for the
    record of the turn the offline tier then answers."""

    def __init__(self, message: str, *, hops: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.hops = tuple(hops)


class UngroundedReply(UnusableReply):
    """The reply names amounts (`figures`, as written) that no tool returned in this turn."""

    def __init__(self, figures: Sequence[str], *, hops: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(f"amounts from no tool result: {', '.join(figures)}", hops=hops)
        self.figures = tuple(figures)


@dataclass
class _Spend:
    """What the turn's steps cost, added up; the provider and model are the last step's. Each
    step's hops are kept with the step's number, the answering hop with its model and latency
    (the turn's own latency, tools included, is the caller's to measure)."""

    provider: str = ""
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = 0.0
    hops: list[dict[str, Any]] = field(default_factory=list)

    def add(self, step: int, result: ChainResult) -> None:
        record = result.record()
        self.provider, self.model = record["provider"], record["model"]
        self.tokens_in += record["tokens_in"]
        self.tokens_out += record["tokens_out"]
        # One step at an unknown price makes the turn's cost unknown, not a smaller guess.
        step_cost: float | None = record["cost_usd"]
        if self.cost_usd is not None and step_cost is not None:
            self.cost_usd += step_cost
        else:
            self.cost_usd = None
        for hop in record["hops"]:
            if hop["answered"]:
                hop = {**hop, "model": record["model"], "latency_ms": record["latency_ms"]}
            self.hops.append({"step": step, **hop})


class LLMAgent:
    """One turn through a tenant's failover chain (see the module's docstring)."""

    def __init__(self, chain: FailoverChain, *, max_steps: int = MAX_STEPS) -> None:
        self._chain = chain
        self._max_steps = max_steps

    async def answer(self, given: AgentInput, toolbox: Toolbox) -> AgentAnswer:
        """The reply to `given`; raises `AllProvidersFailed` or `UnusableReply` instead."""
        ctx = toolbox.ctx
        # The register to answer in: this message read with the customer's last one.
        register = reply_register(given.text, given.language)
        messages = conversation(given, zone=ctx.zone, currency=ctx.currency, register=register)
        spend = _Spend()
        called: list[ToolCall] = []
        results: list[str] = []
        for step in range(1, self._max_steps + 1):
            result = await self._chain.complete(messages, TOOL_SPECS)
            spend.add(step, result)
            completion = result.completion
            if not completion.tool_calls:
                text = self._reply(register, toolbox, completion.text, results, spend)
                return _answer(register, toolbox, text, called, spend)
            # The assistant's turn goes back as it came, Gemini's thought signatures included.
            messages.append(
                Message(role="assistant", content=completion.text, tool_calls=completion.tool_calls)
            )
            for call in completion.tool_calls:
                content = await toolbox.call(call.name, call.arguments)
                called.append(call)
                results.append(content)
                messages.append(
                    Message(role="tool", content=content, tool_call_id=call.id, name=call.name)
                )
        logger.warning(
            "LLM agent gave up after its step limit",
            extra={"steps": self._max_steps, "tools": [call.name for call in called]},
        )
        text = say("handoff" if toolbox.handoff else "not_understood", register)
        return _answer(register, toolbox, text, called, spend, understood=toolbox.handoff)

    def _reply(
        self, register: str, toolbox: Toolbox, text: str, results: list[str], spend: _Spend
    ) -> str:
        """The model's final text if it may be sent, prices written the house way."""
        currency = toolbox.ctx.currency
        text = text.strip()
        if not text and toolbox.handoff:
            return say("handoff", register)
        if not text:
            raise UnusableReply("the model's reply is empty", hops=spend.hops)
        missing = ungrounded(text, results, currency=currency)
        if missing:
            logger.warning("LLM reply named amounts no tool returned", extra={"figures": missing})
            raise UngroundedReply(missing, hops=spend.hops)
        return house_prices(text, currency=currency)


def language_tier(
    settings: Settings,
    http_client: httpx.AsyncClient,
    *,
    breakers: BreakerRegistry = BREAKERS,
) -> Callable[[Sequence[str]], LLMAgent | None]:
    """The responder's `language_tier`: a tenant's provider order (AssistantSettings.llm_chain,
    empty for LLM_CHAIN) to its agent, or None when none of them is configured (offline only).
    One agent per distinct order, kept: its SDK clients are built once, not every turn."""
    agents: dict[tuple[str, ...], LLMAgent | None] = {}

    def for_tenant(names: Sequence[str]) -> LLMAgent | None:
        key = tuple(names)
        if key not in agents:
            chain = tenant_chain(settings, key, http_client, breakers=breakers)
            agents[key] = LLMAgent(chain) if chain is not None else None
        return agents[key]

    return for_tenant


def _answer(
    register: str,
    toolbox: Toolbox,
    text: str,
    called: Sequence[ToolCall],
    spend: _Spend,
    *,
    understood: bool = True,
) -> AgentAnswer:
    return AgentAnswer(
        texts=[clip(text)],
        language=reply_register(text, register),
        intent=intent_of(called),
        understood=understood,
        handoff=toolbox.handoff,
        tier=TIER,
        provider=spend.provider,
        model=spend.model,
        tokens_in=spend.tokens_in,
        tokens_out=spend.tokens_out,
        cost_usd=spend.cost_usd,
        hops=tuple(spend.hops),
    )


def intent_of(called: Sequence[ToolCall]) -> str:
    """The turn's intent from the tools it called; a search of policies is a question (faq)."""
    names = {call.name for call in called}
    for tool, intent in _INTENTS:
        if tool in names:
            if tool == "search_catalog" and _policy_search(called):
                return "faq"
            return intent
    return "other"


def _policy_search(called: Sequence[ToolCall]) -> bool:
    searches = [call for call in called if call.name == "search_catalog"]
    return all(call.arguments.get("kind") == "passage" for call in searches)


def reply_register(text: str, previous: str) -> str:
    """The register to answer `text` in (en, sw or sheng): the text's own when it says enough,
    else `previous` (the conversation's so far; empty for a new one)."""
    try:
        before: Register | None = Register(previous)
    except ValueError:
        before = None
    return detect_register(text, before).reply.value
