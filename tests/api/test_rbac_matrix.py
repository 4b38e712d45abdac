"""The RBAC matrix: every caller × every root field, refused exactly where the directive says.

Fields and their requirements come from the schema itself, and each field's probe operation is
built from its argument types, so a new root field is covered without touching this module.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    ObjectTypeDefinitionNode,
    Undefined,
    get_named_type,
    is_leaf_type,
    parse,
    value_from_ast_untyped,
)

from tests.conftest import TenantFixture, bearer_headers, gql, login
from wabotiq.api.schema import contract_schema
from wabotiq.auth.scopes import ALL_SCOPES, DEFAULT_ROLES, satisfies
from wabotiq.graphql.relay import to_global_id
from wabotiq.graphql.requirements import PUBLIC, Requirement, field_requirements

CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"
MEMBER_PASSWORD = "rbac matrix password"

ROLES = "{ roles(first: 100) { nodes { id name scopes isSystem } } }"

MEMBER_INVITE = """
mutation($email: String!, $roleId: ID!) {
  memberInvite(input: {email: $email, roleId: $roleId}) {
    invitationToken
    userErrors { field code message }
  }
}
"""

INVITATION_ACCEPT = """
mutation($token: String!, $password: String!) {
  invitationAccept(input: {token: $token, password: $password, name: "Matrix"}) {
    tenant { tenantId }
    userErrors { field code message }
  }
}
"""

API_KEY_CREATE = """
mutation($name: String!, $scopes: [String!]!) {
  apiKeyCreate(input: {name: $name, scopes: $scopes}) {
    secret
    userErrors { field code message }
  }
}
"""

ME_SCOPES = "{ me { scopes tenant { tenantId } } }"


@dataclass(frozen=True)
class Probe:
    """One root field and the smallest valid operation that selects it."""

    coordinate: str  # e.g. Mutation.roleCreate
    field: str
    requirement: Requirement | str | None  # PUBLIC, the scopes, or None (no directive)
    document: str


# --- building the probes from the schema ------------------------------------------------------


def _required(definition: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(definition.type, GraphQLNonNull) and definition.default_value is Undefined


def _literal(type_: GraphQLInputType, where: str) -> str:
    """A valid GraphQL literal of `type_`; required fields of inputs only."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(type_.of_type, where)
    if isinstance(type_, GraphQLList):
        return "[]"
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{name}: {_literal(field.type, f'{where}.{name}')}"
            for name, field in type_.fields.items()
            if _required(field)
        ]
        return "{" + ", ".join(fields) + "}"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        probe = uuid.uuid4().hex[:8]
        scalars = {
            "String": json.dumps(f"rbac-probe-{probe}"),
            "ID": json.dumps(to_global_id("RbacProbe", uuid.uuid4())),
            "Int": "1",
            "Float": "1.5",
            "Boolean": "false",
            "DateTime": json.dumps("2026-01-01T00:00:00+00:00"),
            "Decimal": json.dumps("1.00"),
            # Not a file: the field still runs and answers with a userError.
            "Upload": json.dumps(f"rbac-probe-{probe}"),
        }
        if type_.name in scalars:
            return scalars[type_.name]
    raise AssertionError(f"no probe literal for {type_} at {where}; teach _literal about it")


def _probes() -> list[Probe]:
    schema = contract_schema()._schema
    requirements = field_requirements(schema)
    probes = []
    for keyword, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            args = [
                f"{arg_name}: {_literal(arg.type, f'{root.name}.{name}({arg_name})')}"
                for arg_name, arg in field.args.items()
                if _required(arg)
            ]
            arguments = f"({', '.join(args)})" if args else ""
            selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
            probes.append(
                Probe(
                    coordinate=f"{root.name}.{name}",
                    field=name,
                    requirement=requirements.get((root.name, name)),
                    document=f"{keyword} {{ {name}{arguments}{selection} }}",
                )
            )
    return probes


PROBES = _probes()


