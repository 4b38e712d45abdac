"""The settings the test suite runs under, and the indexes it owns on a shared cluster.

pydantic-settings reads the environment even with `_env_file=None`, so an ELASTICSEARCH_URL
exported to run the Elasticsearch contract suite would switch every other test to that cluster,
into its production `wabotiq-search-*` indexes. The suite pins its search backend instead:
Postgres, unless TEST_SEARCH_BACKEND=elasticsearch asks for the cluster at ELASTICSEARCH_URL,
and then under an index prefix of the run's own, dropped when the run ends."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from elasticsearch import AsyncElasticsearch

from wabotiq.core.settings import Settings, generate_secrets

TEST_SEARCH_BACKEND = "TEST_SEARCH_BACKEND"


def own_index_prefix() -> str:
    """An index prefix no other run (and no deployment) uses."""
    return f"wabotiq-test-{secrets.token_hex(4)}"


def search_overrides() -> dict[str, object]:
    """The search settings of the suite, whatever ELASTICSEARCH_URL says."""
    wanted = os.environ.get(TEST_SEARCH_BACKEND, "postgres")
    if wanted == "postgres":
        return {"elasticsearch_url": None}
    url = os.environ.get("ELASTICSEARCH_URL")
    if wanted != "elasticsearch" or not url:
        raise RuntimeError(
            f"{TEST_SEARCH_BACKEND} is 'postgres' (default) or 'elasticsearch' with"
            f" ELASTICSEARCH_URL set; got {wanted!r}"
        )
    return {"elasticsearch_url": url, "elasticsearch_index_prefix": own_index_prefix()}


def suite_settings(*, database_url: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        data_dir=data_dir,
        db_pool_max=20,
        # Every test client shares one address, so one anonymous budget and one address's
        # sign-in failures across all tests: make them roomy.
        cost_bucket_capacity=1_000_000,
        login_free_failures_per_ip=1_000_000,
        # No spare-schema keeper in the suite's app: its DDL would run behind tests that count
        # statements. `tests/tenancy/test_spares.py` runs keepers of its own.
        spare_schemas=0,
        **search_overrides(),  # type: ignore[arg-type]
        **generate_secrets(),  # type: ignore[arg-type]
    )


async def drop_indexes(client: AsyncElasticsearch, prefix: str) -> None:
    """Delete every index under `prefix`, naming each: clusters refuse wildcard deletes by
    default (action.destructive_requires_name)."""
    created = await client.indices.get(index=f"{prefix}-*", allow_no_indices=True)
    if created.body:
        await client.indices.delete(index=sorted(created.body))
