"""Adversarial tenant isolation, through real HTTP: nothing of tenant B reaches a principal of A."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from typing import Any

import httpx

from tests.conftest import TenantFixture, bearer_headers, gql
from tests.resolvers.assistant import test_isolation as assistant
from tests.resolvers.bookings import test_isolation as bookings
from tests.resolvers.catalog import test_isolation as catalog
from tests.resolvers.channels import test_isolation as channels
from tests.resolvers.conversations import test_isolation as conversations
from tests.resolvers.dead_letters import test_isolation as dead_letters
from tests.resolvers.orders import test_isolation as orders
from tests.resolvers.search import test_isolation as search
from tests.support.id_coverage import root_fields, root_fields_taking_ids
from wabotiq.graphql.relay import to_global_id
from wabotiq.tenancy.models import TenantStatus
from wabotiq.tenancy.service import set_status

UNIFORM_401 = {"errors": [{"message": "Unauthorized.", "extensions": {"code": "UNAUTHENTICATED"}}]}

ROLE_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  roleCreate(input: {name: $name, description: "custom", scopes: $scopes}) {
    role { id name }
    userErrors { code message }
  }
}
"""

MEMBER_INVITE = """
mutation($email: String!, $roleId: ID!) {
  memberInvite(input: {email: $email, roleId: $roleId}) {
    member { id }
    invitationToken
    userErrors { field code message }
  }
}
"""

