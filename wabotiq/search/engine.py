"""The search engine of a process: one backend and one embedder, used by the API (queries),
workers (indexing from outbox events) and the CLI (reindex). Tenants are always explicit."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import cast

from wabotiq.db.connection import tenant_connection
from wabotiq.search.backend import SearchBackend
from wabotiq.search.embedder import Embedder, Vector
from wabotiq.search.ranking import Budget, matches_words, rank
from wabotiq.search.sources import SOURCES, Draft
from wabotiq.search.types import (
    CANDIDATES,
    KINDS,
    Kind,
    SearchFilter,
    SearchHit,
    SearchRequest,
    vector_literal,
)
from wabotiq.search.understanding import UnderstoodQuery, understand

# Candidates re-weighed by how well they fit (ranking.py) before the first page is cut: as
# many as each retriever contributes, so the fused statement costs the same.
POOL = CANDIDATES
STATE_TTL_S = 30.0
MAX_REBUILDS = 2  # concurrent tenant rebuilds per process


@dataclass(frozen=True, slots=True)
class SearchResults:
    """`no_match` says the shop has nothing sharing a word with the query (then `hits` is
    empty rather than the nearest unrelated items): the caller says so instead of offering."""

    understood: UnderstoodQuery
    filter: SearchFilter
    hits: list[SearchHit]
    no_match: bool = False


@dataclass(frozen=True, slots=True)
class IndexState:
    backend: str
    model: str
    dim: int


def content_hash(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\x00{text}".encode()).digest()


class SearchEngine:
    def __init__(self, backend: SearchBackend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder
        self._checked: dict[str, float] = {}  # tenant -> when its index was last seen current
        self._rebuilds = asyncio.Semaphore(MAX_REBUILDS)

    async def _current(self, tenant_id: str) -> bool:
        """Whether the tenant's vectors come from this engine's model. Until a rebuild (the
        next catalog event, `wabotiq up`, or `wabotiq search reindex`) they may not, e.g. right
        after the embedder changed: then search is lexical only rather than comparing vectors
        of two models. A positive answer is trusted for STATE_TTL_S."""
        now = time.monotonic()
        if now - self._checked.get(tenant_id, -STATE_TTL_S) < STATE_TTL_S:
            return True
        if await self.state(tenant_id) != self.wanted_state:
            self._checked.pop(tenant_id, None)
            return False
        self._checked[tenant_id] = now
        return True

    @property
    def wanted_state(self) -> IndexState:
        return IndexState(self.backend.name, self.embedder.model, self.embedder.dim)

    # Embeddings ------------------------------------------------------------------------------

    async def embed_passages(self, tenant_id: str, texts: Sequence[str]) -> list[Vector]:
        """Embeddings of `texts`, from the tenant's cache by content hash where present."""
        model = self.embedder.model
        hashes = [content_hash(model, text) for text in texts]
        async with tenant_connection(tenant_id) as connection:
            rows = await connection.fetch(
                "SELECT content_hash, embedding::text FROM embedding_cache"
                " WHERE model = $1 AND content_hash = ANY($2::bytea[])",
                model,
                list(set(hashes)),
            )
        cached = {bytes(row["content_hash"]): json.loads(row["embedding"]) for row in rows}
        missing = list(dict.fromkeys(h for h in hashes if h not in cached))
        if missing:
            by_hash = dict(zip(hashes, texts, strict=True))
            vectors = await self.embedder.embed_passages([by_hash[h] for h in missing])
            fresh = dict(zip(missing, vectors, strict=True))
            async with tenant_connection(tenant_id) as connection:
                await connection.executemany(
                    "INSERT INTO embedding_cache (model, content_hash, embedding)"
                    " VALUES ($1, $2, $3::text::extensions.vector) ON CONFLICT DO NOTHING",
                    [(model, h, vector_literal(v)) for h, v in fresh.items()],
                )
            cached.update(fresh)
        return [cached[h] for h in hashes]

    # Indexing --------------------------------------------------------------------------------

    async def state(self, tenant_id: str) -> IndexState | None:
        async with tenant_connection(tenant_id) as connection:
            row = await connection.fetchrow("SELECT backend, model, dim FROM search_state")
        return IndexState(row["backend"], row["model"], row["dim"]) if row else None

    async def index(self, tenant_id: str, kind: Kind, ids: Sequence[uuid.UUID]) -> int:
        """Bring these entities' entries up to date (indexed, replaced or removed); a tenant
        whose index was built with another model, dimension or backend is rebuilt instead.
        Safe to run twice. Returns how many entries were written."""
        if await self.state(tenant_id) != self.wanted_state:
            rebuilt = await self._rebuild(tenant_id, force=False)
            if rebuilt is not None:  # read everything after this change committed
                return rebuilt
        async with tenant_connection(tenant_id) as connection:
            batch = await SOURCES[kind](connection, list(ids))
        return await self._write(tenant_id, kind, batch.drafts, batch.gone)

    async def _write(
        self,
        tenant_id: str,
        kind: Kind,
        drafts: Sequence[Draft],
        gone: Sequence[uuid.UUID],
        *,
        cleared: bool = False,
    ) -> int:
        if gone:
            await self.backend.delete(tenant_id, kind, [str(entity) for entity in gone])
        if kind == "passage" and drafts and not cleared:
            # A shorter new version of a document must not leave old chunks behind. A rebuild
            # (`cleared`) has just emptied the tenant and pages whole documents: nothing to drop,
            # and on Elasticsearch each delete would cost a refresh per batch.
            await self.backend.delete(tenant_id, kind, sorted({d.entry.entity_id for d in drafts}))
        if drafts:
            vectors = await self.embed_passages(tenant_id, [draft.passage for draft in drafts])
            await self.backend.index(
                tenant_id,
                [
                    replace(draft.entry, embedding=vector)
                    for draft, vector in zip(drafts, vectors, strict=True)
                ],
            )
        return len(drafts)

    async def count(self, tenant_id: str) -> int:
        """How many entries a full reindex writes at most (for progress bars)."""
        async with tenant_connection(tenant_id) as connection:
            total = await connection.fetchval(
                "SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM services)"
                " + (SELECT count(*) FROM document_chunks)"
            )
        return cast(int, total)

    async def reindex(
        self, tenant_id: str, *, progress: Callable[[int], None] | None = None
    ) -> int:
        """Rebuild the tenant's index from its tables, with the current model and backend.
        One rebuild per tenant at a time (an advisory lock); the state row is written last,
        so a crash half way leaves the tenant due for another rebuild."""
        written = await self._rebuild(tenant_id, progress=progress, force=True)
        assert written is not None
        return written

    async def _rebuild(
        self,
        tenant_id: str,
        *,
        progress: Callable[[int], None] | None = None,
        force: bool,
    ) -> int | None:
        """The rebuild; without `force` it is skipped (None) when another rebuild finished
        while this one waited for the lock."""
        wanted = self.wanted_state
        written = 0
        # A rebuild holds one pooled connection for its lock and borrows another for each step:
        # bounding rebuilds per process keeps a burst of them from draining the pool.
        async with self._rebuilds, tenant_connection(tenant_id) as lock:
            await lock.execute("SELECT pg_advisory_lock(hashtext($1))", f"search:{tenant_id}")
            try:
                if not force and await self.state(tenant_id) == wanted:
                    return None
                await lock.execute("DELETE FROM search_state")
                await self.backend.prepare(tenant_id, dim=wanted.dim)
                await self.backend.clear(tenant_id)
                for kind in KINDS:
                    after: uuid.UUID | None = None
                    while True:
                        async with tenant_connection(tenant_id) as connection:
                            batch = await SOURCES[kind](connection, None, after=after)
                        if batch.last is None:
                            break
                        count = await self._write(tenant_id, kind, batch.drafts, [], cleared=True)
                        written += count
                        if progress is not None:
                            progress(count)
                        after = batch.last
                await lock.execute(
                    "INSERT INTO search_state (backend, model, dim) VALUES ($1, $2, $3)",
                    wanted.backend,
                    wanted.model,
                    wanted.dim,
                )
            finally:
                await lock.execute("SELECT pg_advisory_unlock(hashtext($1))", f"search:{tenant_id}")
        return written

    async def ensure_indexed(self, tenant_id: str) -> bool:
        """Rebuild when the tenant's index is missing or stale; True if it did."""
        if await self.state(tenant_id) == self.wanted_state:
            return False
        return await self._rebuild(tenant_id, force=False) is not None

    # Querying --------------------------------------------------------------------------------

    async def search(
        self,
        tenant_id: str,
        query: str,
        *,
        context: Sequence[str] = (),
        filter: SearchFilter | None = None,
        first: int = 10,
    ) -> SearchResults:
        """Understand the message (in its conversation), then hybrid search with the
        understood budget and stock as filters (explicit filters win), and order the candidates
        by how well they fit (`ranking.rank`): the category hint, the brand and model named,
        a service wanted, and nearness to the budget weigh in; none of them filters."""
        understood = understand(query, context)
        given = filter or SearchFilter()
        effective = replace(
            given,
            price_min=given.price_min if given.price_min is not None else understood.price_min,
            price_max=given.price_max if given.price_max is not None else understood.price_max,
            in_stock=given.in_stock if given.in_stock is not None else understood.in_stock,
        )
        text = understood.text or query
        vector: Vector | None = None
        if await self._current(tenant_id):
            vector = (await self.embedder.embed_queries([text]))[0]
        request = SearchRequest(text=text, vector=vector, filter=effective, k=max(first, POOL))
        hits = await self.backend.search(tenant_id, request)
        if not matches_words(understood, hits):
            return SearchResults(understood, effective, [], no_match=True)
        hinted: tuple[str, ...] = ()
        if given.category_ids is None and understood.category:
            hinted = await self._category_ids(tenant_id, understood.category)
        ranked = rank(
            hits,
            understood,
            category_ids=frozenset(hinted),
            budget=_budget(understood, given),
        )
        return SearchResults(understood=understood, filter=effective, hits=ranked[:first])

    async def _category_ids(self, tenant_id: str, hint: str) -> tuple[str, ...]:
        """The tenant's live categories whose slug or name matches a category hint."""
        async with tenant_connection(tenant_id) as connection:
            rows = await connection.fetch(
                "SELECT id FROM categories WHERE archived_at IS NULL"
                " AND (slug = $1 OR lower(name) = $1 OR slug = rtrim($1, 's')"
                " OR rtrim(slug, 's') = $1)",
                hint.lower(),
            )
        return tuple(str(row["id"]) for row in rows)


def _budget(understood: UnderstoodQuery, given: SearchFilter) -> Budget | None:
    """The customer's own budget (or wish for cheap), unless the caller set a price filter."""
    if given.price_min is not None or given.price_max is not None:
        return None
    if understood.cheap or understood.price_max is not None:
        return Budget(understood.price_min, understood.price_max, cheap=understood.cheap)
    return None
