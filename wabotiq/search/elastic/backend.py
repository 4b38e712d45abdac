"""The Elasticsearch search backend: shared per-dimension indexes, tenant routing, RRF fusion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError
from elasticsearch.helpers import async_bulk

from wabotiq.search.elastic import queries
from wabotiq.search.elastic.responses import fuse_msearch, hits_from_rrf_search
from wabotiq.search.types import Kind, SearchEntry, SearchHit, SearchRequest


class ElasticsearchBackend:
    """Tenant-isolated hybrid search over one shared index per vector dimension.

    Every index carries an alias named after the prefix, so deletes and lexical-only searches
    reach a tenant's entries without knowing the dimension.

    `server_side_rrf` fuses with the `rrf` retriever, which needs an Enterprise licence (a basic
    cluster answers 403); by default a BM25 and a kNN search go out in one `_msearch` and are
    fused here.

    `refresh` makes each write visible to the next search (tests). Left off (production), writes
    become searchable within the index refresh interval (1 s by default) without forcing a
    refresh per bulk. Deletes refresh first either way: delete-by-query only sees refreshed
    entries, so an entry indexed moments before its delete would otherwise survive it.
    """

    name = "elasticsearch"

    def __init__(
        self,
        client: AsyncElasticsearch,
        *,
        index_prefix: str = "wabotiq-search",
        server_side_rrf: bool = False,
        refresh: bool = False,
    ) -> None:
        self.client = client
        self.index_prefix = index_prefix
        self.server_side_rrf = server_side_rrf
        self.refresh = refresh
        self._created: set[int] = set()  # dimensions whose index is known to exist

    async def prepare(self, tenant_id: str, *, dim: int) -> None:
        """Create the shared index for `dim` if missing and drop the tenant's other-dim entries."""
        await self._create_index(dim)
        aliased = await self.client.indices.get_alias(name=self.index_prefix)
        stale = queries.stale_indexes(aliased.body, self.index_prefix, dim)
        if stale:
            await self._delete_by_query(stale, tenant_id, queries.tenant_query(tenant_id))

    async def index(self, tenant_id: str, entries: Sequence[SearchEntry]) -> None:
        # A bulk write to a missing index would create it with dynamic mappings: no vectors.
        for dim in {len(entry.embedding) for entry in entries} - self._created:
            await self._create_index(dim)
        actions = [
            queries.bulk_action(
                queries.index_name(self.index_prefix, len(entry.embedding)), tenant_id, entry
            )
            for entry in entries
        ]
        if actions:
            await async_bulk(self.client, actions, refresh=self.refresh)

    async def delete(self, tenant_id: str, kind: Kind, entity_ids: Sequence[str]) -> None:
        if entity_ids:
            query = queries.entities_query(tenant_id, kind, entity_ids)
            await self._delete_by_query([self.index_prefix], tenant_id, query)

    async def clear(self, tenant_id: str) -> None:
        await self._delete_by_query([self.index_prefix], tenant_id, queries.tenant_query(tenant_id))

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        if request.k <= 0 or (request.vector is None and not request.text.strip()):
            return []
        if request.vector is None:
            index = self.index_prefix  # lexical only: the alias finds whichever dimension
        else:
            index = queries.index_name(self.index_prefix, len(request.vector))
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
        try:
            await self.client.indices.create(
                index=queries.index_name(self.index_prefix, dim),
                settings=queries.index_settings(),
                mappings=queries.index_mappings(dim),
                aliases={self.index_prefix: {}},
            )
        except BadRequestError as exc:
            # Another worker created it first.
            if exc.error != "resource_already_exists_exception":
                raise
        self._created.add(dim)

    async def _delete_by_query(
        self, indexes: Sequence[str], tenant_id: str, query: dict[str, Any]
    ) -> None:
        if not self.refresh:  # with it on, every write has already been refreshed
            await self.client.indices.refresh(
                index=list(indexes), ignore_unavailable=True, allow_no_indices=True
            )
        await self.client.delete_by_query(
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
) -> ElasticsearchBackend:
    """A backend with its own async client for the cluster at `url`."""
    return ElasticsearchBackend(
        AsyncElasticsearch(url),
        index_prefix=index_prefix,
        server_side_rrf=server_side_rrf,
        refresh=refresh,
    )
