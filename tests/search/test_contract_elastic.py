"""The backend contract against a real Elasticsearch cluster, when ELASTICSEARCH_URL names one.

Set ELASTICSEARCH_SERVER_SIDE_RRF=1 as well on a cluster licensed for the `rrf` retriever to run
the contract through server-side fusion too."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from elasticsearch import AsyncElasticsearch

from tests.search.contract import CHECKS, Check, TrigramEmbedder
from tests.suite import drop_indexes, own_index_prefix
from wabotiq.search.elastic import ElasticsearchBackend, make_elastic_backend

URL = os.environ.get("ELASTICSEARCH_URL", "")
FUSION = [False, True] if os.environ.get("ELASTICSEARCH_SERVER_SIDE_RRF") == "1" else [False]

pytestmark = pytest.mark.skipif(not URL, reason="ELASTICSEARCH_URL not set")


@pytest.fixture(scope="module")
async def index_prefix() -> AsyncIterator[str]:
    """Indexes of their own for this run (never the deployment's), removed afterwards."""
    prefix = own_index_prefix()
    yield prefix
    client = AsyncElasticsearch(URL)
    try:
        await drop_indexes(client, prefix)
    finally:
        await client.close()


@pytest.fixture(params=FUSION, ids=lambda server: "server-rrf" if server else "client-rrf")
async def backend(
    request: pytest.FixtureRequest, index_prefix: str
) -> AsyncIterator[ElasticsearchBackend]:
    backend = make_elastic_backend(
        URL, index_prefix=index_prefix, server_side_rrf=request.param, refresh=True
    )
    yield backend
    await backend.close()


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
async def test_contract(backend: ElasticsearchBackend, check: Check) -> None:
    await check(backend, TrigramEmbedder())
