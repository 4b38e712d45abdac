"""The backend against an in-memory cluster (fake_elastic): exactly what the client sends —
index settings and names, aliases, timeouts, retries, refreshes, `require_alias` — and how the
backend reacts to the answers the Elasticsearch reference documents. Its behaviour against a real
cluster is the contract (test_contract_elastic)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import httpx
import pytest
from elastic_transport import ConnectionTimeout
from elasticsearch import BadRequestError
from elasticsearch.helpers import BulkIndexError

from tests.search.contract import (
    TrigramEmbedder,
    check_hits_carry_categories_and_ties_go_by_id,
    entry,
    trigram_vector,
)
from tests.search.fake_elastic import FakeCluster, Index, endpoint
from wabotiq.search.elastic import ElasticsearchBackend, make_elastic_backend, queries
from wabotiq.search.elastic.backend import WRITE_RETRIES
from wabotiq.search.types import FULLTEXT, SearchEntry, SearchRequest

PREFIX = "shop-search"
TENANT = "a1b2c3d4e5f6"
DIM = 8
# Nothing listens here: a request that reached the network would fail with a connection error.
NOWHERE = "http://127.0.0.1:9"

MakeBackend = Callable[..., ElasticsearchBackend]


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
async def make_backend(cluster: FakeCluster) -> AsyncIterator[MakeBackend]:
    made: list[ElasticsearchBackend] = []

    def make(**options: object) -> ElasticsearchBackend:
        options.setdefault("index_prefix", PREFIX)
        made.append(ElasticsearchBackend(cluster.client(), **options))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for backend in made:
        await backend.close()


def embedded(title: str, **fields: object) -> SearchEntry:
    return replace(entry(title, **fields), embedding=tuple(trigram_vector(title, DIM)))


def body(request: httpx.Request) -> dict[str, object]:
    return json.loads(request.content)  # type: ignore[no-any-return]


def ndjson(request: httpx.Request) -> list[dict[str, object]]:
    return [json.loads(line) for line in request.content.splitlines() if line.strip()]


def read_timeout(request: httpx.Request) -> float:
    return request.extensions["timeout"]["read"]  # type: ignore[no-any-return]


def target(request: httpx.Request) -> str:
    return request.url.path.strip("/").split("/")[0]


# Wiring ----------------------------------------------------------------------------------------


async def test_factory_wires_prefix_fusion_refresh_and_write_timeout():
    backend = make_elastic_backend(
        NOWHERE, index_prefix=PREFIX, server_side_rrf=True, write_timeout_s=45.0
    )
    default = make_elastic_backend(NOWHERE)
    try:
        assert (backend.index_prefix, backend.server_side_rrf, backend.refresh) == (
            PREFIX, True, False
        )  # fmt: skip
        assert backend.write_timeout_s == 45.0
        assert (default.index_prefix, default.server_side_rrf) == ("wabotiq-search", False)
        assert default.write_timeout_s == 120.0
    finally:
        await backend.close()
        await default.close()


async def test_empty_work_needs_no_round_trip(cluster: FakeCluster, make_backend: MakeBackend):
    backend = make_backend(server_side_rrf=True)
    assert await backend.search(TENANT, SearchRequest(text="simu", vector=[1.0, 0.0], k=0)) == []
    assert await backend.search(TENANT, SearchRequest(text="  ", vector=None)) == []
    assert await backend.search(TENANT, SearchRequest(text="  ", vector=[0.0, 0.0])) == []
    await backend.index(TENANT, [])
    await backend.delete(TENANT, "product", [])
    assert cluster.requests == []


# Compatibility headers -------------------------------------------------------------------------


async def test_every_request_asks_for_version_9_compatibility(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend()
    await backend.prepare(TENANT, dim=DIM)
    await backend.index(TENANT, [embedded("Samsung Galaxy A15")])
    await backend.search(TENANT, SearchRequest("samsung", trigram_vector("samsung", DIM)))
    assert {request.headers["accept"] for request in cluster.requests} == {
        "application/vnd.elasticsearch+json; compatible-with=9"
    }
    assert {r.headers["content-type"] for r in cluster.requests if r.content} == {
        "application/vnd.elasticsearch+json; compatible-with=9",
        "application/vnd.elasticsearch+x-ndjson; compatible-with=9",
    }


async def test_an_8x_server_refuses_every_request_of_the_9x_client():
    """What the compose file's former 8.15.3 answered (hence the 9.x pin, test_elastic_compat)."""
    backend = ElasticsearchBackend(FakeCluster("8.15.3").client(), index_prefix=PREFIX)
    try:
        with pytest.raises(BadRequestError) as refused:
            await backend.prepare(TENANT, dim=DIM)
    finally:
        await backend.close()
    assert refused.value.meta.status == 400
    error = refused.value.body["error"]
    assert error["type"] == "media_type_header_exception"
    assert error["caused_by"]["reason"].startswith(
        "Accept version must be either version 8 or 7, but found 9."
    )


