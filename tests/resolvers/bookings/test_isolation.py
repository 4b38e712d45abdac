"""Adversarial isolation of bookings: a principal of tenant A, knowing B's IDs, gets nothing of
B's through any bookings query or mutation, and cannot tell B's IDs from made-up ones."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from strawberry.utils.str_converters import to_camel_case

from tests.conftest import MakeTenant, TenantFixture, bearer_headers, gql
from tests.factories.bookings import (
    AVAILABILITY,
    CLOSURE_CREATE,
    at,
    book,
    done,
    make_customer,
    next_monday,
    salon,
)
from tests.support.id_coverage import root_fields, root_fields_taking_ids
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
  staff(first: 50) {
    nodes { id name active usesBusinessHours workingHours { weekday } services { id } }
  }
  closures(first: 50) { nodes { id reason } }
  appointments(first: 50) {
    nodes { id status startsAt endsAt cancelReason staff { id } variant { id } }
  }
  businessHours { weekday opens closes }
}
"""


def _mutation(field: str, params: str, input_literal: str, selection: str) -> str:
    return f"mutation({params}) {{ {field}(input: {input_literal}) {{ {selection} {ERRORS} }} }}"


SERVICE_UPDATE = _mutation(
    "serviceUpdate", "$id: ID!", '{id: $id, name: "pwned"}', "service { id }"
)
SERVICE_ARCHIVE = _mutation("serviceArchive", "$id: ID!", "{id: $id}", "service { id }")
VARIANT_CREATE = _mutation(
    "serviceVariantCreate", "$id: ID!", '{serviceId: $id, name: "pwned"}', "variant { id }"
)
VARIANT_UPDATE = _mutation(
    "serviceVariantUpdate", "$id: ID!", '{id: $id, name: "pwned"}', "variant { id }"
)
VARIANT_ARCHIVE = _mutation("serviceVariantArchive", "$id: ID!", "{id: $id}", "variant { id }")
STAFF_CREATE = _mutation(
    "staffCreate", "$id: ID!", '{name: "spy", serviceIds: [$id]}', "staff { id }"
)
STAFF_UPDATE = _mutation(
    "staffUpdate",
    "$id: ID!, $name: String, $active: Boolean, $serviceIds: [ID!]",
    "{id: $id, name: $name, active: $active, serviceIds: $serviceIds}",
    "staff { id }",
)
STAFF_HOURS_SET = _mutation(
    "staffHoursSet", "$id: ID!", "{staffId: $id, hours: []}", "staff { id }"
)
CLOSURE_CREATE_AT = _mutation(
    "closureCreate",
    "$id: ID!, $when: DateTime!",
    "{staffId: $id, startsAt: $when, endsAt: $when}",
    "closure { id }",
)
CLOSURE_DELETE = _mutation("closureDelete", "$id: ID!", "{id: $id}", "deletedClosureId")
APPOINTMENT_BOOK = _mutation(
    "appointmentBook",
    "$customer: ID!, $service: ID!, $variant: ID, $staff: ID, $when: DateTime!",
    "{customerId: $customer, serviceId: $service, variantId: $variant, staffId: $staff,"
    " startsAt: $when}",
    "appointment { id }",
)
APPOINTMENT_RESCHEDULE = _mutation(
    "appointmentReschedule",
    "$id: ID!, $staff: ID, $when: DateTime!",
    "{id: $id, staffId: $staff, startsAt: $when}",
    "appointment { id }",
)
APPOINTMENT_CANCEL = _mutation(
    "appointmentCancel", "$id: ID!", '{id: $id, reason: "pwned"}', "appointment { id }"
)
APPOINTMENT_COMPLETE = _mutation(
    "appointmentComplete", "$id: ID!", "{id: $id}", "appointment { id }"
)
APPOINTMENT_NO_SHOW = _mutation(
    "appointmentMarkNoShow", "$id: ID!", "{id: $id}", "appointment { id }"
)
SERVICE = "query($id: ID!) { service(id: $id) { id } }"
APPOINTMENT = "query($id: ID!) { appointment(id: $id) { id } }"
STAFF = "query($id: ID!) { staff(filter: {serviceId: $id}) { totalCount } }"
APPOINTMENTS = """
query($staff: ID, $service: ID, $customer: ID) {
  appointments(filter: {staffId: $staff, serviceId: $service, customerId: $customer}) {
    totalCount
  }
}
"""
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(
    SERVICE_UPDATE, SERVICE_ARCHIVE, VARIANT_CREATE, VARIANT_UPDATE, VARIANT_ARCHIVE,
    STAFF_CREATE, STAFF_UPDATE, STAFF_HOURS_SET, CLOSURE_CREATE_AT, CLOSURE_DELETE,
    APPOINTMENT_BOOK, APPOINTMENT_RESCHEDULE, APPOINTMENT_CANCEL, APPOINTMENT_COMPLETE,
    APPOINTMENT_NO_SHOW, SERVICE, APPOINTMENT, STAFF, AVAILABILITY, APPOINTMENTS,
)  # fmt: skip


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


