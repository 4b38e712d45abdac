"""Documents the server refuses before running anything: an operation it cannot pick, and
shapes that would cost validation too much (fragments, expanded selections, merged repeats)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.support.apps import app_client
from tests.support.polling import DEADLINE_S
from tests.support.sockets import acknowledged, listening, socket
from wabotiq.core.settings import Settings

CREATE = 'mutation Create { customerCreate(input: {phone: "0712345678"}) { customer { id } } }'
COUNT = "query Count { customers { totalCount } }"


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


async def _customers(client: httpx.AsyncClient, tenant: TenantFixture) -> int:
    body = await gql(client, "{ customers { totalCount } }", headers=tenant.key_headers())
    return int(body["data"]["customers"]["totalCount"])


def _refusal(response: httpx.Response) -> dict[str, Any]:
    """The one error of a request error: 400, no data, nothing run."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    return error  # type: ignore[no-any-return]


# Which operation -------------------------------------------------------------------------


@pytest.mark.parametrize("document", [f"{CREATE}\n{COUNT}", f"{COUNT}\n{CREATE}"])
async def test_several_operations_without_a_name_run_none(
    client: httpx.AsyncClient, tenant: TenantFixture, document: str
) -> None:
    response = await client.post("/graphql", json={"query": document}, headers=tenant.key_headers())
    error = _refusal(response)
    assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    assert "operationName" in error["message"]
    assert await _customers(client, tenant) == 0  # the mutation did not run

    over_get = await client.get(
        "/graphql",
        params={"query": f"{COUNT}\nquery Other {{ __typename }}"},
        headers=tenant.key_headers(),
    )
    assert _refusal(over_get)["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"


async def test_an_unknown_operation_name_runs_nothing(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    for document in (f"{CREATE}\n{COUNT}", CREATE):
        response = await client.post(
            "/graphql",
            json={"query": document, "operationName": "Nope"},
            headers=tenant.key_headers(),
        )
        error = _refusal(response)
        assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
        assert "Nope" in error["message"]
    assert await _customers(client, tenant) == 0


async def test_the_named_operation_runs(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    body = {"query": f"{CREATE}\n{COUNT}", "operationName": "Create"}
    response = await client.post("/graphql", json=body, headers=tenant.key_headers())
    assert response.status_code == 200 and response.json().get("errors") is None, response.text
    assert response.json()["data"]["customerCreate"]["customer"]["id"]
    assert await _customers(client, tenant) == 1


# Validation bounds -----------------------------------------------------------------------


def _fragments(count: int) -> str:
    spreads = " ".join(f"...F{i}" for i in range(count))
    return f"query {{ {spreads} }}\n" + "".join(
        f"fragment F{i} on Query {{ __typename }}\n" for i in range(count)
    )


async def _code(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
) -> str | None:
    """None when the document ran without errors, else the code of its one refusal."""
    body = await gql(client, query, headers=headers)
    if not body.get("errors"):
        assert body["_status"] == 200, body
        return None
    assert body["_status"] == 400, body
    assert body.get("data") is None, body
    return str(body["errors"][0]["extensions"]["code"])


async def test_the_costly_documents_of_the_issue_are_refused(client: httpx.AsyncClient) -> None:
    fan_out = (
        "query { ...F0 }\n"
        + "".join(
            f"fragment F{i} on Query {{ __typename ...F{i + 1} ...F{i + 1} }}\n" for i in range(19)
        )
        + "fragment F19 on Query { __typename }"
    )
    assert await _code(client, _fragments(200)) == "MAX_FRAGMENTS_EXCEEDED"
    assert await _code(client, "{ " + "__typename " * 3000 + "}") == "MAX_SELECTIONS_EXCEEDED"
    assert await _code(client, fan_out) == "MAX_SELECTIONS_EXCEEDED"
    assert await _code(client, "{ " + "me { kind } " * 100 + "}") == "MAX_FIELD_REPEATS_EXCEEDED"


async def test_fragments_spreading_each_other_in_a_cycle_get_the_spec_error(
    client: httpx.AsyncClient,
) -> None:
    # Each fragment spreads the next twice and the last spreads the first: the expansion has no
    # end, so no selection count applies; the refusal is validation's own.
    cycle = (
        "query { ...X1 ...X20 }\n"
        + "".join(
            f"fragment X{i} on Query {{ __typename ...X{i + 1} ...X{i + 1} }}\n"
            for i in range(1, 20)
        )
        + "fragment X20 on Query { __typename ...X1 }"
    )
    body = await gql(client, cycle)
    assert body["_status"] == 200 and body.get("data") is None, body
    [error] = body["errors"]
    assert error["message"].startswith("Cannot spread fragment 'X1' within itself"), error


async def test_fragments_sharing_a_name_get_the_spec_error(client: httpx.AsyncClient) -> None:
    # Counted by name, the bodies of the other two would escape the selection bound.
    body = " ".join(["__typename"] * 50)
    twice = "query { ...F }" + f" fragment F on Query {{ {body} }}" * 3
    response = await gql(client, twice)
    assert response["_status"] == 200 and response.get("data") is None, response
    assert {e["message"] for e in response["errors"]} == {
        "There can be only one fragment named 'F'."
    }


async def test_fragment_definitions_are_bounded(settings: Settings, database_url: str) -> None:
    async with app_client(settings, database_url, max_fragments=4) as tight:
        assert await _code(tight, _fragments(4)) is None
        body = await gql(tight, _fragments(5))
        [error] = body["errors"]
        assert error["extensions"] == {"code": "MAX_FRAGMENTS_EXCEEDED", "found": 5, "max": 4}


async def test_selections_are_bounded_with_spreads_expanded(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    key = tenant.key_headers()
    # me, kind, tenant, slug, name, __typename: 6 selections.
    six = "{ me { kind tenant { slug name } } __typename }"
    # Written, 9 selections; with each spread of the 3-selection fragment expanded, 12.
    spread = "fragment T on Tenant { slug name tenantId }"
    twelve = f"{{ me {{ tenant {{ ...T }} }} a: me {{ tenant {{ ...T }} }} }} {spread}"
    async with app_client(settings, database_url, max_selections=6) as tight:
        assert await _code(tight, six, key) is None
        seven = "{ me { kind tenant { slug name } } __typename a: __typename }"
        assert await _code(tight, seven, key) == "MAX_SELECTIONS_EXCEEDED"
    async with app_client(settings, database_url, max_selections=12) as tight:
        assert await _code(tight, twelve, key) is None
    async with app_client(settings, database_url, max_selections=11) as tight:
        assert await _code(tight, twelve, key) == "MAX_SELECTIONS_EXCEEDED"


async def test_a_field_merged_too_often_is_refused(
    settings: Settings, database_url: str, tenant: TenantFixture
) -> None:
    def repeated(count: int) -> str:
        return "{ " + "me { kind } " * count + "}"

    def through_fragments(count: int) -> str:
        spreads = " ".join(f"...R{i}" for i in range(count))
        definitions = "".join(f" fragment R{i} on Query {{ me {{ kind }} }}" for i in range(count))
        return f"query {{ {spreads} }}{definitions}"

    key = tenant.key_headers()
    # Three `me` fields whose `tenant` fields merge into one group of four.
    nested = (
        "{ me { tenant { slug } tenant { name } } me { tenant { slug } } "
        "me { tenant { tenantId } } }"
    )
    async with app_client(settings, database_url, max_field_repeats=3) as tight:
        assert await _code(tight, repeated(3), key) is None
        assert await _code(tight, through_fragments(3), key) is None
        assert await _code(tight, repeated(4), key) == "MAX_FIELD_REPEATS_EXCEEDED"
        assert await _code(tight, through_fragments(4), key) == "MAX_FIELD_REPEATS_EXCEEDED"
        assert await _code(tight, nested, key) == "MAX_FIELD_REPEATS_EXCEEDED"


async def test_several_subscriptions_without_a_name_are_refused_over_the_socket(
    app: Any, tenant: TenantFixture
) -> None:
    document = (
        "subscription A { orderEvents { eventType } }\nsubscription B { orderEvents { status } }"
    )
    async with socket(app, tenant.key_headers()) as ws:
        await acknowledged(ws)
        await ws.send_json({"id": "both", "type": "subscribe", "payload": {"query": document}})
        message = await ws.receive_json(timeout=DEADLINE_S)
        assert message["type"] == "error" and message["id"] == "both", message
        [error] = message["payload"]
        assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
        assert "operationName" in error["message"]
        # The socket still serves a well-formed subscription.
        named = {"query": document, "operationName": "A"}
        await ws.send_json({"id": "a", "type": "subscribe", "payload": named})
        await listening(app, tenant, 1)