def _contract_requirements() -> dict[str, Requirement | str | None]:
    """`Type.field -> requirement` of every root field, read from `schema.graphql` itself."""
    found: dict[str, Requirement | str | None] = {}
    for definition in parse(CONTRACT.read_text()).definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode):
            continue
        if definition.name.value not in {"Query", "Mutation"}:
            continue
        for field in definition.fields or ():
            requirement: Requirement | str | None = None
            for directive in field.directives or ():
                if directive.name.value == "public":
                    requirement = PUBLIC
                elif directive.name.value == "requiresScopes":
                    (argument,) = directive.arguments
                    value = value_from_ast_untyped(argument.value)
                    requirement = tuple(tuple(alt) for alt in value)
            found[f"{definition.name.value}.{field.name.value}"] = requirement
    return found


def test_probes_cover_every_root_field_of_the_contract():
    schema = contract_schema()._schema
    expected = {
        f"{root.name}.{name}"
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for name in root.fields
    }
    assert {probe.coordinate for probe in PROBES} == expected
    # The requirements the guard reads from the code are the ones the contract publishes.
    assert {p.coordinate: p.requirement for p in PROBES} == _contract_requirements()
    # The matrix below is only meaningful if the contract mixes public, signed-in and scoped fields.
    kinds = {
        "public" if p.requirement == PUBLIC else "signed-in" if p.requirement == ((),) else "scoped"
        for p in PROBES
    }
    assert kinds == {"public", "signed-in", "scoped"}


# --- checking one cell ------------------------------------------------------------------------


def _expected_code(probe: Probe, scopes: frozenset[str] | None) -> str | None:
    """None when the caller (None = anonymous) may use the field, else the refusal's code."""
    if probe.requirement == PUBLIC:
        return None
    if scopes is None:
        return "UNAUTHENTICATED"
    if probe.requirement is None or not satisfies(scopes, probe.requirement):
        return "FORBIDDEN"
    return None


def _mismatch(probe: Probe, scopes: frozenset[str] | None, body: dict[str, Any]) -> str | None:
    """What is wrong with the response to `probe`, or None when it is exactly as expected."""
    expected = _expected_code(probe, scopes)
    errors = body.get("errors") or []
    if expected is None:
        if body["_status"] != 200 or errors or probe.field not in (body.get("data") or {}):
            return f"expected it to run, got {body}"
        return None
    if body["_status"] != 200 or body.get("data") is not None or len(errors) != 1:
        return f"expected one {expected} error, got {body}"
    error = errors[0]
    extensions = error.get("extensions") or {}
    if extensions.get("code") != expected:
        return f"expected {expected}, got {body}"
    if extensions.get("fields") != [probe.coordinate] or probe.coordinate not in error["message"]:
        return f"the refusal does not name {probe.coordinate}: {body}"
    if expected == "FORBIDDEN":
        missing = set(extensions.get("missingScopes", ()))
        alternatives = [set(alt) - scopes for alt in probe.requirement or ()]  # type: ignore[union-attr]
        if probe.requirement is None:
            if missing:
                return f"no directive, yet missing scopes {missing}: {body}"
        elif not missing or missing not in alternatives:
            return f"missingScopes {sorted(missing)} is not what one alternative lacks: {body}"
        if any(scope not in error["message"] for scope in missing):
            return f"the message does not name the missing scopes: {body}"
    return None


async def _run_matrix(
    client: httpx.AsyncClient, headers: dict[str, str], scopes: frozenset[str] | None, label: str
) -> tuple[list[str], int]:
    """Send every probe; returns the mismatches and how many probes were refused."""
    mismatches = []
    refused = 0
    for probe in PROBES:
        body = await gql(client, probe.document, headers=headers)
        refused += body.get("data") is None
        if (problem := _mismatch(probe, scopes, body)) is not None:
            mismatches.append(f"{label} × {probe.coordinate}: {problem}")
    return mismatches, refused


# --- callers ----------------------------------------------------------------------------------


