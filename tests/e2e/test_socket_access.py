"""Access changes reach sockets that are already open: revoked keys, removed members, narrowed
roles and suspended tenants end (4403) or re-authorise the sockets they hold, at once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture, bearer_headers, gql
from tests.factories.orders import ORDER_EVENTS, make_product, ok, place_order, subscribe
from tests.support.polling import eventually
from tests.support.sockets import (
    acknowledged,
    close_code,
    error_codes,
    listening,
    next_events,
    run,
    socket,
)
from wabotiq.db.outbox import channel
from wabotiq.tenancy.models import TenantStatus
from wabotiq.tenancy.service import set_status

FORBIDDEN_CLOSE = 4403
MEMBER_PASSWORD = "socket member passphrase"

KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "partner", scopes: $scopes}) {
    apiKey { id } secret userErrors { code }
  }
}
"""
KEY_REVOKE = "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code } } }"
ROLES = "{ roles(first: 100) { nodes { id name } } }"
ROLE_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  roleCreate(input: {name: $name, scopes: $scopes}) { role { id } userErrors { code } }
}
"""
ROLE_UPDATE = """
mutation($id: ID!, $scopes: [String!]) {
  roleUpdate(input: {id: $id, scopes: $scopes}) { userErrors { code } }
}
"""
MEMBER_INVITE = """
mutation($email: String!, $roleId: ID!) {
  memberInvite(input: {email: $email, roleId: $roleId}) {
    member { id } invitationToken userErrors { code }
  }
}
"""
INVITATION_ACCEPT = """
mutation($token: String!, $password: String) {
  invitationAccept(input: {token: $token, password: $password}) { userErrors { code } }
}
"""
MEMBER_UPDATE_ROLE = """
mutation($id: ID!, $roleId: ID!) {
  memberUpdateRole(input: {id: $id, roleId: $roleId}) { userErrors { code } }
}
"""
MEMBER_REMOVE = "mutation($id: ID!) { memberRemove(input: {id: $id}) { userErrors { code } } }"
CUSTOMERS = "{ customers(first: 5) { totalCount } }"


async def new_key(
    client: httpx.AsyncClient, tenant: TenantFixture, scopes: list[str]
) -> tuple[str, dict[str, str]]:
    """A new key of the tenant: its global id and the headers that present it."""
    created = await ok(client, KEY_CREATE, {"scopes": scopes}, tenant.key_headers())
    assert created["userErrors"] == [], created
    return created["apiKey"]["id"], tenant.key_headers(created["secret"])


async def role_ids(client: httpx.AsyncClient, owner: dict[str, str]) -> dict[str, str]:
    body = await gql(client, ROLES, headers=owner)
    return {role["name"]: role["id"] for role in body["data"]["roles"]["nodes"]}


async def join(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: dict[str, str], role_id: str
) -> tuple[str, dict[str, str]]:
    """A fresh person joins with `role_id` and signs in: their member id and JWT headers."""
    email = f"socket-{uuid.uuid4().hex[:10]}@example.com"
    invited = await ok(client, MEMBER_INVITE, {"email": email, "roleId": role_id}, owner)
    assert invited["userErrors"] == [], invited
    accepted = await ok(
        client,
        INVITATION_ACCEPT,
        {"token": invited["invitationToken"], "password": MEMBER_PASSWORD},
        {},
    )
    assert accepted["userErrors"] == [], accepted
    headers = await bearer_headers(client, tenant, email, MEMBER_PASSWORD)
    return invited["member"]["id"], headers


async def order_listeners_drop_to(app: Any, tenant: TenantFixture, count: int) -> None:
    """Wait until exactly `count` subscriptions listen on the tenant's order channel."""
    bus = app.state.runtime.bus

    async def dropped() -> bool:
        return await bus.subscriber_count(channel(tenant.id, "order")) == count

    await eventually(dropped, f"{count} order subscriptions left")