async def _snapshot(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    body = await gql(client, SNAPSHOT, {}, tenant.key_headers())
    assert "errors" not in body and body["data"]["appointments"]["nodes"], body
    return body["data"]  # type: ignore[no-any-return]


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


def _attacks(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, dict, dict]]:
    """(operation, variables naming B's objects, the same with made-up IDs of the same types);
    some carry B's ID in a reference of A's own object or of A's own request."""
    when = at(a["monday"], "12:00")
    window = {"from": at(a["monday"], "09:00"), "to": at(a["monday"], "17:00")}
    service, variant, staff = b["service"]["id"], b["variant"], b["alice"]["id"]
    appointment, closure, customer = b["appointment"], b["closure"], b["customer"]
    fake = {
        "service": _random("Service"),
        "variant": _random("ServiceVariant"),
        "staff": _random("Staff"),
        "appointment": _random("Appointment"),
        "closure": _random("Closure"),
        "customer": _random("Customer"),
    }
    mine = {"customer": a["customer"], "service": a["service"]["id"], "when": when}
    return [
        (SERVICE_UPDATE, {"id": service}, {"id": fake["service"]}),
        (SERVICE_ARCHIVE, {"id": service}, {"id": fake["service"]}),
        (VARIANT_CREATE, {"id": service}, {"id": fake["service"]}),
        (VARIANT_UPDATE, {"id": variant}, {"id": fake["variant"]}),
        (VARIANT_ARCHIVE, {"id": variant}, {"id": fake["variant"]}),
        (STAFF_CREATE, {"id": service}, {"id": fake["service"]}),
        (
            STAFF_UPDATE,
            {"id": staff, "name": "pwned", "active": False},
            {"id": fake["staff"], "name": "pwned", "active": False},
        ),
        (
            STAFF_UPDATE,
            {"id": a["alice"]["id"], "serviceIds": [a["service"]["id"], service]},
            {"id": a["alice"]["id"], "serviceIds": [a["service"]["id"], fake["service"]]},
        ),
        (STAFF_HOURS_SET, {"id": staff}, {"id": fake["staff"]}),
        (CLOSURE_CREATE_AT, {"id": staff, "when": when}, {"id": fake["staff"], "when": when}),
        (CLOSURE_DELETE, {"id": closure}, {"id": fake["closure"]}),
        (
            APPOINTMENT_BOOK,
            mine | {"customer": customer},
            mine | {"customer": fake["customer"]},
        ),
        (APPOINTMENT_BOOK, mine | {"service": service}, mine | {"service": fake["service"]}),
        (APPOINTMENT_BOOK, mine | {"variant": variant}, mine | {"variant": fake["variant"]}),
        (APPOINTMENT_BOOK, mine | {"staff": staff}, mine | {"staff": fake["staff"]}),
        (
            APPOINTMENT_RESCHEDULE,
            {"id": appointment, "when": when},
            {"id": fake["appointment"], "when": when},
        ),
        (
            APPOINTMENT_RESCHEDULE,
            {"id": a["appointment"], "staff": staff, "when": when},
            {"id": a["appointment"], "staff": fake["staff"], "when": when},
        ),
        (APPOINTMENT_CANCEL, {"id": appointment}, {"id": fake["appointment"]}),
        (APPOINTMENT_COMPLETE, {"id": appointment}, {"id": fake["appointment"]}),
        (APPOINTMENT_NO_SHOW, {"id": appointment}, {"id": fake["appointment"]}),
        (SERVICE, {"id": service}, {"id": fake["service"]}),
        (APPOINTMENT, {"id": appointment}, {"id": fake["appointment"]}),
        (STAFF, {"id": service}, {"id": fake["service"]}),
        (
            AVAILABILITY,
            window | {"serviceId": service},
            window | {"serviceId": fake["service"]},
        ),
        (
            AVAILABILITY,
            window | {"serviceId": a["service"]["id"], "staffId": staff},
            window | {"serviceId": a["service"]["id"], "staffId": fake["staff"]},
        ),
        (
            AVAILABILITY,
            window | {"serviceId": a["service"]["id"], "variantId": variant},
            window | {"serviceId": a["service"]["id"], "variantId": fake["variant"]},
        ),
        (APPOINTMENTS, {"staff": staff}, {"staff": fake["staff"]}),
        (APPOINTMENTS, {"service": service}, {"service": fake["service"]}),
        (APPOINTMENTS, {"customer": customer}, {"customer": fake["customer"]}),
    ]


async def test_a_principal_of_a_gets_nothing_of_b_through_bookings(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    a, b = await make_tenant("Salon A"), await make_tenant("Salon B")
    world_a, world_b = await _world(client, a), await _world(client, b)
    b_before, a_before = await _snapshot(client, b), await _snapshot(client, a)
    attacks = _attacks(world_a, world_b)

    # Every bookings root field that takes an ID is attacked here; a new one fails until it is.
    assert ATTACKED_FIELDS == _bookings_fields() & root_fields_taking_ids()

    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for operation, b_vars, fake in attacks:
            sent |= root_fields(operation)
            seen = await gql(client, operation, b_vars, headers)
            assert "errors" not in seen, seen
            (payload,) = seen["data"].values()
            if isinstance(payload, dict) and "userErrors" in payload:
                assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (b_vars, seen)
                assert all(v is None for k, v in payload.items() if k != "userErrors"), seen
            else:
                assert payload in (None, [], {"totalCount": 0}), (operation, b_vars, seen)
            unknown = await gql(client, operation, fake, headers)
            assert seen["data"] == unknown["data"], (operation, b_vars, seen, unknown)
    assert sent == ATTACKED_FIELDS

    # Neither B's bookings nor A's own objects that were handed B's IDs changed.
    assert await _snapshot(client, b) == b_before
    assert await _snapshot(client, a) == a_before
