"""Checks and scaling shared by every embedder: the index stores unit vectors of one size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import numpy as np
import numpy.typing as npt

from wabotiq.search.embedder import Vector
from wabotiq.search.embedders.errors import EmbeddingError


def unit_rows(rows: npt.ArrayLike, *, dim: int, provider: str) -> list[Vector]:
    """Rows scaled to unit length as lists of floats, after checking their size.

    Providers do not all normalise (Gemini's shortened vectors are not unit length), and a vector
    of the wrong size would corrupt the index, so both are checked here, once.
    """
    matrix = np.asarray(rows, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != dim:
        raise EmbeddingError(
            provider, f"expected vectors of {dim} floats, got shape {matrix.shape}"
        )
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or not np.all(norms > 0):
        raise EmbeddingError(provider, "a vector was zero or not finite")
    result: list[Vector] = (matrix / norms).tolist()
    return result


async def embed_batched(
    texts: Sequence[str],
    *,
    batch_size: int,
    provider: str,
    embed_batch: Callable[[list[str]], Awaitable[list[Vector]]],
) -> list[Vector]:
    """`embed_batch` over consecutive slices of `texts`, in order: providers cap inputs per call."""
    vectors: list[Vector] = []
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        got = await embed_batch(batch)
        if len(got) != len(batch):
            raise EmbeddingError(provider, f"{len(batch)} texts gave {len(got)} vectors")
        vectors.extend(got)
    return vectors