async def test_revoking_a_key_closes_its_socket_and_spares_the_tenants_other_keys(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    product = await make_product(tenant, stock=5)
    revoked_id, revoked = await new_key(client, tenant, ["orders:view"])
    _, kept = await new_key(client, tenant, ["orders:view"])

    async with socket(app, revoked) as doomed, socket(app, kept) as survivor:
        await acknowledged(doomed)
        await acknowledged(survivor)
        await subscribe(doomed, "doomed")
        await subscribe(survivor, "kept")
        await listening(app, tenant, 2)

        revoke = await ok(client, KEY_REVOKE, {"id": revoked_id}, tenant.key_headers())
        assert revoke["userErrors"] == []
        assert await close_code(doomed) == FORBIDDEN_CLOSE
        # Its subscription ended with it; the other key's goes on and sees the next order.
        await order_listeners_drop_to(app, tenant, 1)
        order = await place_order(client, tenant, product["id"])
        (event,) = await next_events(survivor, 1)
        assert event["id"] == "kept"
        assert event["payload"]["data"]["orderEvents"]["order"]["number"] == order["number"]

    async with socket(app, revoked) as again:
        assert await close_code(again) == FORBIDDEN_CLOSE


async def test_suspending_the_tenant_closes_its_sockets_and_no_other_tenants(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    other = await make_tenant()
    async with (
        socket(app, tenant.key_headers()) as ws,
        socket(app, other.key_headers()) as bystander,
    ):
        await acknowledged(ws)
        await acknowledged(bystander)
        await subscribe(ws, "mine")
        await subscribe(bystander, "theirs")
        await listening(app, tenant, 1)
        await listening(app, other, 1)

        async with in_transaction():  # as `wabotiq tenants suspend` runs it
            await set_status(ref=tenant.slug, status=TenantStatus.SUSPENDED)
        assert await close_code(ws) == FORBIDDEN_CLOSE
        await order_listeners_drop_to(app, tenant, 0)

        theirs = await place_order(client, other, (await make_product(other))["id"])
        (event,) = await next_events(bystander, 1)
        assert event["payload"]["data"]["orderEvents"]["order"]["number"] == theirs["number"]


async def test_removing_a_member_closes_the_socket_their_token_opened(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    product = await make_product(tenant, stock=5)
    owner = await bearer_headers(client, tenant)
    member_id, member = await join(
        client, tenant, owner, (await role_ids(client, owner))["Analyst"]
    )

    async with socket(app, member) as ws, socket(app, tenant.key_headers()) as survivor:
        await acknowledged(ws)
        await acknowledged(survivor)
        await subscribe(ws, "member")
        await subscribe(survivor, "key")
        await listening(app, tenant, 2)

        removed = await ok(client, MEMBER_REMOVE, {"id": member_id}, owner)
        assert removed["userErrors"] == []
        assert await close_code(ws) == FORBIDDEN_CLOSE
        await order_listeners_drop_to(app, tenant, 1)
        order = await place_order(client, tenant, product["id"])
        (event,) = await next_events(survivor, 1)
        assert event["payload"]["data"]["orderEvents"]["order"]["number"] == order["number"]


async def test_a_new_role_without_orders_view_ends_the_members_order_subscription(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    roles = await role_ids(client, owner)
    member_id, member = await join(client, tenant, owner, roles["Analyst"])

    async with socket(app, member) as ws:
        await acknowledged(ws)
        await subscribe(ws, "orders")
        await listening(app, tenant, 1)
        changed = await ok(
            client, MEMBER_UPDATE_ROLE, {"id": member_id, "roleId": roles["Catalog Manager"]}, owner
        )
        assert changed["userErrors"] == []
        assert await close_code(ws) == FORBIDDEN_CLOSE
    await order_listeners_drop_to(app, tenant, 0)


async def test_narrowing_a_custom_roles_scopes_ends_its_members_order_subscription(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    role = await ok(
        client, ROLE_CREATE, {"name": "Dispatch", "scopes": ["orders:view", "catalog:view"]}, owner
    )
    role_id = role["role"]["id"]
    _, member = await join(client, tenant, owner, role_id)

    async with socket(app, member) as ws:
        await acknowledged(ws)
        await subscribe(ws, "orders")
        await listening(app, tenant, 1)
        updated = await ok(client, ROLE_UPDATE, {"id": role_id, "scopes": ["catalog:view"]}, owner)
        assert updated["userErrors"] == []
        assert await close_code(ws) == FORBIDDEN_CLOSE


async def _until_codes(ws: Any, query: str, wanted: list[str]) -> dict[str, Any]:
    """Run `query` until its error codes are `wanted` (the socket applies a change soon after
    it is committed, not before the mutation's response)."""
    results: list[dict[str, Any]] = []

    async def answered() -> bool:
        results.append(await run(ws, query))
        return error_codes(results[-1]) == wanted

    await eventually(answered, f"{query} answered with {wanted}")
    return results[-1]


async def test_a_role_change_reauthorises_an_open_socket_both_ways(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    roles = await role_ids(client, owner)
    member_id, member = await join(client, tenant, owner, roles["Support Lead"])

    async with socket(app, member) as ws:
        await acknowledged(ws)
        assert error_codes(await run(ws, CUSTOMERS)) == []

        await ok(
            client, MEMBER_UPDATE_ROLE, {"id": member_id, "roleId": roles["Catalog Manager"]}, owner
        )
        refused = await _until_codes(ws, CUSTOMERS, ["FORBIDDEN"])
        assert refused["errors"][0]["extensions"]["missingScopes"] == ["customers:view"]
        # The new principal holds for subscriptions started after the change too.
        subscription = await run(ws, ORDER_EVENTS, {"statuses": None})
        assert error_codes(subscription) == ["FORBIDDEN"]
        await order_listeners_drop_to(app, tenant, 0)

        await ok(
            client, MEMBER_UPDATE_ROLE, {"id": member_id, "roleId": roles["Support Lead"]}, owner
        )
        allowed = await _until_codes(ws, CUSTOMERS, [])
        assert allowed["data"]["customers"]["totalCount"] == 0
