"""Exporting ELASTICSEARCH_URL (to run the Elasticsearch contract suite) leaves the rest of the
suite on Postgres search: pydantic-settings reads the environment even with `_env_file=None`,
so the suite's settings pin the backend. TEST_SEARCH_BACKEND=elasticsearch opts in, under an
index prefix of the run's own, never the deployment's `wabotiq-search`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.search.fake_elastic import FakeCluster
from tests.suite import TEST_SEARCH_BACKEND, drop_indexes, own_index_prefix, suite_settings
from wabotiq.core.settings import Settings
from wabotiq.search.elastic import ElasticsearchBackend
from wabotiq.search.runtime import get_engine, make_backend

# Nothing listens here: a request that reached the network would fail with a connection error.
NOWHERE = "http://127.0.0.1:9"
DATABASE = "postgresql://wabotiq@127.0.0.1:9/wabotiq"


@pytest.fixture
def cluster_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELASTICSEARCH_URL", NOWHERE)
    monkeypatch.setenv("ELASTICSEARCH_INDEX_PREFIX", "wabotiq-search")
    monkeypatch.delenv(TEST_SEARCH_BACKEND, raising=False)


@pytest.mark.usefixtures("cluster_in_environment")
async def test_suite_settings_stay_on_postgres_with_elasticsearch_url_set(tmp_path: Path):
    # The environment does reach settings built the way the suite used to build them ...
    assert Settings(_env_file=None).elasticsearch_url == NOWHERE  # type: ignore[call-arg]
    # ... but not the suite's.
    settings = suite_settings(database_url=DATABASE, data_dir=tmp_path)
    assert settings.elasticsearch_url is None
    backend = make_backend(settings)
    assert backend.name == "postgres"
    await backend.close()


@pytest.mark.usefixtures("cluster_in_environment")
async def test_the_suite_opts_into_elasticsearch_under_a_prefix_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv(TEST_SEARCH_BACKEND, "elasticsearch")
    first = suite_settings(database_url=DATABASE, data_dir=tmp_path)
    second = suite_settings(database_url=DATABASE, data_dir=tmp_path)
    assert first.elasticsearch_url == NOWHERE
    prefixes = {first.elasticsearch_index_prefix, second.elasticsearch_index_prefix}
    assert len(prefixes) == 2 and all(p.startswith("wabotiq-test-") for p in prefixes)
    backend = make_backend(first)
    try:
        assert isinstance(backend, ElasticsearchBackend)
        assert backend.index_prefix == first.elasticsearch_index_prefix
    finally:
        await backend.close()


@pytest.mark.usefixtures("cluster_in_environment")
def test_an_unknown_test_search_backend_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv(TEST_SEARCH_BACKEND, "solr")
    with pytest.raises(RuntimeError, match="TEST_SEARCH_BACKEND"):
        suite_settings(database_url=DATABASE, data_dir=tmp_path)


def test_own_index_prefixes_never_meet_the_deployments():
    default = Settings.model_fields["elasticsearch_index_prefix"].default
    prefix = own_index_prefix()
    assert not prefix.startswith(f"{default}-") and prefix != default
    assert own_index_prefix() != prefix


async def test_the_session_engine_is_built_from_the_suites_settings(db: None, settings: Settings):
    """Tests that ask `get_engine()` before any app exists get the suite's backend too."""
    on_postgres = settings.elasticsearch_url is None
    assert (get_engine().backend.name == "postgres") is on_postgres


async def test_the_contract_cleanup_deletes_the_runs_indexes_by_name_and_nothing_else():
    """What test_contract_elastic does after its run, against an in-memory cluster that, like a
    real one by default, refuses wildcard deletes."""
    cluster = FakeCluster()
    run = own_index_prefix()
    ours = [f"{run}-16-0123abcd", f"{run}-8-0123abcd"]
    theirs = ["wabotiq-search-8-0123abcd", "wabotiq-search-16"]
    client = cluster.client()
    try:
        for name in ours + theirs:
            await client.indices.create(index=name)
        await drop_indexes(client, run)
    finally:
        await client.close()
    assert set(cluster.indexes) == set(theirs)
    (delete,) = cluster.calls("DELETE")
    assert delete.url.path == f"/{','.join(ours)}"