def _ok(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert body["_status"] == 200 and body.get("errors") is None, body
    payload = body["data"][field]
    assert payload.get("userErrors", []) == [], payload
    return payload


async def _member_with_role(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    owner: dict[str, str],
    role_id: str,
    tag: str,
) -> dict[str, str]:
    """Invite a new person with the role (as the owner), accept, log in: their headers."""
    email = f"rbac-{tag}-{uuid.uuid4().hex[:8]}@example.com"
    invited = _ok(
        await gql(client, MEMBER_INVITE, {"email": email, "roleId": role_id}, owner),
        "memberInvite",
    )
    accepted = _ok(
        await gql(
            client,
            INVITATION_ACCEPT,
            {"token": invited["invitationToken"], "password": MEMBER_PASSWORD},
        ),
        "invitationAccept",
    )
    assert accepted["tenant"]["tenantId"] == tenant.id
    session = await login(client, email, MEMBER_PASSWORD)
    assert session["userErrors"] == [], session
    return {
        "Authorization": f"Bearer {session['session']['accessToken']}",
        "X-Tenant-ID": tenant.id,
    }


async def _assert_scopes(
    client: httpx.AsyncClient, headers: dict[str, str], tenant: TenantFixture, scopes: frozenset
) -> None:
    body = await gql(client, ME_SCOPES, headers=headers)
    assert body.get("errors") is None, body
    assert body["data"]["me"] == {"scopes": sorted(scopes), "tenant": {"tenantId": tenant.id}}


# --- the matrix -------------------------------------------------------------------------------


async def test_each_default_role_is_refused_exactly_where_its_scopes_fall_short(
    client, make_tenant
):
    tenant = await make_tenant("RBAC")
    owner = await bearer_headers(client, tenant)
    body = await gql(client, ROLES, headers=owner)
    assert body.get("errors") is None, body
    roles = {r["name"]: r for r in body["data"]["roles"]["nodes"] if r["isSystem"]}
    assert set(roles) == set(DEFAULT_ROLES)

    mismatches: list[str] = []
    refusals: dict[str, int] = {}
    for name, (_, scopes) in DEFAULT_ROLES.items():
        assert sorted(roles[name]["scopes"]) == sorted(scopes)
        headers = await _member_with_role(
            client, tenant, owner, roles[name]["id"], name.lower().replace(" ", "-")
        )
        await _assert_scopes(client, headers, tenant, scopes)
        found, refusals[name] = await _run_matrix(client, headers, scopes, f"role {name}")
        mismatches += found
    assert mismatches == []
    # Both outcomes happen: the owner is refused nothing, the narrowest roles are refused a lot.
    assert refusals["Owner"] == 0
    assert max(refusals.values()) > 0


async def test_anonymous_caller_is_refused_on_every_non_public_field(client):
    mismatches, refused = await _run_matrix(client, {}, None, "anonymous")
    assert mismatches == []
    assert refused == sum(1 for probe in PROBES if probe.requirement != PUBLIC)


def _key_scope_sets() -> dict[str, frozenset[str]]:
    """Scope subsets for API keys: none, an unrelated one, each alternative any root field
    accepts, and everything but each scope those alternatives use."""
    alternatives = {
        frozenset(alt)
        for probe in PROBES
        if isinstance(probe.requirement, tuple)
        for alt in probe.requirement
        if alt
    }
    used = set().union(*alternatives)
    sets = {
        "no scopes": frozenset(),
        "catalog:view only": frozenset({"catalog:view"}),
    }
    for alt in alternatives:
        sets[f"only {'+'.join(sorted(alt))}"] = alt
    for scope in sorted(used):
        sets[f"all but {scope}"] = ALL_SCOPES - {scope}
    return sets


async def test_api_key_is_refused_exactly_as_its_scopes_say(client, make_tenant):
    tenant = await make_tenant("RBAC keys")
    owner = await bearer_headers(client, tenant)
    mismatches: list[str] = []
    for label, scopes in _key_scope_sets().items():
        created = _ok(
            await gql(client, API_KEY_CREATE, {"name": label, "scopes": sorted(scopes)}, owner),
            "apiKeyCreate",
        )
        headers = tenant.key_headers(created["secret"])
        await _assert_scopes(client, headers, tenant, scopes)
        found, _ = await _run_matrix(client, headers, scopes, f"API key with {label}")
        mismatches += found
    assert mismatches == []
