"""Embedders by provider, and the one place that picks one from settings."""

from __future__ import annotations

from typing import Literal

import httpx

from wabotiq.core.settings import ConfigurationError, Settings
from wabotiq.search.embedder import Embedder
from wabotiq.search.embedders.cache import QueryCache
from wabotiq.search.embedders.errors import EmbeddingError

__all__ = ["EmbeddingError", "embedder_kind", "make_embedder"]

Kind = Literal["offline", "openai", "gemini"]
# Generous read timeout: a batch of passages can take a provider several seconds.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def embedder_kind(settings: Settings) -> Kind:
    """`auto` picks OpenAI if its key is set, else Gemini if its key is set, else offline."""
    if settings.embedder != "auto":
        return settings.embedder
    if settings.openai_api_key:
        return "openai"
    if settings.gemini_api_key:
        return "gemini"
    return "offline"


def make_embedder(settings: Settings, *, http_client: httpx.AsyncClient | None = None) -> Embedder:
    """The configured embedder behind a query cache; `http_client` carries remote calls."""
    # Provider SDKs are imported on demand: each takes a while to import and most processes
    # use only one of them.
    kind = embedder_kind(settings)
    inner: Embedder
    if kind == "openai":
        from wabotiq.search.embedders.openai_embedder import OpenAIEmbedder

        inner = OpenAIEmbedder(
            api_key=_required(settings.openai_api_key, "OPENAI_API_KEY"),
            base_url=settings.openai_base_url,
            model=settings.openai_embedding_model,
            dimensions=settings.embedding_dim_openai,
            http_client=http_client or httpx.AsyncClient(timeout=HTTP_TIMEOUT),
        )
    elif kind == "gemini":
        from wabotiq.search.embedders.gemini import GeminiEmbedder

        inner = GeminiEmbedder(
            api_key=_required(settings.gemini_api_key, "GEMINI_API_KEY"),
            base_url=settings.gemini_base_url,
            model=settings.gemini_embedding_model,
            dim=settings.embedding_dim_gemini,
            http_client=http_client or httpx.AsyncClient(timeout=HTTP_TIMEOUT),
        )
    else:
        from wabotiq.search.embedders.offline import OfflineEmbedder

        inner = OfflineEmbedder()
    return QueryCache(inner)


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ConfigurationError(f"EMBEDDER needs {name}")
    return value
