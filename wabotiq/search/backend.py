"""The one interface every search backend implements; chosen by ELASTICSEARCH_URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from wabotiq.search.types import Kind, SearchEntry, SearchHit, SearchRequest


class SearchBackend(Protocol):
    """Tenant-isolated hybrid search. Every method takes the tenant id explicitly."""

    name: str

    async def prepare(self, tenant_id: str, *, dim: int) -> None:
        """Make the tenant's index ready for vectors of `dim` dimensions, emptying it if the
        dimension changes (the indexer then reindexes)."""

    async def index(self, tenant_id: str, entries: Sequence[SearchEntry]) -> None:
        """Insert or replace entries (by kind, entity and chunk)."""

    async def delete(self, tenant_id: str, kind: Kind, entity_ids: Sequence[str]) -> None:
        """Remove every entry (all chunks) of these entities."""

    async def clear(self, tenant_id: str) -> None:
        """Remove every entry of the tenant."""

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Hybrid search fused by reciprocal rank; at most request.k hits, best first."""

    async def close(self) -> None: ...
