"""A tenant rebuilt into Elasticsearch (the in-memory cluster of fake_elastic) from its real
tables: one refresh before the one delete that empties the tenant, then bulk writes only — no
refresh or delete per passage batch — and a document's later reindex refreshes once, deletes
its old chunks once and writes the new ones."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import MakeTenant
from tests.factories.catalog import create_product
from tests.factories.documents import RETURNS_MD, uploaded
from tests.search.contract import TrigramEmbedder
from tests.search.fake_elastic import FakeCluster, endpoint
from tests.support.polling import eventually
from wabotiq.core.ids import from_global_id
from wabotiq.db.connection import get_pool
from wabotiq.search.elastic import ElasticsearchBackend
from wabotiq.search.engine import SearchEngine

MORE_MD = b"""# Opening hours

We open at eight and close at six, Monday to Saturday. Sunday by appointment.
"""


async def test_a_rebuild_refreshes_once_and_a_document_update_once(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    await create_product(client, headers, "ES-1", name="Samsung Galaxy A15")
    documents = [
        await uploaded(client, headers, "returns.md", RETURNS_MD, "text/markdown"),
        await uploaded(client, headers, "hours.md", MORE_MD, "text/markdown"),
    ]
    entries = 1 + sum(document["chunkCount"] for document in documents)

    async def indexed_on_postgres() -> bool:
        # The suite's own engine indexes these events too: let it finish first, so that no late
        # event rebuilds the tenant while the Elasticsearch engine below works on it.
        async with get_pool().acquire() as connection:
            count = await connection.fetchval(f"SELECT count(*) FROM t_{tenant.id}.search_entries")
        return count == entries

    await eventually(indexed_on_postgres)

    cluster = FakeCluster()
    backend = ElasticsearchBackend(cluster.client(), index_prefix="rebuild")
    engine = SearchEngine(backend, TrigramEmbedder())
    try:
        assert await engine.reindex(tenant.id) == entries
        kinds = [endpoint(request) for request in cluster.requests]
        assert kinds == ["PUT", "_alias", "_refresh", "_delete_by_query", "_bulk", "_bulk"]
        (refresh,) = cluster.calls("_refresh")
        assert refresh.url.path == f"/rebuild-*-{backend.layout}/_refresh"
        index = cluster.indexes[backend.index_name(TrigramEmbedder().dim)]
        assert len(index.docs) == entries

        cluster.requests.clear()
        returns = uuid.UUID(from_global_id(documents[0]["id"], "Document"))
        assert await engine.index(tenant.id, "passage", [returns]) == documents[0]["chunkCount"]
        kinds = [endpoint(request) for request in cluster.requests]
        assert kinds == ["_refresh", "_delete_by_query", "_bulk"]
        assert len(index.docs) == entries
    finally:
        await backend.close()
