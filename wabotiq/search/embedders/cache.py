"""An in-process LRU of query vectors in front of any embedder."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from wabotiq.search.embedder import Embedder, Vector

QUERY_CACHE_SIZE = 4096


class QueryCache:
    """Customers ask the same things over and over, and a query's embedding sits on the latency
    path of every search (and costs money with a remote provider), so repeats are served from
    memory. Passages pass straight through: they are embedded once, when indexed."""

    def __init__(self, inner: Embedder, *, size: int = QUERY_CACHE_SIZE) -> None:
        self.inner = inner
        self.model = inner.model
        self.dim = inner.dim
        self._size = size
        self._vectors: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        found: dict[str, tuple[float, ...]] = {}
        for text in texts:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                found[text] = self._vectors[text]
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            for text, vector in zip(missing, await self.inner.embed_queries(missing), strict=True):
                found[text] = tuple(vector)
                self._remember(text, found[text])
        return [list(found[text]) for text in texts]

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return await self.inner.embed_passages(texts)

    def _remember(self, text: str, vector: tuple[float, ...]) -> None:
        self._vectors[text] = vector
        self._vectors.move_to_end(text)
        while len(self._vectors) > self._size:
            self._vectors.popitem(last=False)
