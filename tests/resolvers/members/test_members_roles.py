"""Custom roles, invitations, role changes, removal, and the tenant's last owner."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import TenantFixture, bearer_headers, gql, login
from wabotiq.auth.scopes import DEFAULT_ROLES

MEMBER_PASSWORD = "another good passphrase"

ROLE_FIELDS = "role { id name description scopes isSystem } userErrors { field message code }"

ROLE_CREATE = f"""
mutation($name: String!, $description: String! = "", $scopes: [String!]!) {{
  roleCreate(input: {{name: $name, description: $description, scopes: $scopes}}) {{
    {ROLE_FIELDS}
  }}
}}
"""

ROLE_UPDATE = f"""
mutation($id: ID!, $name: String, $description: String, $scopes: [String!]) {{
  roleUpdate(input: {{id: $id, name: $name, description: $description, scopes: $scopes}}) {{
    {ROLE_FIELDS}
  }}
}}
"""

ROLE_DELETE = """
mutation($id: ID!) {
  roleDelete(input: {id: $id}) { deletedRoleId userErrors { field message code } }
}
"""

ROLES = "{ roles(first: 100) { totalCount nodes { id name description scopes isSystem } } }"

MEMBER_FIELDS = "member { id status email name role { id name } }"

MEMBER_INVITE = f"""
mutation($email: String!, $roleId: ID!) {{
  memberInvite(input: {{email: $email, roleId: $roleId}}) {{
    {MEMBER_FIELDS} invitationToken userErrors {{ field message code }}
  }}
}}
"""

INVITATION_ACCEPT = """
mutation($token: String!, $password: String, $name: String) {
  invitationAccept(input: {token: $token, password: $password, name: $name}) {
    tenant { tenantId slug } userErrors { field message code }
  }
}
"""

MEMBER_UPDATE_ROLE = f"""
mutation($id: ID!, $roleId: ID!) {{
  memberUpdateRole(input: {{id: $id, roleId: $roleId}}) {{
    {MEMBER_FIELDS} userErrors {{ field message code }}
  }}
}}
"""

MEMBER_REMOVE = """
mutation($id: ID!) {
  memberRemove(input: {id: $id}) { removedMemberId userErrors { field message code } }
}
"""

MEMBERS = "{ members(first: 100) { totalCount nodes { id status email name role { name } } } }"

ME = """
{ me { scopes user { email name }
       memberships { status tenant { tenantId } role { name scopes } } } }
