"""Nobody revokes or changes what holds a scope they lack: the granting rule applied to the
target of apiKeyRevoke, memberRemove, memberUpdateRole, roleUpdate and roleDelete. A refusal
is a SCOPE_NOT_HELD userError and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import TenantFixture, gql
from wabotiq.auth.scopes import ALL_SCOPES, DEFAULT_ROLES

ERRORS = "userErrors { field message code }"
KEY_CREATE = f"""
mutation($scopes: [String!]!) {{
  apiKeyCreate(input: {{name: "k", scopes: $scopes}}) {{ apiKey {{ id }} secret {ERRORS} }}
}}
"""
KEY_REVOKE = f"""
mutation($id: ID!) {{ apiKeyRevoke(input: {{id: $id}}) {{ apiKey {{ id revokedAt }} {ERRORS} }} }}
"""
ROLE_CREATE = f"""
mutation($name: String!, $scopes: [String!]!) {{
  roleCreate(input: {{name: $name, scopes: $scopes}}) {{ role {{ id }} {ERRORS} }}
}}
"""
ROLE_UPDATE = f"""
mutation($id: ID!, $name: String, $scopes: [String!]) {{
  roleUpdate(input: {{id: $id, name: $name, scopes: $scopes}}) {{ role {{ id name }} {ERRORS} }}
}}
"""
ROLE_DELETE = (
    f"mutation($id: ID!) {{ roleDelete(input: {{id: $id}}) {{ deletedRoleId {ERRORS} }} }}"
)
INVITE = f"""
mutation($email: String!, $roleId: ID!) {{
  memberInvite(input: {{email: $email, roleId: $roleId}}) {{ member {{ id }} {ERRORS} }}
}}
"""
UPDATE_ROLE = f"""
mutation($id: ID!, $roleId: ID!) {{
  memberUpdateRole(input: {{id: $id, roleId: $roleId}}) {{ member {{ id }} {ERRORS} }}
}}
"""
REMOVE = f"mutation($id: ID!) {{ memberRemove(input: {{id: $id}}) {{ removedMemberId {ERRORS} }} }}"
ROLES = "{ roles(first: 100) { nodes { id name scopes } } }"
MEMBERS = "{ members(first: 100) { nodes { id role { name } } } }"
ME = "{ me { scopes } }"


async def _ok(client: httpx.AsyncClient, query: str, headers, **variables: Any) -> dict[str, Any]:
    body = await gql(client, query, variables, headers)
    assert body.get("errors") is None, body
    (payload,) = body["data"].values()
    return payload


async def _key(client, tenant: TenantFixture, scopes) -> tuple[str, dict[str, str]]:
    """A new key of `tenant` holding only `scopes`: its id and request headers."""
    made = await _ok(client, KEY_CREATE, tenant.key_headers(), scopes=sorted(scopes))
    assert made["userErrors"] == [], made
    return made["apiKey"]["id"], tenant.key_headers(made["secret"])


async def _roles(client, tenant: TenantFixture) -> dict[str, dict[str, Any]]:
    body = await gql(client, ROLES, headers=tenant.key_headers())
    return {role["name"]: role for role in body["data"]["roles"]["nodes"]}


async def _members(client, tenant: TenantFixture) -> dict[str, str]:
    body = await gql(client, MEMBERS, headers=tenant.key_headers())
    return {m["id"]: m["role"]["name"] for m in body["data"]["members"]["nodes"]}


async def _invite(client, tenant: TenantFixture, role_id: str) -> str:
    email = f"m-{uuid.uuid4().hex[:10]}@example.com"
    invited = await _ok(client, INVITE, tenant.key_headers(), email=email, roleId=role_id)
    assert invited["userErrors"] == [], invited
    return invited["member"]["id"]


def _refused(payload: dict[str, Any], *missing: str) -> None:
    (error,) = payload["userErrors"]
    assert error["code"] == "SCOPE_NOT_HELD", payload
    assert error["field"] == ["input", "id"]
    for scope in missing:
        assert scope in error["message"]


async def test_a_key_cannot_revoke_a_key_holding_scopes_it_lacks(client, make_tenant):
    tenant = await make_tenant()
    _, integrations = await _key(client, tenant, ["integrations:manage"])
    full_id, full = await _key(client, tenant, ALL_SCOPES)

    refused = await _ok(client, KEY_REVOKE, integrations, id=full_id)
    assert refused["apiKey"] is None
    _refused(refused, "users:manage", "finance:withdraw:approve")
    assert sorted((await _ok(client, ME, full))["scopes"]) == sorted(ALL_SCOPES)  # still works

    # A key within its reach it may revoke, itself included.
    small_id, small = await _key(client, tenant, ["integrations:manage"])
    revoked = await _ok(client, KEY_REVOKE, integrations, id=small_id)
    assert revoked["userErrors"] == [] and revoked["apiKey"]["revokedAt"]
    assert (await client.post("/graphql", json={"query": ME}, headers=small)).status_code == 401


async def test_members_holding_scopes_the_caller_lacks_stay_as_they_are(client, make_tenant):
    tenant = await make_tenant()
    roles = await _roles(client, tenant)
    analyst = await _invite(client, tenant, roles["Analyst"]["id"])
    viewer = await _ok(
        client, ROLE_CREATE, tenant.key_headers(), name="Viewer", scopes=["catalog:view"]
    )
    viewer_id = viewer["role"]["id"]
    _, manager = await _key(client, tenant, ["users:manage", "catalog:view"])

    # The Viewer role is the manager's to give, but the analyst holds more than it does.
    demote = await _ok(client, UPDATE_ROLE, manager, id=analyst, roleId=viewer_id)
    assert demote["member"] is None
    _refused(demote, "analytics:view")
    remove = await _ok(client, REMOVE, manager, id=analyst)
    assert remove["removedMemberId"] is None
    _refused(remove, "analytics:view")
    assert (await _members(client, tenant))[analyst] == "Analyst"

    # Holding the analyst's scopes too, it may do both.
    _, peer = await _key(client, tenant, {"users:manage", *DEFAULT_ROLES["Analyst"][1]})
    assert (await _ok(client, UPDATE_ROLE, peer, id=analyst, roleId=viewer_id))["member"]
    assert (await _members(client, tenant))[analyst] == "Viewer"
    assert (await _ok(client, REMOVE, peer, id=analyst))["removedMemberId"] == analyst
    assert analyst not in await _members(client, tenant)


async def test_roles_holding_scopes_the_caller_lacks_cannot_be_changed(client, make_tenant):
    tenant = await make_tenant()
    approve = "finance:withdraw:approve"
    made = await _ok(
        client,
        ROLE_CREATE,
        tenant.key_headers(),
        name="Approvers",
        scopes=[approve, "finance:view"],
    )
    role_id = made["role"]["id"]
    _, manager = await _key(client, tenant, ["users:manage", "finance:view"])

    renamed = await _ok(client, ROLE_UPDATE, manager, id=role_id, name="Mine now")
    assert renamed["role"] is None
    _refused(renamed, approve)
    narrowed = await _ok(client, ROLE_UPDATE, manager, id=role_id, scopes=["finance:view"])
    _refused(narrowed, approve)
    deleted = await _ok(client, ROLE_DELETE, manager, id=role_id)
    assert deleted["deletedRoleId"] is None
    _refused(deleted, approve)
    unchanged = (await _roles(client, tenant))["Approvers"]
    assert unchanged == {"id": role_id, "name": "Approvers", "scopes": ["finance:view", approve]}

    # A role within its reach it may rename and delete.
    mine = await _ok(client, ROLE_CREATE, manager, name="Readers", scopes=["finance:view"])
    mine_id = mine["role"]["id"]
    assert (await _ok(client, ROLE_UPDATE, manager, id=mine_id, name="Books"))["role"]["name"] == (
        "Books"
    )
    assert (await _ok(client, ROLE_DELETE, manager, id=mine_id))["deletedRoleId"] == mine_id
