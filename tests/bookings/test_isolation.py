"""Adversarial isolation of bookings: a principal of tenant A, knowing B's IDs, gets nothing of
B's through any bookings query or mutation, and cannot tell B's IDs from made-up ones."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from strawberry.utils.str_converters import to_camel_case

from tests.bookings.factories import (
    CLOSURE_CREATE,
    at,
    book,
    done,
    make_customer,
    next_monday,
    salon,
)
from tests.conftest import MakeTenant, TenantFixture, gql
from tests.tenancy.test_isolation import _root_fields_taking_ids
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.bookings.mutations import BookingsMutations
from wabotiq.resolvers.bookings.queries import BookingsQueries

ERRORS = "userErrors { field code message }"
SNAPSHOT = """
{
  services(first: 50, filter: {includeArchived: true}) {
    nodes { id name active archived variants(includeArchived: true) { id name archived }
            staff { id } }
  }
  staff(first: 50) { nodes { id name active usesBusinessHours workingHours { weekday } } }
  closures(first: 50) { nodes { id reason } }
  appointments(first: 50) { nodes { id status startsAt cancelReason staff { id } } }
  businessHours { weekday opens closes }
}
"""


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


def _bookings_fields() -> set[str]:
    names = set()
    for mixin in (BookingsQueries, BookingsMutations):
        names |= {
            field.graphql_name or to_camel_case(field.python_name)
            for field in mixin.__strawberry_definition__.fields  # type: ignore[attr-defined]
        }
    return names


async def _world(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    """A salon with a variant, a closure and a booked appointment."""
    world = await salon(client, tenant)
    world["monday"] = next_monday()
    world["customer"] = await make_customer(client, tenant)
    variant = await done(
        client,
        """mutation($id: ID!) { serviceVariantCreate(input: {serviceId: $id, name: "Long"}) {
             variant { id } userErrors { code } } }""",
        {"id": world["service"]["id"]},
        tenant.key_headers(),
    )
    world["variant"] = variant["variant"]["id"]
    closure = await done(
        client,
        CLOSURE_CREATE,
        {
            "input": {
                "staffId": world["alice"]["id"],
                "startsAt": at(world["monday"], "15:00"),
                "endsAt": at(world["monday"], "16:00"),
            }
        },
        tenant.key_headers(),
    )
    world["closure"] = closure["closure"]["id"]
    booked = await book(
        client,
        tenant,
        customerId=world["customer"],
        serviceId=world["service"]["id"],
        staffId=world["alice"]["id"],
        startsAt=at(world["monday"], "10:00"),
    )
    world["appointment"] = booked["appointment"]["id"]
    return world


def _mutations(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, dict, dict]]:
    """(field, operation, variables naming B's objects, the same with made-up IDs)."""
    when = at(a["monday"], "12:00")
    attacks = []

    def attack(field: str, input_literal: str, selection: str, b_vars: dict, fake: dict):
        params = ", ".join(f"${name}: ID!" for name in sorted(b_vars))
        operation = (
            f"mutation({params}) {{ {field}(input: {input_literal}) {{ {selection} {ERRORS} }} }}"
        )
        attacks.append((field, operation, b_vars, fake))

    service, variant, staff = b["service"]["id"], b["variant"], b["alice"]["id"]
    appointment, closure = b["appointment"], b["closure"]
    for field in ("serviceUpdate", "serviceArchive"):
        extra = ', name: "pwned"' if field == "serviceUpdate" else ""
        attack(
            field,
            f"{{id: $id{extra}}}",
            "service { id }",
            {"id": service},
            {"id": _random("Service")},
        )
    attack(
        "serviceVariantCreate",
        '{serviceId: $id, name: "pwned"}',
        "variant { id }",
        {"id": service},
        {"id": _random("Service")},
    )
    for field in ("serviceVariantUpdate", "serviceVariantArchive"):
        extra = ', name: "pwned"' if field == "serviceVariantUpdate" else ""
        attack(
            field,
            f"{{id: $id{extra}}}",
            "variant { id }",
            {"id": variant},
            {"id": _random("ServiceVariant")},
        )
    attack(
        "staffCreate",
        '{name: "spy", serviceIds: [$id]}',
        "staff { id }",
        {"id": service},
        {"id": _random("Service")},
    )
    attack(
        "staffUpdate",
        '{id: $id, name: "pwned", active: false}',
        "staff { id }",
        {"id": staff},
        {"id": _random("Staff")},
    )
    attack(
        "staffHoursSet",
        "{staffId: $id, hours: []}",
        "staff { id }",
        {"id": staff},
        {"id": _random("Staff")},
    )
    attack(
        "closureCreate",
        f'{{staffId: $id, startsAt: "{when}", endsAt: "{when}"}}',
        "closure { id }",
        {"id": staff},
        {"id": _random("Staff")},
    )
    attack(
        "closureDelete",
        "{id: $id}",
        "deletedClosureId",
        {"id": closure},
        {"id": _random("Closure")},
    )
    mine = {"customer": a["customer"], "service": a["service"]["id"]}
    book_literal = f'{{customerId: $customer, serviceId: $service, startsAt: "{when}"}}'
    attack(
        "appointmentBook",
        book_literal,
        "appointment { id }",
        mine | {"customer": b["customer"]},
        mine | {"customer": _random("Customer")},
    )
    attack(
        "appointmentBook",
        book_literal,
        "appointment { id }",
        mine | {"service": service},
        mine | {"service": _random("Service")},
    )
    attack(
        "appointmentBook",
        f'{{customerId: $customer, serviceId: $service, staffId: $staff, startsAt: "{when}"}}',
        "appointment { id }",
        mine | {"staff": staff},
        mine | {"staff": _random("Staff")},
    )
    attack(
        "appointmentReschedule",
        f'{{id: $id, startsAt: "{when}"}}',
        "appointment { id }",
        {"id": appointment},
        {"id": _random("Appointment")},
    )
    attack(
        "appointmentCancel",
        '{id: $id, reason: "pwned"}',
        "appointment { id }",
        {"id": appointment},
        {"id": _random("Appointment")},
    )
    for field in ("appointmentComplete", "appointmentMarkNoShow"):
        attack(
            field,
            "{id: $id}",
            "appointment { id }",
            {"id": appointment},
            {"id": _random("Appointment")},
        )
    return attacks


def _queries(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, dict, dict]]:
    window = f'from: "{at(a["monday"], "09:00")}", to: "{at(a["monday"], "17:00")}"'
    return [
        (
            "service",
            "query($id: ID!) { service(id: $id) { id } }",
            {"id": b["service"]["id"]},
            {"id": _random("Service")},
        ),
        (
            "appointment",
            "query($id: ID!) { appointment(id: $id) { id } }",
            {"id": b["appointment"]},
            {"id": _random("Appointment")},
        ),
        (
            "staff",
            "query($id: ID!) { staff(filter: {serviceId: $id}) { totalCount } }",
            {"id": b["service"]["id"]},
            {"id": _random("Service")},
        ),
        (
            "availability",
            f"query($id: ID!) {{ availability(serviceId: $id, {window}) {{ start }} }}",
            {"id": b["service"]["id"]},
            {"id": _random("Service")},
        ),
        (
            "availability",
            f"query($s: ID!, $id: ID!) {{ availability(serviceId: $s, staffId: $id, {window}) "
            "{ start } }",
            {"s": a["service"]["id"], "id": b["alice"]["id"]},
            {"s": a["service"]["id"], "id": _random("Staff")},
        ),
    ] + [
        (
            "appointments",
            f"query($id: ID!) {{ appointments(filter: {{{key}: $id}}) {{ totalCount }} }}",
            {"id": b_id},
            {"id": _random(type_name)},
        )
        for key, b_id, type_name in (
            ("staffId", b["alice"]["id"], "Staff"),
            ("serviceId", b["service"]["id"], "Service"),
            ("customerId", b["customer"], "Customer"),
        )
    ]


