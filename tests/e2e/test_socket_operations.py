"""Queries and mutations over the WebSocket run like over HTTP: routed to the socket's tenant,
scope-checked, audited; and a message over the body limit closes the socket unread."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.orders import key_with_scopes, make_customer
from tests.support.sockets import acknowledged, close_code, error_codes, run, socket

CUSTOMERS = """
query($phone: String) {
  customers(first: 10, filter: {phone: $phone}) { totalCount nodes { id name phone } }
}
"""
CUSTOMER_CREATE = """
mutation($phone: String!, $name: String!) {
  customerCreate(input: {phone: $phone, name: $name}) {
    customer { id name } userErrors { code }
  }
}
"""
ORDERS = "{ orders(first: 5) { totalCount } }"
AUDIT = """
query($operation: String) {
  auditLog(first: 20, filter: {operation: $operation}) {
    nodes { operation actorType actorLabel targetIds outcome }
  }
}
"""
MESSAGE_TOO_BIG = 1009


def a_phone() -> str:
    return f"+2547{uuid.uuid4().int % 10**8:08d}"


async def customers_with_phone(client: httpx.AsyncClient, tenant: TenantFixture, phone: str) -> int:
    body = await gql(client, CUSTOMERS, {"phone": phone}, tenant.key_headers())
    return body["data"]["customers"]["totalCount"]


async def audited(
    client: httpx.AsyncClient, tenant: TenantFixture, operation: str
) -> list[dict[str, Any]]:
    body = await gql(client, AUDIT, {"operation": operation}, tenant.key_headers())
    return body["data"]["auditLog"]["nodes"]


async def test_a_query_over_the_socket_reads_the_sockets_tenant(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    other = await make_tenant()
    await make_customer(client, tenant, name="Amina")
    await make_customer(client, other, name="Baraka")
    reader = await key_with_scopes(client, tenant, ["customers:view"])
    async with socket(app, reader) as ws:
        await acknowledged(ws)
        result = await run(ws, CUSTOMERS)
    assert "errors" not in result, result
    assert [node["name"] for node in result["data"]["customers"]["nodes"]] == ["Amina"]


async def test_mutations_over_the_socket_change_data_and_are_audited_each_on_its_own(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    editor = await key_with_scopes(client, tenant, ["customers:view", "customers:edit"])
    async with socket(app, editor) as ws:
        await acknowledged(ws)
        # A refused operation first: its refusal must not stick to the socket's later ones.
        assert error_codes(await run(ws, ORDERS)) == ["FORBIDDEN"]
        created = []
        for name in ("Wanjiru", "Otieno"):
            result = await run(ws, CUSTOMER_CREATE, {"phone": a_phone(), "name": name})
            assert "errors" not in result, result
            payload = result["data"]["customerCreate"]
            assert payload["userErrors"] == []
            created.append(payload["customer"]["id"])
        listed = await run(ws, CUSTOMERS)

    assert {node["id"] for node in listed["data"]["customers"]["nodes"]} == set(created)
    entries = await audited(client, tenant, "customerCreate")
    # Newest first; each entry names only the customer its own mutation created.
    assert [(e["targetIds"], e["outcome"]) for e in entries] == [
        ([created[1]], "SUCCESS"),
        ([created[0]], "SUCCESS"),
    ]
    label = f"API key {editor['X-Tenant-API-Key'][:12]}"
    assert {(e["actorType"], e["actorLabel"]) for e in entries} == {("api_key", label)}


async def test_what_the_key_lacks_scope_for_is_forbidden_over_the_socket(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    reader = await key_with_scopes(client, tenant, ["customers:view"])
    phone = a_phone()
    async with socket(app, reader) as ws:
        await acknowledged(ws)
        query = await run(ws, ORDERS)
        mutation = await run(ws, CUSTOMER_CREATE, {"phone": phone, "name": "Sneaky"})

    assert query["data"] is None
    assert error_codes(query) == ["FORBIDDEN"]
    assert query["errors"][0]["extensions"]["missingScopes"] == ["orders:view"]
    assert mutation["data"] is None
    assert error_codes(mutation) == ["FORBIDDEN"]
    assert mutation["errors"][0]["extensions"]["missingScopes"] == ["customers:edit"]
    assert await customers_with_phone(client, tenant, phone) == 0
    assert [e["outcome"] for e in await audited(client, tenant, "customerCreate")] == ["FORBIDDEN"]


async def test_a_message_over_the_body_limit_closes_the_socket_and_runs_nothing(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Any
) -> None:
    tenant = await make_tenant()
    editor = await key_with_scopes(client, tenant, ["customers:view", "customers:edit"])
    limit = settings.max_body_bytes
    small, big = a_phone(), a_phone()
    async with socket(app, editor) as ws:
        await acknowledged(ws)
        # Just under the limit, it runs: what refuses the next one is its size alone.
        padded = {"phone": small, "name": "Big", "padding": "x" * (limit - 1024)}
        result = await run(ws, CUSTOMER_CREATE, padded)
        assert result["data"]["customerCreate"]["userErrors"] == [], result

        oversized = {"phone": big, "name": "Big", "padding": "x" * (2 * limit)}
        await ws.send_json(
            {
                "id": "big",
                "type": "subscribe",
                "payload": {"query": CUSTOMER_CREATE, "variables": oversized},
            }
        )
        assert await close_code(ws) == MESSAGE_TOO_BIG

    assert await customers_with_phone(client, tenant, small) == 1
    assert await customers_with_phone(client, tenant, big) == 0
