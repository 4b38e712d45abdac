"""Tenant API keys over GraphQL: the secret shown once, scoped, used, revocable at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tests.conftest import bearer_headers, gql

UNAUTHORIZED_BODY = {
    "errors": [{"message": "Unauthorized.", "extensions": {"code": "UNAUTHENTICATED"}}]
}

ME = "{ me { kind scopes user { email } tenant { tenantId } apiKey { prefix } } }"


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _raw(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME}, headers=headers)


API_KEY_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  apiKeyCreate(input: {name: $name, scopes: $scopes}) {
    apiKey { id name prefix scopes createdAt lastUsedAt revokedAt }
    secret
    userErrors { field message code }
  }
}
"""


API_KEY_REVOKE = """
mutation($id: ID!) {
  apiKeyRevoke(input: {id: $id}) {
    apiKey { id revokedAt }
    userErrors { field message code }
  }
}
"""


API_KEYS = """
{ apiKeys(first: 100) {
    totalCount nodes { id name prefix scopes createdAt lastUsedAt revokedAt } } }
"""


async def _create_key(
    client: httpx.AsyncClient, headers: dict[str, str], scopes: list[str], name: str = "Partner"
) -> dict[str, Any]:
    body = await gql(client, API_KEY_CREATE, {"name": name, "scopes": scopes}, headers=headers)
    assert body.get("errors") is None, body
    return body["data"]["apiKeyCreate"]


async def test_api_key_secret_is_shown_once_and_the_list_shows_metadata(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    created = await _create_key(client, headers, ["orders:view", "catalog:view"])
    assert created["userErrors"] == []
    secret = created["secret"]
    key = created["apiKey"]
    assert secret.startswith("wbk_") and len(secret) > 40
    assert secret.startswith(key["prefix"]) and len(key["prefix"]) < len(secret) // 2
    assert key["scopes"] == ["catalog:view", "orders:view"]
    assert key["lastUsedAt"] is None and key["revokedAt"] is None

    response = await client.post("/graphql", json={"query": API_KEYS}, headers=headers)
    assert response.status_code == 200
    assert secret not in response.text
    nodes = response.json()["data"]["apiKeys"]["nodes"]
    listed = next(node for node in nodes if node["id"] == key["id"])
    assert listed["prefix"] == key["prefix"]
    assert listed["scopes"] == ["catalog:view", "orders:view"]
    assert listed["createdAt"] == key["createdAt"]
    assert listed["lastUsedAt"] is None

    # The type has no field that could leak the secret.
    leak = await gql(client, "{ apiKeys { nodes { secret } } }", headers=headers)
    assert leak["_status"] == 200 and leak.get("data") is None
    assert "secret" in leak["errors"][0]["message"]


async def test_api_key_works_and_records_last_use(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    created = await _create_key(client, headers, ["orders:view"])
    body = await gql(client, ME, headers=tenant.key_headers(created["secret"]))
    assert body.get("errors") is None, body
    me = body["data"]["me"]
    assert me["kind"] == "API_KEY"
    assert me["scopes"] == ["orders:view"]
    assert me["user"] is None
    assert me["apiKey"]["prefix"] == created["apiKey"]["prefix"]
    assert me["tenant"]["tenantId"] == tenant.id

    listed = await gql(client, API_KEYS, headers=headers)
    node = next(n for n in listed["data"]["apiKeys"]["nodes"] if n["id"] == created["apiKey"]["id"])
    assert node["lastUsedAt"] is not None
    last_used = datetime.fromisoformat(node["lastUsedAt"])
    assert last_used >= datetime.fromisoformat(created["apiKey"]["createdAt"])


async def test_api_key_of_one_tenant_is_refused_by_another(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    response = await _raw(
        client, {"X-Tenant-ID": other.id, "X-Tenant-API-Key": tenant.provisioned.api_key}
    )
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY


async def test_revoked_api_key_is_refused_on_the_next_request(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    created = await _create_key(client, headers, ["orders:view"])
    key_headers = tenant.key_headers(created["secret"])
    assert (await _raw(client, key_headers)).status_code == 200

    body = await gql(client, API_KEY_REVOKE, {"id": created["apiKey"]["id"]}, headers=headers)
    payload = body["data"]["apiKeyRevoke"]
    assert payload["userErrors"] == []
    assert payload["apiKey"]["revokedAt"] is not None

    refused = await _raw(client, key_headers)
    assert refused.status_code == 401
    assert refused.json() == UNAUTHORIZED_BODY
    # Other keys of the tenant keep working.
    assert (await _raw(client, tenant.key_headers())).status_code == 200


async def test_a_key_can_revoke_itself_and_is_refused_right_after(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    created = await _create_key(client, headers, ["integrations:manage"])
    key_headers = tenant.key_headers(created["secret"])
    body = await gql(client, API_KEY_REVOKE, {"id": created["apiKey"]["id"]}, headers=key_headers)
    assert body["data"]["apiKeyRevoke"]["userErrors"] == []
    refused = await _raw(client, key_headers)
    assert refused.status_code == 401


async def test_creator_cannot_grant_scopes_they_do_not_hold(client, make_tenant):
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    manager = await _create_key(client, owner, ["integrations:manage", "catalog:view"])
    manager_headers = tenant.key_headers(manager["secret"])

    refused = await _create_key(client, manager_headers, ["catalog:view", "orders:view"])
    assert refused["apiKey"] is None and refused["secret"] is None
    assert _codes(refused) == ["SCOPE_NOT_HELD"]
    assert refused["userErrors"][0]["field"] == ["input", "scopes"]
    assert "orders:view" in refused["userErrors"][0]["message"]

    allowed = await _create_key(client, manager_headers, ["catalog:view"])
    assert allowed["userErrors"] == []
    assert allowed["apiKey"]["scopes"] == ["catalog:view"]

    keys = await gql(client, API_KEYS, headers=owner)
    assert keys["data"]["apiKeys"]["totalCount"] == 3  # default, manager, allowed


async def test_unknown_scopes_are_refused(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    refused = await _create_key(client, headers, ["orders:view", "orders:teleport"])
    assert refused["apiKey"] is None and refused["secret"] is None
    assert _codes(refused) == ["UNKNOWN_SCOPE"]
    assert "orders:teleport" in refused["userErrors"][0]["message"]
    keys = await gql(client, API_KEYS, headers=headers)
    assert keys["data"]["apiKeys"]["totalCount"] == 1
