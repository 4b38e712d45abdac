"""The audit log: one entry per mutation with actor, operation, targets, outcome and request
id; newest first, keyset-paged, filterable, and readable only with users:manage."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.conftest import TenantFixture, bearer_headers, gql
from wabotiq.core.ids import from_global_id

AUDIT_LOG = """
query($first: Int!, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id occurredAt actorType actorId actorLabel operation targetIds outcome requestId
      }
    }
  }
}
"""

ROLE_CREATE = """
mutation($name: String!, $scopes: [String!]! = []) {
  roleCreate(input: {name: $name, scopes: $scopes}) {
    role { id } userErrors { code }
  }
}
"""

ROLE_DELETE = """
mutation($id: ID!) { roleDelete(input: {id: $id}) { deletedRoleId userErrors { code } } }
"""

API_KEY_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  apiKeyCreate(input: {name: $name, scopes: $scopes}) {
    apiKey { id prefix } secret userErrors { code }
  }
}
"""

ME = "{ me { user { id email } apiKey { id prefix } } }"


# --- helpers -------------------------------------------------------------------------------


async def _mutate(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> tuple[dict[str, Any], str]:
    """Run an operation; returns its body and the response's X-Request-ID."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    request_ids = response.headers.get_list("x-request-id")
    assert len(request_ids) == 1, request_ids
    return response.json(), request_ids[0]


async def _audit(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    first: int = 100,
    after: str | None = None,
    filter: dict[str, Any] | None = None,
) -> dict[str, Any]:
    variables = {"first": first, "after": after, "filter": filter}
    body = await gql(client, AUDIT_LOG, variables, headers=headers)
    assert body.get("errors") is None, body
    return body["data"]["auditLog"]


async def _entries(client, headers, **filter: Any) -> list[dict[str, Any]]:
    page = await _audit(client, headers, filter=filter or None)
    return [edge["node"] for edge in page["edges"]]


async def _create_role(client, headers, name: str) -> tuple[str, str]:
    body, request_id = await _mutate(client, ROLE_CREATE, {"name": name}, headers)
    assert body["data"]["roleCreate"]["userErrors"] == [], body
    return body["data"]["roleCreate"]["role"]["id"], request_id


async def _me(client, headers) -> dict[str, Any]:
    body = await gql(client, ME, headers=headers)
    assert body.get("errors") is None, body
    return body["data"]["me"]


async def _limited_key(client, tenant: TenantFixture, scopes: list[str]) -> dict[str, str]:
    body, _ = await _mutate(
        client, API_KEY_CREATE, {"name": "limited", "scopes": scopes}, tenant.key_headers()
    )
    payload = body["data"]["apiKeyCreate"]
    assert payload["userErrors"] == [], payload
    return tenant.key_headers(payload["secret"])


# --- what an entry records -----------------------------------------------------------------


async def test_a_users_mutation_is_recorded_once_with_actor_targets_and_request_id(
    client, make_tenant
):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    assert await _entries(client, headers) == []  # reading and signing in are not recorded

    role_id, request_id = await _create_role(client, headers, "Packers")

    page = await _audit(client, headers)
    assert page["totalCount"] == 1
    (entry,) = [edge["node"] for edge in page["edges"]]
    user = (await _me(client, headers))["user"]
    assert entry["actorType"] == "user"
    assert entry["actorId"] == from_global_id(user["id"], "User")
    assert entry["actorLabel"] == tenant.owner_email
    assert entry["operation"] == "roleCreate"
    assert entry["targetIds"] == [role_id]
    assert entry["outcome"] == "SUCCESS"
    assert entry["requestId"] == request_id
    assert from_global_id(entry["id"], "AuditEntry")
    assert datetime.fromisoformat(entry["occurredAt"]).tzinfo is not None


async def test_the_callers_request_id_is_recorded(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    mine = f"req-{uuid.uuid4().hex}"
    body, echoed = await _mutate(
        client, ROLE_CREATE, {"name": "Traced"}, {**headers, "X-Request-ID": mine}
    )
    assert body["data"]["roleCreate"]["userErrors"] == []
    assert echoed == mine
    (entry,) = await _entries(client, headers)
    assert entry["requestId"] == mine


async def test_an_api_keys_mutation_names_the_key_as_actor(client, make_tenant):
    tenant = await make_tenant()
    key_headers = tenant.key_headers()
    body, request_id = await _mutate(
        client, API_KEY_CREATE, {"name": "Shop sync", "scopes": ["orders:view"]}, key_headers
    )
    created = body["data"]["apiKeyCreate"]["apiKey"]

    key = (await _me(client, key_headers))["apiKey"]
    (entry,) = await _entries(client, key_headers)
    assert entry["actorType"] == "api_key"
    assert entry["actorId"] == from_global_id(key["id"], "ApiKey")
    assert key["prefix"] in entry["actorLabel"]
    assert entry["operation"] == "apiKeyCreate"
    assert entry["targetIds"] == [created["id"]]
    assert entry["outcome"] == "SUCCESS"
    assert entry["requestId"] == request_id


async def test_refused_input_is_recorded_as_user_error(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    await _create_role(client, headers, "Packers")
    body, clash_request = await _mutate(client, ROLE_CREATE, {"name": "packers"}, headers)
    assert body["data"]["roleCreate"]["userErrors"] == [{"code": "ALREADY_EXISTS"}]

    roles = await gql(client, "{ roles { nodes { id name } } }", headers=headers)
    owner_role = next(r["id"] for r in roles["data"]["roles"]["nodes"] if r["name"] == "Owner")
    body, delete_request = await _mutate(client, ROLE_DELETE, {"id": owner_role}, headers)
    assert body["data"]["roleDelete"]["userErrors"] == [{"code": "SYSTEM_ROLE"}]

    newest, clash, first = await _entries(client, headers)
    assert first["outcome"] == "SUCCESS"
    assert clash["operation"] == "roleCreate"
    assert clash["outcome"] == "USER_ERROR"
    assert clash["targetIds"] == []  # nothing was created
    assert clash["requestId"] == clash_request
    assert newest["operation"] == "roleDelete"
    assert newest["outcome"] == "USER_ERROR"
    assert newest["targetIds"] == [owner_role]
    assert newest["requestId"] == delete_request


async def test_a_call_without_the_scope_is_recorded_as_forbidden(client, make_tenant):
    tenant = await make_tenant()
    limited = await _limited_key(client, tenant, ["orders:view"])
    limited_id = from_global_id((await _me(client, limited))["apiKey"]["id"], "ApiKey")

    body, request_id = await _mutate(client, ROLE_CREATE, {"name": "Sneaky"}, limited)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    owner = await bearer_headers(client, tenant)
    newest = (await _entries(client, owner))[0]
    assert newest["operation"] == "roleCreate"
    assert newest["outcome"] == "FORBIDDEN"
    assert newest["actorType"] == "api_key"
    assert newest["actorId"] == limited_id
    assert newest["targetIds"] == []
    assert newest["requestId"] == request_id
    roles = await gql(client, "{ roles { nodes { name } } }", headers=owner)
    assert "Sneaky" not in {r["name"] for r in roles["data"]["roles"]["nodes"]}


async def test_each_field_of_a_mutation_document_gets_its_own_entry(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    await _create_role(client, headers, "Taken")
    body, request_id = await _mutate(
        client,
        """fragment Result on RolePayload { role { id } userErrors { code } }
           mutation {
             first: roleCreate(input: {name: "Alpha", scopes: []}) { ...Result }
             clash: roleCreate(input: {name: "Taken", scopes: []}) { ...Result }
             second: roleCreate(input: {name: "Beta", scopes: []}) { ...Result }
           }""",
        {},
        headers,
    )
    alpha = body["data"]["first"]["role"]["id"]
    beta = body["data"]["second"]["role"]["id"]
    assert body["data"]["clash"]["userErrors"] == [{"code": "ALREADY_EXISTS"}]

    entries = [e for e in await _entries(client, headers) if e["requestId"] == request_id]
    assert len(entries) == 3
    by_outcome = sorted((e["outcome"], tuple(e["targetIds"])) for e in entries)
    assert by_outcome == sorted([("SUCCESS", (alpha,)), ("USER_ERROR", ()), ("SUCCESS", (beta,))])
    assert {e["operation"] for e in entries} == {"roleCreate"}


# --- paging and filtering ------------------------------------------------------------------


async def test_pages_walk_every_entry_once_newest_first(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    created = [(await _create_role(client, headers, f"Role {i}"))[0] for i in range(7)]
    expected = [[role_id] for role_id in reversed(created)]

    first_page = await _audit(client, headers, first=3)
    assert first_page["totalCount"] == 7
    assert first_page["pageInfo"]["hasPreviousPage"] is False

    # A mutation while walking lands on top; the pages being walked do not shift.
    late_role, _ = await _create_role(client, headers, "Late")

    seen: list[dict[str, Any]] = []
    sizes: list[int] = []
    page = first_page
    while True:
        info = page["pageInfo"]
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        seen.extend(edge["node"] for edge in page["edges"])
        sizes.append(len(page["edges"]))
        if not info["hasNextPage"]:
            break
        page = await _audit(client, headers, first=3, after=info["endCursor"])
        assert page["pageInfo"]["hasPreviousPage"] is True

    assert sizes == [3, 3, 1]
    assert len({entry["id"] for entry in seen}) == len(seen) == 7
    assert [entry["targetIds"] for entry in seen] == expected
    times = [datetime.fromisoformat(entry["occurredAt"]) for entry in seen]
    assert times == sorted(times, reverse=True)

    everything = await _audit(client, headers, first=100)
    assert everything["totalCount"] == 8
    assert everything["edges"][0]["node"]["targetIds"] == [late_role]
    assert [e["node"]["id"] for e in everything["edges"][1:]] == [e["id"] for e in seen]
    assert everything["pageInfo"]["hasNextPage"] is False


async def test_page_cursors_continue_exactly_after_their_entry(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    for i in range(4):
        await _create_role(client, headers, f"Role {i}")
    full = await _audit(client, headers, first=4)
    for index, edge in enumerate(full["edges"]):
        rest = await _audit(client, headers, first=10, after=edge["cursor"])
        assert [e["node"]["id"] for e in rest["edges"]] == [
            e["node"]["id"] for e in full["edges"][index + 1 :]
        ]


async def test_bad_page_arguments_are_refused(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    for variables in ({"first": 0}, {"first": 101}, {"first": 5, "after": "bm90LWEtY3Vyc29y"}):
        body = await gql(client, AUDIT_LOG, variables, headers=headers)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables


async def test_filters_narrow_by_operation_outcome_and_actor(client, make_tenant):
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    key = tenant.key_headers()
    await _create_role(client, owner, "One")
    await _create_role(client, key, "Two")
    await _mutate(client, ROLE_CREATE, {"name": "one"}, owner)  # USER_ERROR
    await _mutate(client, API_KEY_CREATE, {"name": "k", "scopes": ["orders:view"]}, owner)
    await _mutate(client, API_KEY_CREATE, {"name": "k", "scopes": ["orders:nope"]}, key)

    async def summary(**filter: Any) -> list[tuple[str, str]]:
        page = await _audit(client, owner, filter=filter)
        nodes = [edge["node"] for edge in page["edges"]]
        assert page["totalCount"] == len(nodes)
        return [(node["operation"], node["outcome"]) for node in nodes]

    assert await summary(operation="roleCreate") == [
        ("roleCreate", "USER_ERROR"),
        ("roleCreate", "SUCCESS"),
        ("roleCreate", "SUCCESS"),
    ]
    assert await summary(outcome="USER_ERROR") == [
        ("apiKeyCreate", "USER_ERROR"),
        ("roleCreate", "USER_ERROR"),
    ]
    assert await summary(operation="apiKeyCreate", outcome="SUCCESS") == [
        ("apiKeyCreate", "SUCCESS")
    ]
    assert await summary(operation="memberRemove") == []

    user_id = from_global_id((await _me(client, owner))["user"]["id"], "User")
    key_id = from_global_id((await _me(client, key))["apiKey"]["id"], "ApiKey")
    assert len(await summary(actorId=user_id)) == 3
    assert await summary(actorId=key_id, outcome="SUCCESS") == [("roleCreate", "SUCCESS")]

    # Paging within a filter stays inside it.
    first = await _audit(client, owner, first=1, filter={"operation": "roleCreate"})
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = await _audit(
        client,
        owner,
        first=10,
        after=first["pageInfo"]["endCursor"],
        filter={"operation": "roleCreate"},
    )
    assert [edge["node"]["outcome"] for edge in rest["edges"]] == ["SUCCESS", "SUCCESS"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_the_log_belongs_to_its_tenant(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    await _create_role(client, tenant.key_headers(), "Mine")
    assert await _entries(client, other.key_headers()) == []
    assert len(await _entries(client, tenant.key_headers())) == 1


# --- access --------------------------------------------------------------------------------


async def test_reading_the_log_requires_users_manage(client, make_tenant):
    tenant = await make_tenant()
    await _create_role(client, tenant.key_headers(), "Something")

    integrations = await _limited_key(client, tenant, ["integrations:manage", "orders:view"])
    denied = await gql(client, AUDIT_LOG, {"first": 10}, headers=integrations)
    assert denied["data"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert denied["errors"][0]["extensions"]["missingScopes"] == ["users:manage"]

    anonymous = await gql(client, AUDIT_LOG, {"first": 10})
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    managers = await _limited_key(client, tenant, ["users:manage"])
    allowed = await _audit(client, managers)
    assert allowed["totalCount"] >= 1
