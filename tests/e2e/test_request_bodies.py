"""Malformed GraphQL-over-HTTP requests get 400 with a JSON GraphQL error, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.documents import DOCUMENTS, UPLOAD, multipart

JSON = {"content-type": "application/json"}
PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


def assert_bad_request(response: httpx.Response, *, mentions: str = "") -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert mentions.lower() in error["message"].lower(), error


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


@pytest.mark.parametrize("body", [b'"hello"', b"null", b"42", b"true", b"[]", b"[1]"])
async def test_a_json_body_that_is_not_an_operation_object_is_400(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post("/graphql", content=body, headers=JSON)
    assert_bad_request(response)


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "variables": {"x": "\xff\xfe"}}',  # not UTF-8 at all
        json.dumps({"query": "{ __typename }"}).encode("utf-16"),  # JSON, but not in UTF-8
        b"\xc3\x28",
    ],
)
async def test_a_body_that_is_not_utf8_is_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers=JSON)
    assert_bad_request(response, mentions="UTF-8")


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    for body in (b"{not json", b"", b'{"query": '):
        assert_bad_request(await client.post("/graphql", content=body, headers=JSON))


@pytest.mark.parametrize("name", [5, ["A"], {"a": 1}, True])
async def test_an_operation_name_that_is_not_a_string_is_400(
    client: httpx.AsyncClient, name: Any
) -> None:
    body = {"query": "query A { __typename }", "operationName": name}
    assert_bad_request(await client.post("/graphql", json=body), mentions="operationName")


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ __typename }", "variables": "not json"},
        {"query": "{ __typename }", "variables": '"a string"'},
        {"query": "{ __typename }", "variables": "[1, 2]"},
        {"query": "{ __typename }", "extensions": "7"},
        {"variables": "{}"},  # no query at all
    ],
)
async def test_malformed_get_parameters_are_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": "application/json"})
    assert_bad_request(response)


async def test_well_formed_get_and_post_still_run(client: httpx.AsyncClient) -> None:
    query = "query($skip: Boolean!) { __typename @skip(if: $skip) }"
    got = await client.get("/graphql", params={"query": query, "variables": '{"skip": false}'})
    posted = await client.post("/graphql", json={"query": query, "variables": {"skip": False}})
    for response in (got, posted):
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"__typename": "Query"}


async def test_a_mutation_over_get_is_refused_as_json(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    query = 'mutation { customerCreate(input: {phone: "0712345678"}) { customer { id } } }'
    response = await client.get("/graphql", params={"query": query}, headers=tenant.key_headers())
    assert_bad_request(response, mentions="mutations are not allowed")
    listed = await gql(client, "{ customers { totalCount } }", headers=tenant.key_headers())
    assert listed["data"]["customers"]["totalCount"] == 0


def _upload_request(operations: str, files_map: str) -> dict[str, Any]:
    return {
        "data": {"operations": operations, "map": files_map},
        "files": {"0": ("notes.txt", b"Bei ya simu ni elfu kumi.", "text/plain")},
    }


GOOD_OPERATIONS = json.dumps(
    {"query": UPLOAD, "variables": {"input": {"file": None, "name": "Notes"}}}
)


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        ('"hello"', '{"0": ["variables.input.file"]}'),  # operations not an object
        ("null", '{"0": ["variables.input.file"]}'),
        (GOOD_OPERATIONS, "[]"),  # map not an object
        (GOOD_OPERATIONS, '{"0": "variables.input.file"}'),  # paths not a list
        (GOOD_OPERATIONS, '{"0": [5]}'),
        (GOOD_OPERATIONS, '{"1": ["variables.input.file"]}'),  # no such file
        (GOOD_OPERATIONS, '{"0": ["variables.nowhere.file"]}'),  # no such path
        (GOOD_OPERATIONS, '{"0": ["variables.input.name.x"]}'),  # path through a string
        (GOOD_OPERATIONS, '{"0": ["query.0"]}'),
        ('[{"query": "{ __typename }", "variables": {"f": []}}]', '{"0": ["0.variables.f.3"]}'),
        ('{"query": "{ __typename }", "variables": {"f": []}}', '{"0": ["variables.f.x"]}'),
        (b"\xff\xfe".decode("latin-1"), '{"0": ["variables.input.file"]}'),
    ],
)
async def test_a_malformed_multipart_upload_is_400_and_stores_nothing(
    client: httpx.AsyncClient, tenant: TenantFixture, operations: str, files_map: str
) -> None:
    headers = {**tenant.key_headers(), **PREFLIGHT}
    response = await client.post(
        "/graphql", headers=headers, **_upload_request(operations, files_map)
    )
    assert_bad_request(response)
    listed = await gql(client, DOCUMENTS, {"first": 5}, headers=tenant.key_headers())
    assert listed["data"]["documents"]["totalCount"] == 0


async def test_a_well_formed_multipart_upload_still_works(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    request = multipart(
        UPLOAD,
        {"input": {"file": None, "name": "Notes"}},
        "variables.input.file",
        ("notes.txt", b"Bei ya simu ni elfu kumi.", "text/plain"),
    )
    response = await client.post("/graphql", headers={**tenant.key_headers()}, **request)
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["uploadDocument"]
    assert payload["userErrors"] == [] and payload["document"]["name"] == "Notes"
