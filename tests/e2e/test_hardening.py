"""Limits, CORS, introspection, cost and throttling, error masking, health and request ids."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.support.apps import app_client
from wabotiq.api.middleware import RequestIdMiddleware
from wabotiq.api.view import GraphQLView
from wabotiq.core.settings import Settings
from wabotiq.graphql.extensions.masking import MaskUnexpectedErrors
from wabotiq.runtime import Runtime

GENERATED_ID = re.compile(r"^[0-9a-f]{16}$")
ME = "{ me { kind } }"
DEEP = "{ members { edges { node { role { name } } } } }"  # five levels
ALLOWED_ORIGIN = "https://shop.example.com"


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


def _messages(body: dict[str, Any]) -> list[str]:
    return [error["message"] for error in body.get("errors") or []]


def _request_ids(response: httpx.Response) -> list[str]:
    return response.headers.get_list("x-request-id")


def _padded(query: str, size: int) -> bytes:
    """A valid GraphQL request body of exactly `size` bytes (JSON allows trailing spaces)."""
    body = json.dumps({"query": query}).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


# Query shape limits -------------------------------------------------------------------------


async def test_query_deeper_than_the_limit_is_refused(
    client: httpx.AsyncClient, settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    async with app_client(settings, database_url, max_query_depth=3) as tight:
        refused = await gql(tight, DEEP, headers=tenant.key_headers())
        assert refused["data"] is None
        assert _messages(refused) == ["'anonymous' exceeds maximum operation depth of 3"]
        shallow = await gql(tight, "{ me { tenant { slug } } }", headers=tenant.key_headers())
        assert shallow.get("errors") is None, shallow
    # The same deep query is fine under the default limit.
    allowed = await gql(client, DEEP, headers=tenant.key_headers())
    assert allowed.get("errors") is None, allowed
    assert allowed["data"]["members"]["edges"][0]["node"]["role"]["name"] == "Owner"


async def test_too_many_aliases_are_refused(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    async with app_client(settings, database_url, max_aliases=2) as tight:
        refused = await gql(
            tight, "{ a: me { kind } b: me { kind } c: me { kind } }", headers=tenant.key_headers()
        )
        assert refused["data"] is None
        assert _messages(refused) == ["3 aliases found. Allowed: 2"]
        allowed = await gql(
            tight, "{ a: me { kind } b: me { kind } }", headers=tenant.key_headers()
        )
        assert allowed.get("errors") is None, allowed
        assert allowed["data"] == {"a": {"kind": "API_KEY"}, "b": {"kind": "API_KEY"}}


async def test_too_many_tokens_are_refused(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    many = "{ " + "me { kind } " * 40 + "}"  # 162 tokens; one field, merged, if parsed
    # Repeats of one field are bounded too (tests/e2e/test_documents.py): not what this tests.
    async with app_client(settings, database_url, max_tokens=100, max_field_repeats=40) as tight:
        refused = await gql(tight, many, headers=tenant.key_headers())
        assert refused.get("data") is None
        assert len(_messages(refused)) == 1
        assert "more than 100 tokens" in _messages(refused)[0]
        allowed = await gql(tight, "{ " + "me { kind } " * 20 + "}", headers=tenant.key_headers())
        assert allowed.get("errors") is None, allowed


# Body size ----------------------------------------------------------------------------------


async def test_body_over_the_limit_by_content_length_is_413(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    async with app_client(settings, database_url, max_body_bytes=1024) as tight:
        headers = {**tenant.key_headers(), "content-type": "application/json"}
        ok = await tight.post("/graphql", content=_padded(ME, 1024), headers=headers)
        assert ok.status_code == 200, ok.text
        assert ok.json()["data"] == {"me": {"kind": "API_KEY"}}

        request = tight.build_request(
            "POST", "/graphql", content=_padded(ME, 1025), headers=headers
        )
        assert request.headers["content-length"] == "1025"
        response = await tight.send(request)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        assert len(_request_ids(response)) == 1


async def test_streamed_body_over_the_limit_is_413(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    def chunked(data: bytes, size: int = 200) -> Any:
        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(data), size):
                yield data[start : start + size]

        return stream()

    async with app_client(settings, database_url, max_body_bytes=1024) as tight:
        headers = {**tenant.key_headers(), "content-type": "application/json"}

        small = tight.build_request("POST", "/graphql", content=chunked(_padded(ME, 1000)))
        small.headers.update(headers)
        assert "content-length" not in small.headers
        assert small.headers["transfer-encoding"] == "chunked"
        ok = await tight.send(small)
        assert ok.status_code == 200, ok.text
        assert ok.json()["data"] == {"me": {"kind": "API_KEY"}}

        big = tight.build_request("POST", "/graphql", content=chunked(_padded(ME, 5000)))
        big.headers.update(headers)
        assert "content-length" not in big.headers
        response = await tight.send(big)
        assert response.status_code == 413, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        assert len(_request_ids(response)) == 1


# CORS and introspection ---------------------------------------------------------------------


async def test_cors_allows_configured_origins_only(settings: Settings, database_url: str) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    async with app_client(settings, database_url, cors_origins=[ALLOWED_ORIGIN]) as cors:
        allowed = await cors.options(
            "/graphql",
            headers={
                **preflight,
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Headers": "content-type, x-tenant-id, x-tenant-api-key",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "POST" in allowed.headers["access-control-allow-methods"]

        foreign = await cors.options(
            "/graphql", headers={**preflight, "Origin": "https://evil.example.net"}
        )
        assert "access-control-allow-origin" not in foreign.headers

        simple = await cors.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED_ORIGIN}
        )
        assert simple.status_code == 200
        assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "x-request-id" in simple.headers["access-control-expose-headers"]

        simple_foreign = await cors.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://evil.example.net"},
        )
        assert simple_foreign.status_code == 200
        assert "access-control-allow-origin" not in simple_foreign.headers

    # No configured origins: nobody is allowed.
    async with app_client(settings, database_url, cors_origins=[]) as closed:
        response = await closed.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED_ORIGIN}
        )
        assert "access-control-allow-origin" not in response.headers


async def test_introspection_can_be_disabled(
    client: httpx.AsyncClient, settings: Settings, database_url: str
) -> None:
    query = "{ __schema { queryType { name } } }"
    enabled = await gql(client, query)
    assert enabled.get("errors") is None, enabled
    assert enabled["data"]["__schema"]["queryType"]["name"] == "Query"

    async with app_client(settings, database_url, introspection=False) as closed:
        for probe in (query, '{ __type(name: "Query") { name } }'):
            refused = await gql(closed, probe)
            assert refused.get("data") is None
            assert any("introspection" in message for message in _messages(refused)), refused
        # Ordinary queries still work.
        plain = await gql(closed, "{ __typename }")
        assert plain.get("errors") is None and plain["data"] == {"__typename": "Query"}


# Cost and throttling ------------------------------------------------------------------------


async def test_query_cost_over_the_maximum_is_refused_and_cost_is_reported(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    async with app_client(settings, database_url, max_query_cost=20) as tight:
        # A connection costs 2 + first × its items: each member is 1 plus 1 for its role.
        costly = "{ members(first: 10) { nodes { email role { name } } } }"
        refused = await gql(tight, costly, headers=tenant.key_headers())
        assert refused["data"] is None
        error = refused["errors"][0]
        assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
        assert error["extensions"]["cost"] == 22 and error["extensions"]["maxCost"] == 20
        assert refused["extensions"]["cost"] == {"requestedQueryCost": 22, "maxCost": 20}

        # A variable `first` is costed with its value.
        by_variable = await gql(
            tight,
            "query($n: Int!) { members(first: $n) { nodes { email role { name } } } }",
            {"n": 10},
            headers=tenant.key_headers(),
        )
        assert by_variable["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"

        cheap = await gql(
            tight, "{ members(first: 5) { nodes { email } } }", headers=tenant.key_headers()
        )
        assert cheap.get("errors") is None, cheap
        assert cheap["data"]["members"]["nodes"] == [{"email": tenant.owner_email}]
        cost = cheap["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 7
        status = cost["throttleStatus"]
        assert status["maximumAvailable"] == settings.cost_bucket_capacity
        assert status["restoreRate"] == settings.cost_restore_rate
        assert status["currentlyAvailable"] <= settings.cost_bucket_capacity - 7 + 1


async def test_a_spent_budget_throttles_that_key_only(
    settings: Settings, database_url: str, make_tenant: MakeTenant
) -> None:
    first, second = await make_tenant(), await make_tenant()
    query = "{ me { tenant { slug } } }"  # costs 2
    async with app_client(
        settings, database_url, cost_bucket_capacity=5, cost_restore_rate=0.0001
    ) as tight:
        for _ in range(2):
            spent = await gql(tight, query, headers=first.key_headers())
            assert spent.get("errors") is None, spent
            assert spent["extensions"]["cost"]["requestedQueryCost"] == 2
        throttled = await gql(tight, query, headers=first.key_headers())
        assert throttled["data"] is None
        assert [e["extensions"]["code"] for e in throttled["errors"]] == ["THROTTLED"]
        assert throttled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 2

        # A cheaper query still fits in what is left; then nothing does.
        last = await gql(tight, ME, headers=first.key_headers())
        assert last.get("errors") is None, last
        again = await gql(tight, ME, headers=first.key_headers())
        assert [e["extensions"]["code"] for e in again["errors"]] == ["THROTTLED"]

        # Another key has its own budget.
        other = await gql(tight, query, headers=second.key_headers())
        assert other.get("errors") is None, other
        assert other["data"]["me"]["tenant"]["slug"] == second.slug


# Error masking ------------------------------------------------------------------------------

SECRET_DETAIL = "password=hunter2 at /srv/wabotiq/secret.py"


@strawberry.type
class _Query:
    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError(SECRET_DETAIL)

    @strawberry.field
    def coded(self) -> str:
        raise GraphQLError("Not allowed here.", extensions={"code": "FORBIDDEN"})

    @strawberry.field
    def fine(self) -> str:
        return "fine"


@pytest.fixture
def masking_client(settings: Settings) -> httpx.AsyncClient:
    """The real view and request-id middleware over a tiny schema with failing resolvers."""
    schema = strawberry.Schema(query=_Query, extensions=[MaskUnexpectedErrors])
    view = GraphQLView(schema, runtime=Runtime.from_settings(settings))
    app = Starlette(
        routes=[Route("/graphql", view, methods=["GET", "POST"])],
        middleware=[Middleware(RequestIdMiddleware)],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_unexpected_errors_are_masked_with_the_request_id(
    masking_client: httpx.AsyncClient,
) -> None:
    async with masking_client as c:
        response = await c.post(
            "/graphql",
            json={"query": "{ boom fine }"},
            headers={"X-Request-ID": "req-mask-0001"},
        )
    assert response.status_code == 200
    assert SECRET_DETAIL not in response.text
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert body["data"] is None or body["data"].get("boom") is None
    [error] = body["errors"]
    assert error["message"] == "Unexpected error. Quote request id req-mask-0001 to support."
    assert error["path"] == ["boom"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-mask-0001"}
    assert _request_ids(response) == ["req-mask-0001"]


async def test_generated_request_id_is_quoted_in_masked_errors(
    masking_client: httpx.AsyncClient,
) -> None:
    async with masking_client as c:
        response = await c.post("/graphql", json={"query": "{ boom }"})
    [request_id] = _request_ids(response)
    assert GENERATED_ID.match(request_id)
    error = response.json()["errors"][0]
    assert request_id in error["message"]
    assert error["extensions"]["requestId"] == request_id


async def test_coded_and_validation_errors_pass_unmasked(
    masking_client: httpx.AsyncClient,
) -> None:
    async with masking_client as c:
        coded = (await c.post("/graphql", json={"query": "{ coded }"})).json()
        invalid = (await c.post("/graphql", json={"query": "{ nope }"})).json()
    assert coded["errors"][0]["message"] == "Not allowed here."
    assert coded["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert "Cannot query field 'nope'" in invalid["errors"][0]["message"]


# Health and request ids ---------------------------------------------------------------------


async def test_healthz_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert len(_request_ids(response)) == 1


async def test_every_response_carries_one_request_id(
    client: httpx.AsyncClient, settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    responses = [
        await client.get("/healthz"),
        await client.post("/graphql", json={"query": ME}, headers=tenant.key_headers()),
        await client.post("/graphql", json={"query": ME}),  # anonymous: refused in GraphQL
        await client.post(
            "/graphql", json={"query": ME}, headers=tenant.key_headers("wbk_" + "x" * 40)
        ),  # 401 from the middleware
        await client.post("/graphql", content=b"{not json", headers=tenant.key_headers()),
        await client.get("/nowhere"),
    ]
    async with app_client(settings, database_url, max_body_bytes=1024) as tight:
        responses.append(await tight.post("/graphql", content=b" " * 2048))  # 413
    assert [r.status_code for r in responses] == [200, 200, 200, 401, 400, 404, 413]
    ids = []
    for response in responses:
        values = _request_ids(response)
        assert len(values) == 1, (response.status_code, values)
        assert GENERATED_ID.match(values[0]), values
        ids.append(values[0])
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", ["/healthz", "/graphql"])
async def test_a_sane_incoming_request_id_is_echoed(
    client: httpx.AsyncClient, tenant: TenantFixture, path: str
) -> None:
    sane = "req-2024-05-01.abc_XYZ"
    if path == "/healthz":
        response = await client.get(path, headers={"X-Request-ID": sane})
    else:
        response = await client.post(
            path, json={"query": ME}, headers={**tenant.key_headers(), "X-Request-ID": sane}
        )
    assert response.status_code == 200
    assert _request_ids(response) == [sane]

    # Also on a response the middleware writes itself (a refused key).
    refused = await client.post(
        "/graphql",
        json={"query": ME},
        headers={**tenant.key_headers("wbk_" + "y" * 40), "X-Request-ID": sane},
    )
    assert refused.status_code == 401
    assert _request_ids(refused) == [sane]


@pytest.mark.parametrize("incoming", ["short", "x" * 65, "tab\there-12345"])
async def test_an_unusable_incoming_request_id_is_replaced(
    client: httpx.AsyncClient, incoming: str
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": incoming})
    [request_id] = _request_ids(response)
    assert request_id != incoming
    assert GENERATED_ID.match(request_id)