"""

API_KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "k", scopes: $scopes}) {
    secret userErrors { field message code }
  }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def _ok(client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers) -> dict:
    body = await gql(client, query, variables, headers=headers)
    assert body.get("errors") is None, body
    (payload,) = body["data"].values()
    return payload


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _roles(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict]:
    body = await gql(client, ROLES, headers=headers)
    assert body.get("errors") is None, body
    return {role["name"]: role for role in body["data"]["roles"]["nodes"]}


async def _members(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict]:
    body = await gql(client, MEMBERS, headers=headers)
    assert body.get("errors") is None, body
    return {member["email"]: member for member in body["data"]["members"]["nodes"]}


async def _create_role(client, headers, name: str, scopes: list[str]) -> dict[str, Any]:
    payload = await _ok(client, ROLE_CREATE, {"name": name, "scopes": scopes}, headers)
    assert payload["userErrors"] == [], payload
    return payload["role"]


@dataclass
class Joined:
    email: str
    member_id: str
    headers: dict[str, str]


async def _invite(client, headers, email: str, role_id: str) -> dict[str, Any]:
    payload = await _ok(client, MEMBER_INVITE, {"email": email, "roleId": role_id}, headers)
    assert payload["userErrors"] == [], payload
    return payload


async def _join(
    client: httpx.AsyncClient, tenant: TenantFixture, owner_headers, role_id: str
) -> Joined:
    """Invite a fresh person with `role_id`, accept with a password, sign them in."""
    email = f"member-{uuid.uuid4().hex[:10]}@example.com"
    invited = await _invite(client, owner_headers, email, role_id)
    accepted = await _ok(
        client,
        INVITATION_ACCEPT,
        {"token": invited["invitationToken"], "password": MEMBER_PASSWORD},
        None,
    )
    assert accepted["userErrors"] == [], accepted
    headers = await bearer_headers(client, tenant, email, MEMBER_PASSWORD)
    return Joined(email=email, member_id=invited["member"]["id"], headers=headers)


async def _owner(client, make_tenant) -> tuple[TenantFixture, dict[str, str], dict[str, dict]]:
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    return tenant, headers, await _roles(client, headers)


# --- roles ---------------------------------------------------------------------------------


async def test_custom_role_can_be_created_updated_and_deleted(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    assert {name for name, role in roles.items() if role["isSystem"]} == set(DEFAULT_ROLES)

    created = await _ok(
        client,
        ROLE_CREATE,
        {"name": "Fulfilment", "description": "Ships", "scopes": ["orders:edit", "orders:view"]},
        owner,
    )
    assert created["userErrors"] == []
    role = created["role"]
    assert role["name"] == "Fulfilment"
    assert role["description"] == "Ships"
    assert role["scopes"] == ["orders:edit", "orders:view"]
    assert role["isSystem"] is False
    assert (await _roles(client, owner))["Fulfilment"]["id"] == role["id"]

    updated = await _ok(client, ROLE_UPDATE, {"id": role["id"], "scopes": ["orders:view"]}, owner)
    assert updated["userErrors"] == []
    assert updated["role"]["scopes"] == ["orders:view"]
    assert updated["role"]["name"] == "Fulfilment"  # omitted fields stay as they are
    renamed = await _ok(
        client, ROLE_UPDATE, {"id": role["id"], "name": "Dispatch", "description": "Sends"}, owner
    )
    assert renamed["role"]["name"] == "Dispatch"
    assert renamed["role"]["description"] == "Sends"
    assert renamed["role"]["scopes"] == ["orders:view"]
    listed = await _roles(client, owner)
    assert "Fulfilment" not in listed
    assert listed["Dispatch"]["scopes"] == ["orders:view"]

    deleted = await _ok(client, ROLE_DELETE, {"id": role["id"]}, owner)
    assert deleted == {"deletedRoleId": role["id"], "userErrors": []}
    assert "Dispatch" not in await _roles(client, owner)
    again = await _ok(client, ROLE_DELETE, {"id": role["id"]}, owner)
    assert _codes(again) == ["NOT_FOUND"]


async def test_default_roles_cannot_be_changed_or_deleted(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    for name in ("Owner", "Analyst"):
        role_id = roles[name]["id"]
        renamed = await _ok(client, ROLE_UPDATE, {"id": role_id, "name": f"{name} 2"}, owner)
        assert renamed["role"] is None
        assert _codes(renamed) == ["SYSTEM_ROLE"]
        rescoped = await _ok(client, ROLE_UPDATE, {"id": role_id, "scopes": []}, owner)
        assert _codes(rescoped) == ["SYSTEM_ROLE"]
        deleted = await _ok(client, ROLE_DELETE, {"id": role_id}, owner)
        assert deleted["deletedRoleId"] is None
        assert _codes(deleted) == ["SYSTEM_ROLE"]
    assert await _roles(client, owner) == roles


async def test_a_role_in_use_cannot_be_deleted(client, make_tenant):
    tenant, owner, _ = await _owner(client, make_tenant)
    role = await _create_role(client, owner, "Packers", ["orders:view"])
    invited = await _invite(client, owner, f"p-{uuid.uuid4().hex[:8]}@example.com", role["id"])

    refused = await _ok(client, ROLE_DELETE, {"id": role["id"]}, owner)
    assert refused["deletedRoleId"] is None
    assert _codes(refused) == ["ROLE_IN_USE"]
    assert "Packers" in await _roles(client, owner)

    removed = await _ok(client, MEMBER_REMOVE, {"id": invited["member"]["id"]}, owner)
    assert removed["userErrors"] == []
    deleted = await _ok(client, ROLE_DELETE, {"id": role["id"]}, owner)
    assert deleted["userErrors"] == []
    assert "Packers" not in await _roles(client, owner)


async def test_duplicate_role_names_are_refused(client, make_tenant):
    tenant, owner, _ = await _owner(client, make_tenant)
    packers = await _create_role(client, owner, "Packers", ["orders:view"])
    drivers = await _create_role(client, owner, "Drivers", ["orders:view"])

    for name in ("Packers", "  packers ", "OWNER"):
        clash = await _ok(client, ROLE_CREATE, {"name": name, "scopes": []}, owner)
        assert clash["role"] is None
        assert _codes(clash) == ["ALREADY_EXISTS"], name
        assert clash["userErrors"][0]["field"] == ["input", "name"]

    rename = await _ok(client, ROLE_UPDATE, {"id": drivers["id"], "name": "Packers"}, owner)
    assert _codes(rename) == ["ALREADY_EXISTS"]
    same = await _ok(client, ROLE_UPDATE, {"id": packers["id"], "name": "Packers"}, owner)
    assert same["userErrors"] == []
    names = sorted(n for n, r in (await _roles(client, owner)).items() if not r["isSystem"])
    assert names == ["Drivers", "Packers"]


async def test_roles_refuse_unknown_scopes(client, make_tenant):
    tenant, owner, _ = await _owner(client, make_tenant)
    refused = await _ok(client, ROLE_CREATE, {"name": "X", "scopes": ["orders:fly"]}, owner)
    assert _codes(refused) == ["UNKNOWN_SCOPE"]
    assert "X" not in await _roles(client, owner)


# --- invitations ---------------------------------------------------------------------------


async def test_invited_member_joins_and_holds_exactly_the_roles_scopes(client, make_tenant):
    tenant, owner, _ = await _owner(client, make_tenant)
    role = await _create_role(client, owner, "Stock", ["catalog:edit", "catalog:view"])
    email = f"Invitee-{uuid.uuid4().hex[:8]}@Example.com"

    invited = await _invite(client, owner, email, role["id"])
    assert invited["member"]["status"] == "INVITED"
    assert invited["member"]["email"] == email.lower()
    assert invited["member"]["role"]["name"] == "Stock"
    token = invited["invitationToken"]
    assert token
    # Nobody can sign in as the invitee before the invitation is accepted.
    before = await login(client, email, MEMBER_PASSWORD)
    assert _codes(before) == ["INVALID_CREDENTIALS"]

    accepted = await _ok(
        client,
        INVITATION_ACCEPT,
        {"token": token, "password": MEMBER_PASSWORD, "name": "Wanjiru"},
        None,
    )
    assert accepted == {"tenant": {"tenantId": tenant.id, "slug": tenant.slug}, "userErrors": []}

    headers = await bearer_headers(client, tenant, email, MEMBER_PASSWORD)
    body = await gql(client, ME, headers=headers)
    assert body.get("errors") is None, body
    me = body["data"]["me"]
    assert me["user"] == {"email": email.lower(), "name": "Wanjiru"}
    assert me["scopes"] == ["catalog:edit", "catalog:view"]
    assert me["memberships"] == [
        {
            "status": "ACTIVE",
            "tenant": {"tenantId": tenant.id},
            "role": {"name": "Stock", "scopes": ["catalog:edit", "catalog:view"]},
        }
    ]
    member = (await _members(client, owner))[email.lower()]
    assert member["status"] == "ACTIVE"
    assert member["name"] == "Wanjiru"

    # The member's scopes are the role's as it is now: a role change applies at once.
    await _ok(client, ROLE_UPDATE, {"id": role["id"], "scopes": ["catalog:view"]}, owner)
    assert (await gql(client, ME, headers=headers))["data"]["me"]["scopes"] == ["catalog:view"]


async def test_default_role_member_holds_its_default_scopes(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    analyst = await _join(client, tenant, owner, roles["Analyst"]["id"])
    me = (await gql(client, ME, headers=analyst.headers))["data"]["me"]
    assert me["scopes"] == sorted(DEFAULT_ROLES["Analyst"][1])
    # Scopes decide: the analyst may not read members.
    denied = await gql(client, MEMBERS, headers=analyst.headers)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_invitation_tokens_are_single_use(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    email = f"once-{uuid.uuid4().hex[:8]}@example.com"
    token = (await _invite(client, owner, email, roles["Analyst"]["id"]))["invitationToken"]

    weak = await _ok(client, INVITATION_ACCEPT, {"token": token, "password": "short"}, None)
    assert _codes(weak) == ["WEAK_PASSWORD"]
    missing = await _ok(client, INVITATION_ACCEPT, {"token": token}, None)
    assert _codes(missing) == ["WEAK_PASSWORD"]

    first = await _ok(
        client, INVITATION_ACCEPT, {"token": token, "password": MEMBER_PASSWORD}, None
    )
    assert first["userErrors"] == []
    second = await _ok(
        client, INVITATION_ACCEPT, {"token": token, "password": "a different passphrase"}, None
    )
    assert second["tenant"] is None
    assert _codes(second) == ["INVALID_INVITATION"]
    # The second attempt changed nothing: the first password still signs in.
    assert (await login(client, email, MEMBER_PASSWORD))["session"] is not None
    assert _codes(await login(client, email, "a different passphrase")) == ["INVALID_CREDENTIALS"]

    unknown = await _ok(client, INVITATION_ACCEPT, {"token": "wbi_nope"}, None)
    assert _codes(unknown) == ["INVALID_INVITATION"]


async def test_inviting_an_existing_member_is_refused(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    again = await _ok(
        client,
        MEMBER_INVITE,
        {"email": tenant.owner_email, "roleId": roles["Analyst"]["id"]},
        owner,
    )
    assert again["member"] is None and again["invitationToken"] is None
    assert _codes(again) == ["ALREADY_EXISTS"]


async def test_a_person_with_a_password_joins_another_tenant_without_one(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    other = await make_tenant()
    token = (await _invite(client, owner, other.owner_email, roles["Analyst"]["id"]))[
        "invitationToken"
    ]
    accepted = await _ok(client, INVITATION_ACCEPT, {"token": token}, None)
    assert accepted["userErrors"] == []
    headers = await bearer_headers(client, tenant, other.owner_email, other.password)
    me = (await gql(client, ME, headers=headers))["data"]["me"]
    assert me["scopes"] == sorted(DEFAULT_ROLES["Analyst"][1])
    assert {m["tenant"]["tenantId"]: m["role"]["name"] for m in me["memberships"]} == {
        other.id: "Owner",
        tenant.id: "Analyst",
    }


# --- changing and removing members ---------------------------------------------------------


async def test_member_role_can_be_changed_and_member_removed(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    member = await _join(client, tenant, owner, roles["Analyst"]["id"])

    changed = await _ok(
        client,
        MEMBER_UPDATE_ROLE,
        {"id": member.member_id, "roleId": roles["Support Lead"]["id"]},
        owner,
    )
    assert changed["userErrors"] == []
    assert changed["member"]["role"]["name"] == "Support Lead"
    me = (await gql(client, ME, headers=member.headers))["data"]["me"]
    assert me["scopes"] == sorted(DEFAULT_ROLES["Support Lead"][1])

    removed = await _ok(client, MEMBER_REMOVE, {"id": member.member_id}, owner)
    assert removed == {"removedMemberId": member.member_id, "userErrors": []}
    assert member.email not in await _members(client, owner)
    # A removed member's token no longer opens the tenant.
    response = await client.post("/graphql", json={"query": ME}, headers=member.headers)
    assert response.status_code == 401

    gone = await _ok(client, MEMBER_REMOVE, {"id": member.member_id}, owner)
    assert _codes(gone) == ["NOT_FOUND"]


async def test_last_owner_can_be_neither_removed_nor_demoted(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    first_id = (await _members(client, owner))[tenant.owner_email]["id"]
    owner_role, admin_role = roles["Owner"]["id"], roles["Admin"]["id"]

    async def demote(member_id: str, headers) -> dict[str, Any]:
        variables = {"id": member_id, "roleId": admin_role}
        return await _ok(client, MEMBER_UPDATE_ROLE, variables, headers)

    refused = await demote(first_id, owner)
    assert refused["member"] is None
    assert _codes(refused) == ["LAST_OWNER"]
    refused = await _ok(client, MEMBER_REMOVE, {"id": first_id}, owner)
    assert refused["removedMemberId"] is None
    assert _codes(refused) == ["LAST_OWNER"]

    # An owner who has only been invited does not count.
    pending = await _invite(client, owner, f"o-{uuid.uuid4().hex[:8]}@example.com", owner_role)
    assert _codes(await demote(first_id, owner)) == ["LAST_OWNER"]
    await _ok(client, MEMBER_REMOVE, {"id": pending["member"]["id"]}, owner)

    second = await _join(client, tenant, owner, owner_role)
    demoted = await demote(first_id, owner)
    assert demoted["userErrors"] == []
    assert demoted["member"]["role"]["name"] == "Admin"

    # Now the second owner is the last one.
    assert _codes(await demote(second.member_id, second.headers)) == ["LAST_OWNER"]
    last = await _ok(client, MEMBER_REMOVE, {"id": second.member_id}, second.headers)
    assert _codes(last) == ["LAST_OWNER"]
    members = await _members(client, second.headers)
    assert [m["email"] for m in members.values() if m["role"]["name"] == "Owner"] == [second.email]


async def test_an_owner_can_be_removed_while_another_remains(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    second = await _join(client, tenant, owner, roles["Owner"]["id"])
    removed = await _ok(client, MEMBER_REMOVE, {"id": second.member_id}, owner)
    assert removed["userErrors"] == []
    assert second.email not in await _members(client, owner)


async def test_admin_cannot_hand_out_what_it_lacks(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    admin = await _join(client, tenant, owner, roles["Admin"]["id"])
    analyst = await _join(client, tenant, owner, roles["Analyst"]["id"])
    approve = "finance:withdraw:approve"

    role = await _ok(client, ROLE_CREATE, {"name": "Approvers", "scopes": [approve]}, admin.headers)
    assert role["role"] is None
    assert _codes(role) == ["SCOPE_NOT_HELD"]
    assert approve in role["userErrors"][0]["message"]

    key = await _ok(client, API_KEY_CREATE, {"scopes": ["finance:view", approve]}, admin.headers)
    assert key["secret"] is None
    assert _codes(key) == ["SCOPE_NOT_HELD"]

    for member_id in (analyst.member_id, admin.member_id):
        promote = await _ok(
            client,
            MEMBER_UPDATE_ROLE,
            {"id": member_id, "roleId": roles["Owner"]["id"]},
            admin.headers,
        )
        assert _codes(promote) == ["SCOPE_NOT_HELD"]
    invite = await _ok(
        client,
        MEMBER_INVITE,
        {"email": f"x-{uuid.uuid4().hex[:8]}@example.com", "roleId": roles["Finance Admin"]["id"]},
        admin.headers,
    )
    assert _codes(invite) == ["SCOPE_NOT_HELD"]

    # A custom role the owner made with the scope cannot be edited by the admin either.
    approvers = await _create_role(client, owner, "Approvers", [approve])
    edit = await _ok(
        client, ROLE_UPDATE, {"id": approvers["id"], "scopes": ["finance:view"]}, admin.headers
    )
    assert _codes(edit) == ["SCOPE_NOT_HELD"]

    members = await _members(client, owner)
    assert members[analyst.email]["role"]["name"] == "Analyst"
    assert members[admin.email]["role"]["name"] == "Admin"
    assert (await _roles(client, owner))["Approvers"]["scopes"] == [approve]

    # What the admin does hold, it may hand out.
    allowed = await _ok(
        client, ROLE_CREATE, {"name": "Viewers", "scopes": ["finance:view"]}, admin.headers
    )
    assert allowed["userErrors"] == []


async def test_two_owners_demoting_each_other_at_once_leave_an_owner(client, make_tenant):
    for _ in range(3):
        tenant, owner, roles = await _owner(client, make_tenant)
        first_id = (await _members(client, owner))[tenant.owner_email]["id"]
        second = await _join(client, tenant, owner, roles["Owner"]["id"])
        admin_role = roles["Admin"]["id"]

        results = await asyncio.gather(
            gql(client, MEMBER_UPDATE_ROLE, {"id": second.member_id, "roleId": admin_role}, owner),
            gql(client, MEMBER_UPDATE_ROLE, {"id": first_id, "roleId": admin_role}, second.headers),
        )
        payloads = [body["data"]["memberUpdateRole"] for body in results]
        outcomes = sorted(tuple(_codes(p)) for p in payloads)
        assert outcomes == [(), ("LAST_OWNER",)], payloads

        members = await _members(client, tenant.key_headers())
        owners = [m for m in members.values() if m["role"]["name"] == "Owner"]
        assert len(owners) == 1
        assert owners[0]["status"] == "ACTIVE"


async def test_admin_can_neither_demote_nor_remove_an_owner(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    second_owner = await _join(client, tenant, owner, roles["Owner"]["id"])
    admin = await _join(client, tenant, owner, roles["Admin"]["id"])
    analyst = await _join(client, tenant, owner, roles["Analyst"]["id"])

    demote = await _ok(
        client,
        MEMBER_UPDATE_ROLE,
        {"id": second_owner.member_id, "roleId": roles["Analyst"]["id"]},
        admin.headers,
    )
    assert _codes(demote) == ["SCOPE_NOT_HELD"]
    remove = await _ok(client, MEMBER_REMOVE, {"id": second_owner.member_id}, admin.headers)
    assert _codes(remove) == ["SCOPE_NOT_HELD"]
    assert (await _members(client, owner))[second_owner.email]["role"]["name"] == "Owner"

    # Members whose role the admin could have given stay within its reach.
    removed = await _ok(client, MEMBER_REMOVE, {"id": analyst.member_id}, admin.headers)
    assert removed["userErrors"] == []
    assert analyst.email not in await _members(client, owner)


async def test_an_invitation_cannot_rename_a_person_who_already_has_an_account(client, make_tenant):
    first, first_owner, _ = await _owner(client, make_tenant)
    second, second_owner, second_roles = await _owner(client, make_tenant)
    invited = await _invite(client, second_owner, first.owner_email, second_roles["Analyst"]["id"])
    accepted = await _ok(
        client, INVITATION_ACCEPT, {"token": invited["invitationToken"], "name": "Mallory"}, None
    )
    assert accepted["userErrors"] == []
    me = await gql(client, "{ me { user { name } } }", headers=first_owner)
    assert me["data"]["me"]["user"]["name"] != "Mallory"


async def test_accepting_an_invitation_is_recorded_in_the_tenants_audit_log(client, make_tenant):
    tenant, owner, roles = await _owner(client, make_tenant)
    joined = await _join(client, tenant, owner, roles["Analyst"]["id"])
    log = await gql(
        client,
        '{ auditLog(first: 5, filter: {operation: "invitationAccept"}) '
        "{ nodes { actorType outcome } } }",
        headers=owner,
    )
    assert log["data"]["auditLog"]["nodes"] == [{"actorType": "anonymous", "outcome": "SUCCESS"}]
    assert joined.email
