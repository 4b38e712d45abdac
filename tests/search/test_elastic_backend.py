"""The backend's wiring; its behaviour against a cluster is the contract (test_contract_elastic)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from wabotiq.search.elastic import ElasticsearchBackend, make_elastic_backend
from wabotiq.search.types import SearchRequest

# Nothing listens here: a request that reached the network would fail with a connection error.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
async def backend() -> AsyncIterator[ElasticsearchBackend]:
    backend = make_elastic_backend(NOWHERE, index_prefix="shop-search", server_side_rrf=True)
    yield backend
    await backend.close()


async def test_factory_wires_prefix_fusion_and_refresh(backend: ElasticsearchBackend):
    assert backend.name == "elasticsearch"
    assert (backend.index_prefix, backend.server_side_rrf, backend.refresh) == (
        "shop-search",
        True,
        False,
    )
    default = make_elastic_backend(NOWHERE)
    try:
        assert (default.index_prefix, default.server_side_rrf) == ("wabotiq-search", False)
    finally:
        await default.close()


async def test_empty_work_needs_no_round_trip(backend: ElasticsearchBackend):
    assert await backend.search("t1", SearchRequest(text="simu", vector=[1.0, 0.0], k=0)) == []
    assert await backend.search("t1", SearchRequest(text="  ", vector=None)) == []
    await backend.index("t1", [])
    await backend.delete("t1", "product", [])
