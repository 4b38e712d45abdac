"""Gemini embeddings (`gemini-embedding-001` by default) through the `google-genai` async client."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from google import genai
from google.genai import errors, types

from wabotiq.search.embedder import Vector
from wabotiq.search.embedders.errors import EmbeddingError
from wabotiq.search.embedders.vectors import embed_batched, unit_rows

PROVIDER = "gemini"
# batchEmbedContents takes at most 100 requests at a time.
BATCH_SIZE = 100
QUERY_TASK = "RETRIEVAL_QUERY"
PASSAGE_TASK = "RETRIEVAL_DOCUMENT"


class GeminiEmbedder:
    """Queries and passages use Gemini's retrieval task types, which embed them differently.

    Vectors are shortened to `dim` by the API (Matryoshka truncation) and rescaled here, since
    truncated vectors are not unit length.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        dim: int,
        http_client: httpx.AsyncClient,
        max_retries: int = 2,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.dim = dim
        self.model = f"{PROVIDER}/{model}"
        self._model = model
        self._batch_size = batch_size
        # Our own httpx client, so the SDK does not switch to aiohttp when that is installed:
        # one transport, one set of errors, and tests can hand in a mock transport.
        options = types.HttpOptions(
            base_url=base_url,
            httpx_async_client=http_client,
            retry_options=types.HttpRetryOptions(attempts=max_retries + 1),
        )
        self._client = genai.Client(api_key=api_key, http_options=options)

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return await self._embed(texts, QUERY_TASK)

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return await self._embed(texts, PASSAGE_TASK)

    async def _embed(self, texts: Sequence[str], task: str) -> list[Vector]:
        async def embed_batch(batch: list[str]) -> list[Vector]:
            return await self._embed_batch(batch, task)

        return await embed_batched(
            texts, batch_size=self._batch_size, provider=PROVIDER, embed_batch=embed_batch
        )

    async def _embed_batch(self, batch: list[str], task: str) -> list[Vector]:
        config = types.EmbedContentConfig(task_type=task, output_dimensionality=self.dim)
        try:
            response = await self._client.aio.models.embed_content(
                model=self._model, contents=list(batch), config=config
            )
        except errors.APIError as exc:
            raise EmbeddingError(PROVIDER, exc.message or str(exc), status=exc.code) from exc
        except (httpx.HTTPError, errors.UnknownApiResponseError) as exc:
            raise EmbeddingError(PROVIDER, str(exc) or type(exc).__name__) from exc
        embeddings = response.embeddings or []
        vectors = [item.values for item in embeddings if item.values is not None]
        if len(embeddings) != len(batch) or len(vectors) != len(batch):
            raise EmbeddingError(PROVIDER, f"{len(batch)} inputs, {len(vectors)} vectors back")
        return unit_rows(vectors, dim=self.dim, provider=PROVIDER)