# Index creation, names and layout --------------------------------------------------------------


async def test_index_is_created_with_its_layout_in_the_name_and_both_aliases(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend()
    await backend.prepare(TENANT, dim=DIM)
    (create,) = cluster.calls("PUT")
    name = f"{PREFIX}-{DIM}-{backend.layout}"
    assert create.url.path == f"/{name}"
    sent = body(create)
    assert sent["settings"] == queries.index_settings()
    assert sent["mappings"] == queries.index_mappings(DIM)
    assert sent["aliases"] == {PREFIX: {}, f"{name}-write": {}}
    assert backend.name == f"elasticsearch-{backend.layout}"
    # Nothing else behind the alias: no refresh, no delete.
    assert [endpoint(request) for request in cluster.requests] == ["PUT", "_alias"]
    assert backend.layout == queries.layout_version(
        queries.index_settings(), queries.index_mappings(0)
    )


async def test_index_settings_allow_the_edge_ngram_span(
    cluster: FakeCluster, make_backend: MakeBackend
):
    await make_backend().prepare(TENANT, dim=DIM)
    settings = body(cluster.calls("PUT")[0])["settings"]
    grams = [
        flt
        for flt in settings["analysis"]["filter"].values()  # type: ignore[index]
        if flt["type"] in ("ngram", "edge_ngram")
    ]
    assert grams
    allowed = settings["index"]["max_ngram_diff"]  # type: ignore[index]
    assert all(flt["max_gram"] - flt["min_gram"] <= allowed for flt in grams)


async def test_an_index_of_another_layout_is_left_for_a_new_one_and_the_tenant_moves(
    cluster: FakeCluster, make_backend: MakeBackend
):
    """Edited synonyms (another layout digest) never write into the old index: a new index with
    the new analysis is made and prepare drops the tenant's entries from the old one, which
    processes of the old layout may have written moments ago."""
    backend = make_backend()
    old = f"{PREFIX}-{DIM}-0123abcd"
    legacy = f"{PREFIX}-{DIM}"  # named before layouts were
    for name in (old, legacy):
        cluster.indexes[name] = Index(name, {}, {}, {PREFIX, f"{name}-write"})
    other_tenant = "0ther7e5a5e"
    await backend.index(TENANT, [embedded("Cotton t-shirt")])  # creates the new index
    for name in (old, legacy):
        cluster.put(name, f"{TENANT}:x", {"tenant_id": TENANT})
        cluster.put(name, f"{other_tenant}:x", {"tenant_id": other_tenant})
    cluster.requests.clear()
    await backend.prepare(TENANT, dim=DIM)
    assert set(cluster.indexes[old].docs) == {f"{other_tenant}:x"}
    assert set(cluster.indexes[legacy].docs) == {f"{other_tenant}:x"}
    (refresh,) = cluster.calls("_refresh")
    (delete,) = cluster.calls("_delete_by_query")
    assert target(refresh) == target(delete) == f"{legacy},{old}"
    assert len(cluster.indexes[backend.index_name(DIM)].docs) == 1


# Timeouts and retries --------------------------------------------------------------------------


@pytest.mark.parametrize("refresh", [False, True])
async def test_writes_wait_the_write_timeout_and_searches_the_client_default(
    cluster: FakeCluster, make_backend: MakeBackend, refresh: bool
):
    backend = make_backend(write_timeout_s=45.0, refresh=refresh)
    await backend.prepare(TENANT, dim=DIM)
    await backend.index(TENANT, [embedded("Samsung Galaxy A15")])
    await backend.delete(TENANT, "product", ["nothing"])
    await backend.search(TENANT, SearchRequest("samsung", trigram_vector("samsung", DIM)))
    timeouts = {endpoint(request): read_timeout(request) for request in cluster.requests}
    writes = {"PUT": 45.0, "_bulk": 45.0, "_delete_by_query": 45.0}
    if not refresh:
        writes["_refresh"] = 45.0
    assert timeouts == {**writes, "_alias": 10.0, "_msearch": 10.0}
    (bulk,) = cluster.calls("_bulk")
    assert bulk.url.params["refresh"] == str(refresh).lower()


@pytest.mark.parametrize("stalled", ["_bulk", "_delete_by_query", "_refresh", "PUT"])
async def test_a_write_that_timed_out_is_sent_again(
    cluster: FakeCluster, make_backend: MakeBackend, stalled: str
):
    backend = make_backend()
    cluster.stall(stalled, times=1)
    samsung = embedded("Samsung Galaxy A15")
    await backend.prepare(TENANT, dim=DIM)
    await backend.index(TENANT, [samsung])
    await backend.delete(TENANT, "product", [samsung.entity_id])
    sent = cluster.calls(stalled)
    assert len(sent) == 2 and sent[0].content == sent[1].content
    assert cluster.indexes[backend.index_name(DIM)].docs == {}


async def test_a_write_gives_up_after_its_retries(cluster: FakeCluster, make_backend: MakeBackend):
    backend = make_backend()
    await backend.prepare(TENANT, dim=DIM)
    cluster.stall("_delete_by_query", times=WRITE_RETRIES + 1)
    with pytest.raises(ConnectionTimeout):
        await backend.clear(TENANT)
    assert len(cluster.calls("_delete_by_query")) == WRITE_RETRIES + 1


async def test_a_search_that_timed_out_is_not_repeated(
    cluster: FakeCluster, make_backend: MakeBackend
):
    """A customer's query fails fast rather than waiting through retries."""
    backend = make_backend()
    cluster.stall("_msearch", times=1)
    with pytest.raises(ConnectionTimeout):
        await backend.search(TENANT, SearchRequest("samsung", None))
    assert len(cluster.calls("_msearch")) == 1


# Writes never auto-create an index -------------------------------------------------------------


async def test_writes_go_through_the_write_alias_with_require_alias(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend()
    samsung = embedded("Samsung Galaxy A15")
    await backend.index(TENANT, [samsung])
    (bulk,) = cluster.calls("_bulk")
    assert bulk.url.params["require_alias"] == "true"
    action, source = ndjson(bulk)
    assert action == {
        "index": {
            "_index": f"{backend.index_name(DIM)}-write",
            "_id": f"{TENANT}:product:{samsung.entity_id}:0",
            "routing": TENANT,
        }
    }
    assert source["embedding"] == list(samsung.embedding)


async def test_an_index_deleted_under_the_backend_is_made_again_with_mappings_and_aliases(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend()
    name = backend.index_name(DIM)
    await backend.index(TENANT, [embedded("Samsung Galaxy A15")])
    cluster.drop(name)
    cluster.requests.clear()
    tecno = embedded("Tecno Spark 20")
    await backend.index(TENANT, [tecno])
    assert [(r.method, target(r)) for r in cluster.requests] == [
        ("PUT", "_bulk"), ("PUT", name), ("PUT", "_bulk")
    ]  # fmt: skip
    first = cluster.calls("_bulk")[0]
    assert first.url.params["require_alias"] == "true"
    assert not any(index.auto_created for index in cluster.indexes.values())
    recreated = cluster.indexes[name]
    assert recreated.mappings == queries.index_mappings(DIM)
    assert recreated.aliases == {PREFIX, f"{name}-write"}
    assert list(recreated.docs) == [f"{TENANT}:product:{tecno.entity_id}:0"]


async def test_other_bulk_failures_are_raised_not_retried(
    cluster: FakeCluster, make_backend: MakeBackend
):
    """An item refused for its content (here: an index someone made with other dims) fails the
    write; nothing is recreated."""
    backend = make_backend()
    name = backend.index_name(DIM)
    cluster.indexes[name] = Index(
        name, {}, queries.index_mappings(DIM + 1), {PREFIX, f"{name}-write"}
    )
    with pytest.raises(BulkIndexError) as failed:
        await backend.index(TENANT, [embedded("Samsung Galaxy A15")])
    ((item,),) = (error.values() for error in failed.value.errors)
    assert (item["status"], item["error"]["type"]) == (400, "document_parsing_exception")
    assert len(cluster.calls("_bulk")) == 1
    assert [r.url.path for r in cluster.calls("PUT")] == [f"/{name}"]  # the one create attempt


# Zero vectors ----------------------------------------------------------------------------------


async def test_an_all_zero_embedding_is_indexed_without_a_vector(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend(refresh=True)
    blank = replace(entry("Gift voucher"), embedding=(0.0,) * DIM)
    await backend.index(TENANT, [blank, embedded("Samsung Galaxy A15")])
    blank_source, samsung_source = ndjson(cluster.calls("_bulk")[0])[1::2]
    assert "embedding" not in blank_source and "embedding" in samsung_source
    hits = await backend.search(TENANT, SearchRequest("voucher", trigram_vector("voucher", DIM)))
    found = {hit.entity_id: hit.retrievers for hit in hits}
    assert found[blank.entity_id] == (FULLTEXT,)  # by its words; kNN passes it by


@pytest.mark.parametrize("server_side_rrf", [False, True])
async def test_a_zero_query_vector_leaves_bm25_alone(
    cluster: FakeCluster, make_backend: MakeBackend, server_side_rrf: bool
):
    backend = make_backend(refresh=True, server_side_rrf=server_side_rrf)
    samsung = embedded("Samsung Galaxy A15")
    await backend.index(TENANT, [samsung])
    hits = await backend.search(TENANT, SearchRequest("samsung", [0.0] * DIM, k=5))
    assert [(hit.entity_id, hit.retrievers) for hit in hits] == [(samsung.entity_id, (FULLTEXT,))]
    assert cluster.calls("_search") == []
    header, search = ndjson(cluster.calls("_msearch")[0])
    assert header["index"] == PREFIX and "query" in search and "knn" not in search


# Refreshes before deletes ----------------------------------------------------------------------


async def test_a_delete_refreshes_only_this_layouts_indexes_once(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend()
    legacy = f"{PREFIX}-{DIM * 2}"
    cluster.indexes[legacy] = Index(legacy, {}, {}, {PREFIX})
    samsung = embedded("Samsung Galaxy A15")
    await backend.index(TENANT, [samsung])
    await backend.delete(TENANT, "product", [samsung.entity_id])
    (refresh,) = cluster.calls("_refresh")
    assert target(refresh) == f"{PREFIX}-*-{backend.layout}"
    (delete,) = cluster.calls("_delete_by_query")
    assert target(delete) == PREFIX
    assert delete.url.params["routing"] == TENANT
    # Written moments before and never refreshed otherwise, the entry is still deleted.
    assert cluster.indexes[backend.index_name(DIM)].docs == {}


async def test_with_refresh_on_writes_the_delete_needs_no_refresh_of_its_own(
    cluster: FakeCluster, make_backend: MakeBackend
):
    backend = make_backend(refresh=True)
    await backend.index(TENANT, [embedded("Samsung Galaxy A15")])
    await backend.clear(TENANT)
    assert cluster.calls("_refresh") == []
    assert cluster.calls("_delete_by_query")[0].url.params["refresh"] == "true"
    assert cluster.indexes[backend.index_name(DIM)].docs == {}


@pytest.mark.parametrize("server_side_rrf", [False, True])
async def test_ties_and_categories_as_the_contract_says(
    make_backend: MakeBackend, server_side_rrf: bool
) -> None:
    """Elasticsearch leaves equal scores in index order; the backend orders them by entry id,
    as Postgres does, and hands back each hit's categories."""
    backend = make_backend(refresh=True, server_side_rrf=server_side_rrf)

    await check_hits_carry_categories_and_ties_go_by_id(backend, TrigramEmbedder())
