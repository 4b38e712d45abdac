"""Providers and the failover chain from settings."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from wabotiq.agent.llm.breaker import BREAKERS, BreakerRegistry
from wabotiq.agent.llm.chain import FailoverChain, RetryPolicy
from wabotiq.agent.llm.gemini_chat import GeminiChatProvider
from wabotiq.agent.llm.openai_chat import OpenAIChatProvider
from wabotiq.agent.llm.types import LLMProvider
from wabotiq.core.settings import Settings


def build_providers(
    settings: Settings,
    *,
    http_client: httpx.AsyncClient,
    names: Sequence[str] | None = None,
) -> list[LLMProvider]:
    """The providers `names` lists (default: LLM_CHAIN), in its order, leaving out those
    without settings and names no builder knows."""
    built = {
        "openai": _openai,
        "gemini": _gemini,
        "compatible": _compatible,
    }
    wanted = settings.llm_chain if names is None else names
    providers = [built[name](settings, http_client) for name in wanted if name in built]
    return [provider for provider in providers if provider is not None]


def build_chain(
    settings: Settings,
    *,
    http_client: httpx.AsyncClient,
    fallback: LLMProvider | None,
    breakers: BreakerRegistry = BREAKERS,
    names: Sequence[str] | None = None,
) -> FailoverChain:
    """The chain of configured providers (those `names` lists, default LLM_CHAIN), then
    `fallback` (the offline tier)."""
    providers = build_providers(settings, http_client=http_client, names=names)
    return _chain(settings, providers, fallback=fallback, breakers=breakers)


def tenant_chain(
    settings: Settings,
    tenant_chain_names: Sequence[str],
    http_client: httpx.AsyncClient,
    *,
    breakers: BreakerRegistry = BREAKERS,
) -> FailoverChain | None:
    """A tenant's chain: its own order of providers (AssistantSettings.llm_chain; empty means
    LLM_CHAIN), leaving out those the platform has no settings for. None when none is left:
    the tenant is answered by the offline tier alone. The chain has no fallback: the responder
    falls back to the offline tier itself, with the turn's tools, which a chain's fallback
    would not have."""
    names = list(tenant_chain_names) or settings.llm_chain
    providers = build_providers(settings, http_client=http_client, names=names)
    if not providers:
        return None
    return _chain(settings, providers, fallback=None, breakers=breakers)


def _chain(
    settings: Settings,
    providers: list[LLMProvider],
    *,
    fallback: LLMProvider | None,
    breakers: BreakerRegistry,
) -> FailoverChain:
    breakers.configure(
        failure_threshold=settings.llm_breaker_failures,
        cooldown_s=settings.llm_breaker_cooldown_s,
    )
    retry = RetryPolicy(
        attempts=settings.llm_max_attempts,
        initial_s=settings.llm_retry_initial_s,
        max_s=settings.llm_retry_max_s,
    )
    return FailoverChain(
        providers,
        fallback=fallback,
        timeout_s=settings.llm_timeout_s,
        retry=retry,
        breakers=breakers,
        prices=settings.llm_prices,
    )


def _openai(settings: Settings, http_client: httpx.AsyncClient) -> LLMProvider | None:
    if not settings.openai_api_key:
        return None
    return OpenAIChatProvider(
        name="openai",
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        model=settings.openai_chat_model,
        http_client=http_client,
    )


def _gemini(settings: Settings, http_client: httpx.AsyncClient) -> LLMProvider | None:
    if not settings.gemini_api_key:
        return None
    return GeminiChatProvider(
        api_key=settings.gemini_api_key,
        base_url=settings.gemini_base_url,
        model=settings.gemini_chat_model,
        http_client=http_client,
    )


def _compatible(settings: Settings, http_client: httpx.AsyncClient) -> LLMProvider | None:
    if not (settings.llm_compatible_base_url and settings.llm_compatible_model):
        return None
    return OpenAIChatProvider(
        name="compatible",
        # Some local servers want no key; the SDK insists on one, so send a placeholder.
        api_key=settings.llm_compatible_api_key or "unused",
        base_url=settings.llm_compatible_base_url,
        model=settings.llm_compatible_model,
        http_client=http_client,
    )
