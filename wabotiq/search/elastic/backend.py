"""The Elasticsearch search backend: shared per-dimension indexes, tenant routing, RRF fusion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError
from elasticsearch.helpers import BulkIndexError, async_bulk

from wabotiq.search.elastic import queries
from wabotiq.search.elastic.responses import fuse_msearch, hits_from_rrf_search, missing_targets
from wabotiq.search.types import Kind, SearchEntry, SearchHit, SearchRequest

DEFAULT_WRITE_TIMEOUT_S = 120.0
# Retries of a write that timed out or met 429/502/503/504, on top of the first attempt.
WRITE_RETRIES = 3


class ElasticsearchBackend:
    """Tenant-isolated hybrid search over one shared index per vector dimension and layout.

    Every index carries an alias named after the prefix, so deletes and lexical-only searches
    reach a tenant's entries without knowing the dimension, and a write alias of its own (see
    `queries.write_alias`). The layout (analysis settings and mappings) is digested into index
    names and into `name`, which the engine records per tenant: edited synonyms make new indexes
    and each tenant is rebuilt into them.

    `server_side_rrf` fuses with the `rrf` retriever, which needs an Enterprise licence (a basic
    cluster answers 403); by default a BM25 and a kNN search go out in one `_msearch` and are
    fused here.

    `refresh` makes each write visible to the next search (tests). Left off (production), writes
    become searchable within the index refresh interval (1 s by default) without forcing a
    refresh per bulk; a delete-by-query only sees refreshed entries, so deletes refresh first —
    only the indexes of this layout, the only ones written to, with one request per delete.

    Bulk writes, deletes, refreshes and index creation run with `write_timeout_s` instead of the
    client's 10 s and are retried on timeout: each is safe to repeat (index by id replaces,
    a second delete-by-query removes what the first left, an existing index is accepted).
    Searches keep the client's defaults, so a stuck cluster fails a customer's query quickly.
    """

    def __init__(
        self,
        client: AsyncElasticsearch,
        *,
        index_prefix: str = "wabotiq-search",
        server_side_rrf: bool = False,
        refresh: bool = False,
        write_timeout_s: float = DEFAULT_WRITE_TIMEOUT_S,
    ) -> None:
        self.client = client
        self.index_prefix = index_prefix
        self.server_side_rrf = server_side_rrf
        self.refresh = refresh
        self.write_timeout_s = write_timeout_s
        self.settings = queries.index_settings()
        # The mapping differs by dimension only in `dims`, which the index name carries already.
        self.layout = queries.layout_version(self.settings, queries.index_mappings(0))
        self.name = f"elasticsearch-{self.layout}"
        self._writer = client.options(
            request_timeout=write_timeout_s, retry_on_timeout=True, max_retries=WRITE_RETRIES
        )
        self._created: set[int] = set()  # dimensions whose index is known to exist

    def index_name(self, dim: int) -> str:
        return queries.index_name(self.index_prefix, dim, self.layout)

    async def prepare(self, tenant_id: str, *, dim: int) -> None:
        """Create the shared index for `dim` if missing and drop the tenant's entries from our
        other indexes (other dimensions or layouts)."""
        await self._create_index(dim)
        aliased = await self.client.indices.get_alias(name=self.index_prefix)
        stale = queries.stale_indexes(aliased.body, self.index_prefix, self.index_name(dim))
        if stale:
            # Processes still on the old layout may have written there moments ago.
            query = queries.tenant_query(tenant_id)
            await self._delete_by_query(stale, tenant_id, query, refresh_first=stale)

    async def index(self, tenant_id: str, entries: Sequence[SearchEntry]) -> None:
        dims = {len(entry.embedding) for entry in entries}
        for dim in dims - self._created:
            await self._create_index(dim)
        actions = [
            queries.bulk_action(
                queries.write_alias(self.index_name(len(entry.embedding))), tenant_id, entry
            )
            for entry in entries
        ]
        if not actions:
            return
        try:
            await self._bulk(actions)
        except BulkIndexError as exc:
            # Our index was deleted under us (its write alias with it): make it again, with its
            # mappings and aliases, and write once more (indexing by id is safe to repeat).
            aliases = {queries.write_alias(self.index_name(dim)): dim for dim in dims}
            gone = missing_targets(exc.errors)
            if not gone or not gone <= aliases.keys():
                raise
            for alias in sorted(gone):
                await self._create_index(aliases[alias])
            await self._bulk(actions)

    async def delete(self, tenant_id: str, kind: Kind, entity_ids: Sequence[str]) -> None:
        if entity_ids:
            query = queries.entities_query(tenant_id, kind, entity_ids)
            await self._delete_by_query([self.index_prefix], tenant_id, query)

    async def clear(self, tenant_id: str) -> None:
        await self._delete_by_query([self.index_prefix], tenant_id, queries.tenant_query(tenant_id))

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        request = queries.searchable(request)
        if request.k <= 0 or (request.vector is None and not request.text.strip()):
            return []
        if request.vector is None:
            index = self.index_prefix  # lexical only: the alias finds whichever dimension
        else:
            index = self.index_name(len(request.vector))
        if self.server_side_rrf and request.vector is not None:
            response = await self.client.search(
                index=index,
                routing=tenant_id,
                ignore_unavailable=True,
                body=queries.rrf_search_body(tenant_id, request),
            )
            return hits_from_rrf_search(response.body)
        names, searches = queries.msearch_searches(index, tenant_id, request)
        response = await self.client.msearch(searches=searches)
        return fuse_msearch(response.body, names, request.k)

    async def close(self) -> None:
        await self.client.close()

    async def _create_index(self, dim: int) -> None:
        index = self.index_name(dim)
        try:
            await self._writer.indices.create(
                index=index,
                settings=self.settings,
                mappings=queries.index_mappings(dim),
                aliases={self.index_prefix: {}, queries.write_alias(index): {}},
            )
        except BadRequestError as exc:
            # Another worker created it first (or our own attempt before a timeout did).
            if exc.error != "resource_already_exists_exception":
                raise
        self._created.add(dim)

    async def _bulk(self, actions: list[dict[str, Any]]) -> None:
        # require_alias: a write to a deleted index fails instead of auto-creating one with
        # dynamic mappings (no vectors) and no aliases (invisible to lexical search).
        await async_bulk(self._writer, actions, refresh=self.refresh, require_alias=True)

    async def _delete_by_query(
        self,
        indexes: Sequence[str],
        tenant_id: str,
        query: dict[str, Any],
        *,
        refresh_first: Sequence[str] | None = None,
    ) -> None:
        if not self.refresh:  # with it on, every write has already been refreshed
            # Entries written moments ago may not be refreshed yet, and a delete-by-query only
            # sees refreshed ones. Writes go to this layout's indexes only: refresh those, not
            # every index behind the alias.
            targets = refresh_first or [queries.layout_indexes(self.index_prefix, self.layout)]
            await self._writer.indices.refresh(
                index=list(targets), ignore_unavailable=True, allow_no_indices=True
            )
        await self._writer.delete_by_query(
            index=list(indexes),
            query=query,
            routing=tenant_id,
            conflicts="proceed",
            refresh=self.refresh,
            ignore_unavailable=True,
            allow_no_indices=True,
        )


def make_elastic_backend(
    url: str,
    *,
    index_prefix: str = "wabotiq-search",
    server_side_rrf: bool = False,
    refresh: bool = False,
    write_timeout_s: float = DEFAULT_WRITE_TIMEOUT_S,
) -> ElasticsearchBackend:
    """A backend with its own async client for the cluster at `url`."""
    return ElasticsearchBackend(
        AsyncElasticsearch(url),
        index_prefix=index_prefix,
        server_side_rrf=server_side_rrf,
        refresh=refresh,
        write_timeout_s=write_timeout_s,
    )
