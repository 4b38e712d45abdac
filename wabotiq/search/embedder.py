"""The one interface every embedder implements; chosen by settings (see `make_embedder`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

Vector = list[float]


class Embedder(Protocol):
    """Turns text into unit-length vectors. `model` names the model and is recorded per tenant
    index with `dim`: a different model or dimension means the tenant's index is rebuilt."""

    model: str
    dim: int

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        """Vectors for search queries (some models embed queries and passages differently)."""

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        """Vectors for indexed text."""
