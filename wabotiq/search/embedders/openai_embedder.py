"""OpenAI embeddings (`text-embedding-3-small` by default) through the official async client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import openai

from wabotiq.core.settings import ConfigurationError
from wabotiq.search.embedder import Vector
from wabotiq.search.embedders.errors import EmbeddingError
from wabotiq.search.embedders.vectors import embed_batched, unit_rows

PROVIDER = "openai"
# Full output size of each model, used when no shorter `dimensions` is asked for.
MODEL_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
# The API takes up to 2,048 inputs and 300,000 tokens a request; passages are a few hundred
# tokens, so this stays well under both.
BATCH_SIZE = 256


def model_dim(model: str, dimensions: int | None) -> int:
    """The vector size a model will return; unknown models must say it with `dimensions`."""
    if dimensions is not None:
        return dimensions
    if model not in MODEL_DIMS:
        raise ConfigurationError(
            f"EMBEDDING_DIM_OPENAI must be set for model {model!r} (its size is not known here)"
        )
    return MODEL_DIMS[model]


class OpenAIEmbedder:
    """Queries and passages are embedded alike; the model has no task types."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        http_client: httpx.AsyncClient,
        dimensions: int | None = None,
        max_retries: int = 2,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.dim = model_dim(model, dimensions)
        self.model = f"{PROVIDER}/{model}"
        self._model = model
        self._dimensions = dimensions
        self._batch_size = batch_size
        # The SDK is typed for `httpx2` but takes an `httpx` client too (its constructor checks
        # for both), so one client and one mock transport serve every provider.
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,  # type: ignore[arg-type]  # httpx works, see above
            max_retries=max_retries,
        )

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return await self._embed(texts)

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return await self._embed(texts)

    async def _embed(self, texts: Sequence[str]) -> list[Vector]:
        return await embed_batched(
            texts, batch_size=self._batch_size, provider=PROVIDER, embed_batch=self._embed_batch
        )

    async def _embed_batch(self, batch: list[str]) -> list[Vector]:
        # The client asks for base64 on the wire (a quarter of the JSON) and decodes it to floats.
        options: dict[str, Any] = {}
        if self._dimensions is not None:
            options["dimensions"] = self._dimensions
        try:
            response = await self._client.embeddings.create(
                model=self._model, input=batch, **options
            )
        except openai.APIStatusError as exc:
            raise EmbeddingError(PROVIDER, exc.message, status=exc.status_code) from exc
        except openai.APIError as exc:  # connection failures and timeouts
            raise EmbeddingError(PROVIDER, exc.message) from exc
        rows = sorted(response.data, key=lambda item: item.index)
        if [row.index for row in rows] != list(range(len(batch))):
            raise EmbeddingError(PROVIDER, f"{len(batch)} inputs, answer indexes do not match")
        return unit_rows([row.embedding for row in rows], dim=self.dim, provider=PROVIDER)