API_KEY_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  apiKeyCreate(input: {name: $name, scopes: $scopes}) {
    apiKey { id name }
    secret
    userErrors { code message }
  }
}
"""

SNAPSHOT = """
{
  roles(first: 50) { totalCount nodes { id name description scopes isSystem } }
  members(first: 50) { totalCount nodes { id status email role { id name } } }
  apiKeys(first: 50) { totalCount nodes { id name prefix scopes revokedAt } }
  auditLog(first: 50) { totalCount nodes { operation targetIds outcome actorLabel } }
}
"""


ERRORS = "userErrors { field code message }"
ROLE_UPDATE = f"""
mutation($id: ID!) {{
  roleUpdate(input: {{id: $id, name: "pwned", description: "pwned", scopes: []}}) {{
    role {{ id name }} {ERRORS}
  }}
}}
"""
ROLE_DELETE = f"""
mutation($id: ID!) {{ roleDelete(input: {{id: $id}}) {{ deletedRoleId {ERRORS} }} }}
"""
MEMBER_INVITE_INTRUDER = f"""
mutation($roleId: ID!) {{
  memberInvite(input: {{email: "intruder@example.com", roleId: $roleId}}) {{
    member {{ id }} invitationToken {ERRORS}
  }}
}}
"""
MEMBER_UPDATE_ROLE = f"""
mutation($id: ID!, $roleId: ID!) {{
  memberUpdateRole(input: {{id: $id, roleId: $roleId}}) {{ member {{ id }} {ERRORS} }}
}}
"""
MEMBER_REMOVE = f"""
mutation($id: ID!) {{ memberRemove(input: {{id: $id}}) {{ removedMemberId {ERRORS} }} }}
"""
API_KEY_REVOKE = f"""
mutation($id: ID!) {{ apiKeyRevoke(input: {{id: $id}}) {{ apiKey {{ id revokedAt }} {ERRORS} }} }}
"""
# The members, roles and API keys fields this module attacks with B's IDs; the other areas'
# isolation modules name theirs.
ATTACKED_FIELDS = root_fields(
    ROLE_UPDATE,
    ROLE_DELETE,
    MEMBER_INVITE_INTRUDER,
    MEMBER_UPDATE_ROLE,
    MEMBER_REMOVE,
    API_KEY_REVOKE,
)


def _ok(body: dict[str, Any]) -> dict[str, Any]:
    assert body["_status"] == 200, body
    assert body.get("errors") is None, body
    return body["data"]


async def _create_role(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    data = _ok(await gql(client, ROLE_CREATE, {"name": name, "scopes": ["catalog:view"]}, headers))
    assert data["roleCreate"]["userErrors"] == [], data
    return data["roleCreate"]["role"]["id"]


async def _create_key(
    client: httpx.AsyncClient, tenant: TenantFixture, name: str, scopes: list[str]
) -> tuple[str, str]:
    """A new API key of `tenant` (made with its default key): (global id, secret)."""
    data = _ok(
        await gql(client, API_KEY_CREATE, {"name": name, "scopes": scopes}, tenant.key_headers())
    )
    created = data["apiKeyCreate"]
    assert created["userErrors"] == [], created
    return created["apiKey"]["id"], created["secret"]


async def _snapshot(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    return _ok(await gql(client, SNAPSHOT, headers=tenant.key_headers()))


def _by_name(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {node["name"]: node for node in nodes}


def _random_id(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


async def test_principal_of_a_gets_nothing_of_b_by_global_id(client, make_tenant):
    a = await make_tenant("Shop A")
    b = await make_tenant("Shop B")

    # B's objects, made and read through B's own credentials.
    b_custom_role = await _create_role(client, b.key_headers(), f"B secret {uuid.uuid4().hex[:6]}")
    b_before = await _snapshot(client, b)
    b_roles = _by_name(b_before["roles"]["nodes"])
    b_invite = _ok(
        await gql(
            client,
            MEMBER_INVITE,
            {
                "email": f"invitee-{uuid.uuid4().hex[:8]}@example.com",
                "roleId": b_roles["Analyst"]["id"],
            },
            b.key_headers(),
        )
    )["memberInvite"]
    assert b_invite["userErrors"] == [], b_invite
    b_invited_member = b_invite["member"]["id"]
    b_extra_key, b_extra_secret = await _create_key(client, b, "B partner", ["catalog:view"])
    b_before = await _snapshot(client, b)
    b_owner_member = next(
        m["id"] for m in b_before["members"]["nodes"] if m["email"] == b.owner_email
    )
    b_default_key = next(
        k["id"] for k in b_before["apiKeys"]["nodes"] if k["name"] == "Default key"
    )
    b_system_role = b_roles["Owner"]["id"]

    a_before = await _snapshot(client, a)
    a_roles = _by_name(a_before["roles"]["nodes"])
    a_owner_member = next(
        m["id"] for m in a_before["members"]["nodes"] if m["email"] == a.owner_email
    )

    # (field, query, variables for B's id, variables for a random id of the same type)
    attacks: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []

    def attack(query: str, b_vars: dict[str, Any], random_vars: dict[str, Any]) -> None:
        (field,) = root_fields(query)
        attacks.append((field, query, b_vars, random_vars))

    for role_id in (b_custom_role, b_system_role):
        attack(ROLE_UPDATE, {"id": role_id}, {"id": _random_id("Role")})
        attack(ROLE_DELETE, {"id": role_id}, {"id": _random_id("Role")})
    attack(MEMBER_INVITE_INTRUDER, {"roleId": b_custom_role}, {"roleId": _random_id("Role")})
    for member_id in (b_owner_member, b_invited_member):
        attack(
            MEMBER_UPDATE_ROLE,
            {"id": member_id, "roleId": a_roles["Analyst"]["id"]},
            {"id": _random_id("Member"), "roleId": a_roles["Analyst"]["id"]},
        )
        attack(MEMBER_REMOVE, {"id": member_id}, {"id": _random_id("Member")})
    # A's own member, B's role: the role must not be found either.
    attack(
        MEMBER_UPDATE_ROLE,
        {"id": a_owner_member, "roleId": b_roles["Analyst"]["id"]},
        {"id": a_owner_member, "roleId": _random_id("Role")},
    )
    for key_id in (b_default_key, b_extra_key):
        attack(API_KEY_REVOKE, {"id": key_id}, {"id": _random_id("ApiKey")})

    # What is sent below is what this module claims to attack (the other areas: see
    # test_every_root_field_taking_an_id_is_attacked_somewhere).
    assert {field for field, *_ in attacks} == ATTACKED_FIELDS

    a_principals = {
        "owner JWT": await bearer_headers(client, a),
        "API key": a.key_headers(),
    }
    for label, headers in a_principals.items():
        for field, query, b_vars, random_vars in attacks:
            body = await gql(client, query, b_vars, headers)
            payload = _ok(body)[field]
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (label, field, body)
            assert all(v is None for k, v in payload.items() if k != "userErrors"), (label, body)
            # Indistinguishable from an ID that exists nowhere: nothing reveals B's objects.
            unknown = _ok(await gql(client, query, random_vars, headers))[field]
            assert payload == unknown, (label, field, payload, unknown)

    # B is untouched: same roles, members, keys and audit log; both keys still work.
    b_after = await _snapshot(client, b)
    assert b_after == b_before
    assert all(k["revokedAt"] is None for k in b_after["apiKeys"]["nodes"])
    me = _ok(
        await gql(client, "{ me { tenant { tenantId } } }", None, b.key_headers(b_extra_secret))
    )
    assert me["me"]["tenant"]["tenantId"] == b.id

    # A's own data is unchanged too (its owner kept the Owner role); the attempts are in A's log.
    a_after = await _snapshot(client, a)
    assert a_after["roles"] == a_before["roles"]
    assert a_after["members"] == a_before["members"]
    assert a_after["auditLog"]["totalCount"] == 2 * 2 * len(attacks)
    assert {e["outcome"] for e in a_after["auditLog"]["nodes"]} == {"USER_ERROR"}


def test_every_root_field_taking_an_id_is_attacked_somewhere():
    # Each isolation module's ATTACKED_FIELDS is parsed from the operations it sends with B's
    # IDs, and its test checks that it sent them all; a new ID-taking field fails here until
    # one of them attacks it.
    taking_ids = root_fields_taking_ids()
    attacked = (
        ATTACKED_FIELDS
        | assistant.ATTACKED_FIELDS
        | catalog.ATTACKED_FIELDS
        | channels.ATTACKED_FIELDS
        | conversations.ATTACKED_FIELDS
        | dead_letters.ATTACKED_FIELDS
        | bookings.ATTACKED_FIELDS
        | orders.ATTACKED_FIELDS
        | search.ATTACKED_FIELDS
    )
    assert taking_ids == attacked, {
        "not attacked": sorted(taking_ids - attacked),
        "attacked but taking no ID": sorted(attacked - taking_ids),
    }


async def test_api_key_of_a_with_tenant_b_gets_the_uniform_401(client, make_tenant):
    a = await make_tenant("Shop A")
    b = await make_tenant("Shop B")
    query = "{ me { tenant { tenantId } } }"
    unknown_key = "wbk_" + secrets.token_hex(4) + secrets.token_urlsafe(32)
    unknown_tenant = secrets.token_hex(6)

    cases = {
        "A's key, B's id": {"X-Tenant-ID": b.id, "X-Tenant-API-Key": a.provisioned.api_key},
        "A's key, B's slug": {"X-Tenant-ID": b.slug, "X-Tenant-API-Key": a.provisioned.api_key},
        "unknown key, A's id": {"X-Tenant-ID": a.id, "X-Tenant-API-Key": unknown_key},
        "unknown key, B's id": {"X-Tenant-ID": b.id, "X-Tenant-API-Key": unknown_key},
        "garbage key": {"X-Tenant-ID": a.id, "X-Tenant-API-Key": "not-a-key"},
        "A's key, unknown id": {
            "X-Tenant-ID": unknown_tenant,
            "X-Tenant-API-Key": a.provisioned.api_key,
        },
        "A's key, unknown slug": {
            "X-Tenant-ID": f"nope-{uuid.uuid4().hex[:8]}",
            "X-Tenant-API-Key": a.provisioned.api_key,
        },
        "A's key, no tenant": {"X-Tenant-API-Key": a.provisioned.api_key},
        "unknown key, unknown id": {"X-Tenant-ID": unknown_tenant, "X-Tenant-API-Key": unknown_key},
    }
    responses = {}
    for label, headers in cases.items():
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        responses[label] = response
        assert response.status_code == 401, (label, response.text)
        assert response.json() == UNIFORM_401, (label, response.text)
    # Byte for byte the same body and the same headers, apart from the request id.
    bodies = {r.content for r in responses.values()}
    assert len(bodies) == 1
    header_sets = {
        tuple(sorted((k, v) for k, v in r.headers.items() if k != "x-request-id"))
        for r in responses.values()
    }
    assert len(header_sets) == 1

    # The keys themselves still work for their own tenants.
    for tenant in (a, b):
        me = _ok(await gql(client, query, headers=tenant.key_headers()))
        assert me["me"]["tenant"]["tenantId"] == tenant.id


async def test_owner_jwt_of_a_with_tenant_b_gets_401(client, make_tenant):
    a = await make_tenant("Shop A")
    b = await make_tenant("Shop B")
    a_headers = await bearer_headers(client, a)
    token = a_headers["Authorization"]
    query = "{ me { tenant { tenantId } scopes } }"

    # A pending invitation to B does not open B either: only an active membership does.
    b_roles = _by_name(
        _ok(await gql(client, "{ roles { nodes { id name } } }", headers=b.key_headers()))["roles"][
            "nodes"
        ]
    )
    invited = _ok(
        await gql(
            client,
            MEMBER_INVITE,
            {"email": a.owner_email, "roleId": b_roles["Analyst"]["id"]},
            b.key_headers(),
        )
    )["memberInvite"]
    assert invited["userErrors"] == [], invited

    for tenant_header in (b.id, b.slug, secrets.token_hex(6)):
        response = await client.post(
            "/graphql",
            json={"query": query},
            headers={"Authorization": token, "X-Tenant-ID": tenant_header},
        )
        assert response.status_code == 401, (tenant_header, response.text)
        assert response.json() == UNIFORM_401, response.text

    # The same token still works for A.
    me = _ok(await gql(client, query, headers=a_headers))
    assert me["me"]["tenant"]["tenantId"] == a.id


CONCURRENT_READ = """
{
  me { tenant { tenantId slug } }
  roles(first: 10) { nodes { id name } }
  apiKeys(first: 10) { nodes { id name } }
  auditLog(first: 10) { totalCount nodes { operation targetIds actorLabel } }
}
"""


async def test_concurrent_requests_alternating_tenants_read_only_their_own_rows(
    client, make_tenant
):
    tenants = [await make_tenant("Shop A"), await make_tenant("Shop B")]
    # Per tenant: a distinctive role and key, and several callers, so the 200 requests stay well
    # within every caller's query-cost budget.
    callers: list[list[dict[str, str]]] = []
    expected: list[dict[str, Any]] = []
    for index, tenant in enumerate(tenants):
        tag = f"{'AB'[index]}-{uuid.uuid4().hex[:8]}"
        await _create_role(client, tenant.key_headers(), f"Role {tag}")
        _, secret_1 = await _create_key(client, tenant, f"Key {tag} 1", ["users:manage"])
        _, secret_2 = await _create_key(client, tenant, f"Key {tag} 2", ["users:manage"])
        callers.append(
            [
                tenant.key_headers(),
                tenant.key_headers(secret_1),
                tenant.key_headers(secret_2),
                await bearer_headers(client, tenant),
            ]
        )
        # What this tenant alone must see, read sequentially before the storm.
        data = _ok(await gql(client, CONCURRENT_READ, headers=tenant.key_headers()))
        assert data["me"]["tenant"]["tenantId"] == tenant.id
        assert f"Role {tag}" in {r["name"] for r in data["roles"]["nodes"]}
        assert {f"Key {tag} 1", f"Key {tag} 2"} <= {k["name"] for k in data["apiKeys"]["nodes"]}
        assert data["auditLog"]["totalCount"] == 3  # roleCreate, apiKeyCreate × 2
        expected.append(data)
    assert expected[0]["roles"] != expected[1]["roles"]
    assert expected[0]["apiKeys"] != expected[1]["apiKeys"]
    assert expected[0]["auditLog"] != expected[1]["auditLog"]

    requests = [(i % 2, callers[i % 2][(i // 2) % 4]) for i in range(200)]
    bodies = await asyncio.gather(
        *(gql(client, CONCURRENT_READ, headers=headers) for _, headers in requests)
    )
    for (index, _), body in zip(requests, bodies, strict=True):
        assert _ok(body) == expected[index], (index, body)


async def test_suspended_tenant_is_refused_with_403_and_works_after_resume(client, make_tenant):
    a = await make_tenant("Shop A")
    b = await make_tenant("Shop B")
    jwt_headers = await bearer_headers(client, a)
    query = "{ me { tenant { tenantId status } } }"

    await set_status(ref=a.id, status=TenantStatus.SUSPENDED)
    try:
        for label, headers in {"API key": a.key_headers(), "owner JWT": jwt_headers}.items():
            response = await client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 403, (label, response.text)
            assert response.json()["errors"][0]["extensions"]["code"] == "TENANT_SUSPENDED"
        # Wrong credentials still get the uniform 401: suspension is shown only to real callers.
        wrong = {"X-Tenant-ID": a.id, "X-Tenant-API-Key": "wbk_" + secrets.token_hex(24)}
        response = await client.post("/graphql", json={"query": query}, headers=wrong)
        assert response.status_code == 401
        assert response.json() == UNIFORM_401
        response = await client.post(
            "/graphql",
            json={"query": query},
            headers={"X-Tenant-ID": a.id, "X-Tenant-API-Key": b.provisioned.api_key},
        )
        assert response.status_code == 401
        # Other tenants are unaffected.
        assert (
            _ok(await gql(client, query, headers=b.key_headers()))["me"]["tenant"]["tenantId"]
            == b.id
        )
    finally:
        await set_status(ref=a.id, status=TenantStatus.ACTIVE)

    for headers in (a.key_headers(), jwt_headers):
        data = _ok(await gql(client, query, headers=headers))
        assert data["me"]["tenant"] == {"tenantId": a.id, "status": "ACTIVE"}