async def test_a_principal_of_a_gets_nothing_of_b_through_bookings(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    a, b = await make_tenant("Salon A"), await make_tenant("Salon B")
    world_a, world_b = await _world(client, a), await _world(client, b)
    b_before = (await gql(client, SNAPSHOT, {}, b.key_headers()))["data"]
    mutations, queries = _mutations(world_a, world_b), _queries(world_a, world_b)

    # Every bookings root field that takes an ID is attacked; a new one fails here until it is.
    attacked = {field for field, *_ in mutations + queries}
    assert attacked == _bookings_fields() & _root_fields_taking_ids()

    for field, operation, b_vars, fake in mutations:
        payload = (await gql(client, operation, b_vars, a.key_headers()))["data"][field]
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (field, payload)
        assert all(v is None for k, v in payload.items() if k != "userErrors"), payload
        unknown = (await gql(client, operation, fake, a.key_headers()))["data"][field]
        assert payload == unknown, (field, payload, unknown)
    for field, operation, b_vars, fake in queries:
        seen = await gql(client, operation, b_vars, a.key_headers())
        unknown = await gql(client, operation, fake, a.key_headers())
        assert "errors" not in seen, seen
        assert seen["data"][field] in (None, [], {"totalCount": 0}), (field, seen)
        assert seen["data"] == unknown["data"], (field, seen, unknown)

    assert (await gql(client, SNAPSHOT, {}, b.key_headers()))["data"] == b_before
