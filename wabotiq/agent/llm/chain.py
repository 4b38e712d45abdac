"""Ordered failover across providers: timeouts, jittered retries, a breaker each, a last tier."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from wabotiq.agent.llm.breaker import BREAKERS, BreakerRegistry
from wabotiq.agent.llm.errors import FailureKind, LLMError
from wabotiq.agent.llm.prices import Price, estimate_cost
from wabotiq.agent.llm.types import Completion, LLMProvider, Message, ToolSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hop:
    """One provider's part in a turn: it answered, failed (`kind` and `error` say why) or was
    skipped (not configured here). `attempts` counts calls that passed its breaker or were
    refused by it."""

    provider: str
    answered: bool
    attempts: int = 0
    kind: FailureKind | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ChainResult:
    completion: Completion
    hops: tuple[Hop, ...]
    cost_usd: float | None

    def record(self) -> dict[str, Any]:
        """What an interaction keeps of the turn, as JSON-ready values."""
        completion = self.completion
        return {
            "provider": completion.provider,
            "model": completion.model,
            "tokens_in": completion.tokens_in,
            "tokens_out": completion.tokens_out,
            "cost_usd": self.cost_usd,
            "latency_ms": round(completion.latency_ms, 1),
            "tools_called": [call.name for call in completion.tool_calls],
            "hops": [
                {
                    "provider": hop.provider,
                    "answered": hop.answered,
                    "attempts": hop.attempts,
                    "failure": hop.kind.value if hop.kind else None,
                    "error": hop.error,
                }
                for hop in self.hops
            ],
        }


class AllProvidersFailed(RuntimeError):
    """Every provider and the fallback failed; `hops` says what happened at each."""

    def __init__(self, hops: Sequence[Hop]) -> None:
        super().__init__(f"no provider answered after {len(hops)} hop(s)")
        self.hops = tuple(hops)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Tries per provider; waits drawn uniformly from [0, min(max_s, initial_s * 2^n)] (full
    jitter), so callers that failed together do not all come back together."""

    attempts: int = 3
    initial_s: float = 0.5
    max_s: float = 4.0


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, LLMError) and exc.transient


class FailoverChain:
    """Asks providers in order until one answers; `fallback` (the offline tier, any object with
    the same `complete`) answers when none does. Every turn returns the hops taken.

    Prices, totals and stock in a reply come from tool results only: the chain passes tool
    results to the model unchanged and adds nothing of its own; the pipeline checks replies.
    """

    def __init__(
        self,
        providers: Sequence[LLMProvider],
        *,
        fallback: LLMProvider | None = None,
        timeout_s: float = 20.0,
        retry: RetryPolicy | None = None,
        breakers: BreakerRegistry = BREAKERS,
        prices: Mapping[str, Price] | None = None,
    ) -> None:
        self._providers = {provider.name: provider for provider in providers}
        self._default_order = [provider.name for provider in providers]
        self._fallback = fallback
        self._timeout_s = timeout_s
        self._retry = retry or RetryPolicy()
        self._breakers = breakers
        self._prices = dict(prices or {})
        for name in self._default_order:  # health lists every provider from the start
            breakers.get(name)

    @property
    def provider_names(self) -> list[str]:
        return list(self._default_order)

    async def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] = (),
        *,
        order: Sequence[str] | None = None,
    ) -> ChainResult:
        """The first answer along `order` (a tenant's choice; default: the configured order)."""
        hops: list[Hop] = []
        for name in order if order is not None else self._default_order:
            provider = self._providers.get(name)
            if provider is None:
                hops.append(Hop(name, False, kind=FailureKind.NOT_CONFIGURED, error="no settings"))
                continue
            hop, completion = await self._ask(provider, messages, tools)
            hops.append(hop)
            if completion is not None:
                return self._result(completion, hops)
            logger.warning(
                "LLM provider failed over",
                extra={"provider": hop.provider, "failure": hop.kind, "error": hop.error},
            )
        if self._fallback is None:
            raise AllProvidersFailed(hops)
        completion = await _ask_fallback(self._fallback, messages, tools, self._timeout_s, hops)
        return self._result(completion, hops)

    async def _ask(
        self, provider: LLMProvider, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> tuple[Hop, Completion | None]:
        breaker = self._breakers.get(provider.name)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts),
            wait=wait_random_exponential(multiplier=self._retry.initial_s, max=self._retry.max_s),
            retry=retry_if_exception(_transient),
            reraise=True,
        )
        completion: Completion | None = None
        try:
            async for attempt in retrying:
                with attempt:
                    completion = await breaker.call(partial(self._once, provider, messages, tools))
        except LLMError as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            return Hop(provider.name, False, attempts, exc.kind, str(exc)), None
        return Hop(provider.name, True, retrying.statistics.get("attempt_number", 1)), completion

    async def _once(
        self, provider: LLMProvider, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> Completion:
        """One call, bounded here too: a provider that ignores its `timeout` still gives up."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await provider.complete(messages, tools, timeout=self._timeout_s)
        except TimeoutError as exc:
            message = f"no answer within {self._timeout_s:g} s"
            raise LLMError(provider.name, FailureKind.TIMEOUT, message) from exc
        except LLMError:
            raise
        except Exception as exc:  # a provider's own bug must not stop the failover
            logger.exception("LLM provider raised an unexpected error")
            raise LLMError(provider.name, FailureKind.BAD_RESPONSE, repr(exc)) from exc

    def _result(self, completion: Completion, hops: list[Hop]) -> ChainResult:
        cost = estimate_cost(completion, self._prices)
        return ChainResult(completion=completion, hops=tuple(hops), cost_usd=cost)


async def _ask_fallback(
    fallback: LLMProvider,
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    timeout_s: float,
    hops: list[Hop],
) -> Completion:
    """The last tier: no breaker and no retries, it has no network to wait for."""
    try:
        completion = await fallback.complete(messages, tools, timeout=timeout_s)
    except Exception as exc:
        hops.append(Hop(fallback.name, False, 1, FailureKind.BAD_RESPONSE, repr(exc)))
        raise AllProvidersFailed(hops) from exc
    hops.append(Hop(fallback.name, True, 1))
    return completion
