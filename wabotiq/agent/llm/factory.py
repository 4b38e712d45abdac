"""Providers and the failover chain from settings."""

from __future__ import annotations

import httpx

from wabotiq.agent.llm.breaker import BREAKERS, BreakerRegistry
from wabotiq.agent.llm.chain import FailoverChain, RetryPolicy
from wabotiq.agent.llm.gemini_chat import GeminiChatProvider
from wabotiq.agent.llm.openai_chat import OpenAIChatProvider
from wabotiq.agent.llm.types import LLMProvider
from wabotiq.core.settings import Settings


def build_providers(settings: Settings, *, http_client: httpx.AsyncClient) -> list[LLMProvider]:
    """The providers LLM_CHAIN names, in its order, leaving out those without settings."""
    built = {
        "openai": _openai,
        "gemini": _gemini,
        "compatible": _compatible,
    }
    providers = [built[name](settings, http_client) for name in settings.llm_chain]
    return [provider for provider in providers if provider is not None]


def build_chain(
    settings: Settings,
    *,
    http_client: httpx.AsyncClient,
    fallback: LLMProvider | None,
    breakers: BreakerRegistry = BREAKERS,
) -> FailoverChain:
    """The chain of configured providers, then `fallback` (the offline tier)."""
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
        build_providers(settings, http_client=http_client),
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
