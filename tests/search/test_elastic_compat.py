"""The Elasticsearch client we install and the server our compose file runs accept each other.

Client 9.x sends `compatible-with=9` media types on every request; a server accepts only its own
major and the one before, so an 8.x server answers all of them 400 media_type_header_exception
(test_elastic_backend shows that refusal)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import elasticsearch
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from tests.search.contract import entry, trigram_vector
from tests.search.fake_elastic import FakeCluster
from wabotiq.search.elastic import ElasticsearchBackend
from wabotiq.search.types import SearchRequest

ROOT = Path(__file__).resolve().parents[2]


def compose_server_version() -> Version:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["elasticsearch"]["image"]
    assert image.startswith("docker.elastic.co/elasticsearch/elasticsearch:"), image
    return Version(image.rsplit(":", 1)[1])


def client_requirement() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (spec,) = [d for d in project["dependencies"] if Requirement(d).name == "elasticsearch"]
    return Requirement(spec)


def test_pyproject_bounds_the_client_to_one_major_the_compose_server_speaks():
    server = compose_server_version()
    wanted = client_requirement().specifier
    installed = Version(elasticsearch.__versionstr__)
    assert installed in wanted
    assert installed.major == server.major
    assert f"{server.major}.0.0" in wanted
    assert f"{server.major + 1}.0.0" not in wanted
    assert f"{server.major - 1}.19.0" not in wanted


async def test_the_backend_works_against_the_compose_server_version():
    server = compose_server_version()
    cluster = FakeCluster(str(server))
    backend = ElasticsearchBackend(cluster.client(), index_prefix="compat", refresh=True)
    try:
        samsung = replace(entry("Samsung Galaxy A15"), embedding=trigram_vector("samsung", 8))
        await backend.prepare("t1", dim=8)
        await backend.index("t1", [samsung])
        hits = await backend.search("t1", SearchRequest("samsung", trigram_vector("samsung", 8)))
        await backend.clear("t1")
    finally:
        await backend.close()
    assert [hit.entity_id for hit in hits] == [samsung.entity_id]
    asked = {request.headers["accept"] for request in cluster.requests}
    assert asked == {f"application/vnd.elasticsearch+json; compatible-with={server.major}"}


def test_readme_names_the_supported_server_versions():
    major = compose_server_version().major
    readme = (ROOT / "README.md").read_text()
    assert f"Elasticsearch {major}.x" in readme
    assert f"elasticsearch>={major},<{major + 1}" in readme
