"""Booking, rescheduling, cancelling, completing and no-shows; the double-booking race."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.bookings import (
    APPOINTMENT_FIELDS,
    USER_ERRORS,
    at,
    book,
    codes,
    done,
    make_customer,
    make_service,
    make_staff,
    next_monday,
    ok,
    salon,
)
from tests.support.polling import eventually
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.core.tenant import TenantRef, schema_for, tenant_context
from wabotiq.db.connection import credentials_from_url
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.bookings.models import Appointment, AppointmentStatus
from wabotiq.graphql.relay import to_global_id

RESCHEDULE = f"""
mutation($id: ID!, $startsAt: DateTime!, $staffId: ID) {{
  appointmentReschedule(input: {{id: $id, startsAt: $startsAt, staffId: $staffId}}) {{
    {APPOINTMENT_FIELDS} {USER_ERRORS}
  }}
}}
"""

CANCEL = f"""
mutation($id: ID!, $reason: String!) {{
  appointmentCancel(input: {{id: $id, reason: $reason}}) {{ {APPOINTMENT_FIELDS} {USER_ERRORS} }}
}}
"""

COMPLETE = f"""
mutation($id: ID!) {{
  appointmentComplete(input: {{id: $id}}) {{ {APPOINTMENT_FIELDS} {USER_ERRORS} }}
}}
"""

NO_SHOW = f"""
mutation($id: ID!) {{
  appointmentMarkNoShow(input: {{id: $id}}) {{ {APPOINTMENT_FIELDS} {USER_ERRORS} }}
}}
"""

APPOINTMENTS = """
query($filter: AppointmentFilter) {
  appointments(filter: $filter, first: 100) {
    totalCount nodes { id status startsAt staff { name } }
  }
}
"""


def ref(tenant: TenantFixture) -> TenantRef:
    return TenantRef(id=tenant.id, schema=schema_for(tenant.id))


async def outbox(tenant: TenantFixture) -> list[tuple[str, str, dict[str, Any]]]:
    with tenant_context(ref(tenant)):
        rows = await OutboxEvent.filter(aggregate_type="appointment").order_by("id")
    return [(row.aggregate_id, row.event_type, row.payload) for row in rows]


async def booked_setup(
    client: httpx.AsyncClient, tenant: TenantFixture, clock: str = "10:00"
) -> dict[str, Any]:
    setup = await salon(client, tenant)
    setup["monday"] = next_monday()
    setup["customer"] = await make_customer(client, tenant, "Wanjiku")
    result = await book(
        client,
        tenant,
        customerId=setup["customer"],
        serviceId=setup["service"]["id"],
        staffId=setup["alice"]["id"],
        startsAt=at(setup["monday"], clock),
        notes="First visit",
    )
    assert result["userErrors"] == [], result
    setup["appointment"] = result["appointment"]
    return setup


async def test_booking_snapshots_the_price_and_emits_an_event(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    appointment = setup["appointment"]

    assert appointment["status"] == "BOOKED"
    assert datetime.fromisoformat(appointment["startsAt"]) == datetime.fromisoformat(
        at(setup["monday"], "10:00")
    )
    assert datetime.fromisoformat(appointment["endsAt"]) - datetime.fromisoformat(
        appointment["startsAt"]
    ) == timedelta(minutes=60)
    assert appointment["price"] == {"amount": "1500.00", "currency": "KES"}
    assert appointment["staff"]["name"] == "Alice"
    assert appointment["customer"] == {"id": setup["customer"], "name": "Wanjiku"}
    assert appointment["notes"] == "First visit"
    raw_id = str(uuid_from_global_id(appointment["id"], "Appointment"))
    [(aggregate_id, event_type, payload)] = await outbox(tenant)
    assert (aggregate_id, event_type, payload["status"]) == (raw_id, "booked", "booked")


async def test_without_a_staff_member_the_first_free_one_is_booked(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)  # Alice holds 10:00

    second = await book(
        client,
        tenant,
        customerId=setup["customer"],
        serviceId=setup["service"]["id"],
        startsAt=at(setup["monday"], "10:00"),
    )
    third = await book(
        client,
        tenant,
        customerId=setup["customer"],
        serviceId=setup["service"]["id"],
        startsAt=at(setup["monday"], "10:30"),
    )

    assert second["appointment"]["staff"]["name"] == "Brian"
    assert codes(third) == ["SLOT_TAKEN"]


async def test_booking_refusals_are_typed(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    monday, service = setup["monday"], setup["service"]["id"]
    other = await make_service(client, tenant, name="Massage")
    carol = await make_staff(client, tenant, "Carol", [other["id"]])
    stranger = "Q3VzdG9tZXI6" + "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    base = {"customerId": setup["customer"], "serviceId": service}

    cases = {
        "taken": base | {"staffId": setup["alice"]["id"], "startsAt": at(monday, "10:45")},
        "after hours": base | {"startsAt": at(monday, "16:30")},
        "sunday": base | {"startsAt": at(monday + timedelta(days=6), "10:00")},
        "unqualified": base | {"staffId": carol["id"], "startsAt": at(monday, "12:00")},
        "no customer": base | {"customerId": stranger, "startsAt": at(monday, "12:00")},
        "past": base | {"startsAt": datetime.now(UTC).replace(microsecond=0).isoformat()},
    }
    found = {name: codes(await book(client, tenant, **fields)) for name, fields in cases.items()}

    assert found == {
        "taken": ["SLOT_TAKEN"],
        "after hours": ["OUTSIDE_HOURS"],
        "sunday": ["OUTSIDE_HOURS"],
        "unqualified": ["STAFF_NOT_QUALIFIED"],
        "no customer": ["NOT_FOUND"],
        "past": ["TOO_SOON"],
    }
    await done(
        client,
        """mutation($id: ID!) { serviceArchive(input: {id: $id}) {
             service { archived } userErrors { code } } }""",
        {"id": service},
        tenant.key_headers(),
    )
    archived = await book(client, tenant, **base, startsAt=at(monday, "12:00"))
    assert codes(archived) == ["SERVICE_UNAVAILABLE"]


async def test_reschedule_moves_the_appointment_and_frees_the_old_time(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    monday, appointment_id = setup["monday"], setup["appointment"]["id"]

    moved = await done(
        client,
        RESCHEDULE,
        {"id": appointment_id, "startsAt": at(monday, "10:30")},  # overlaps only itself
        tenant.key_headers(),
    )
    to_brian = await done(
        client,
        RESCHEDULE,
        {"id": appointment_id, "startsAt": at(monday, "14:00"), "staffId": setup["brian"]["id"]},
        tenant.key_headers(),
    )
    rebooked = await book(
        client,
        tenant,
        customerId=setup["customer"],
        serviceId=setup["service"]["id"],
        staffId=setup["alice"]["id"],
        startsAt=at(monday, "10:30"),
    )

    assert datetime.fromisoformat(moved["appointment"]["startsAt"]) == datetime.fromisoformat(
        at(monday, "10:30")
    )
    assert to_brian["appointment"]["staff"]["name"] == "Brian"
    assert rebooked["userErrors"] == []
    clash = await ok(
        client,
        RESCHEDULE,
        {"id": appointment_id, "startsAt": at(monday, "10:00"), "staffId": setup["alice"]["id"]},
        tenant.key_headers(),
    )
    assert codes(clash) == ["SLOT_TAKEN"]
    events = [
        (event, payload.get("previous_staff_id")) for _, event, payload in await outbox(tenant)
    ]
    alice_raw = str(uuid_from_global_id(setup["alice"]["id"], "Staff"))
    assert events == [
        ("booked", None),
        ("rescheduled", alice_raw),
        ("rescheduled", alice_raw),
        ("booked", None),
    ]


async def test_cancel_needs_a_reason_and_is_final(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    appointment_id = setup["appointment"]["id"]
    headers = tenant.key_headers()

    no_reason = await ok(client, CANCEL, {"id": appointment_id, "reason": "  "}, headers)
    cancelled = await done(client, CANCEL, {"id": appointment_id, "reason": "Sick"}, headers)
    again = await ok(client, CANCEL, {"id": appointment_id, "reason": "Sick"}, headers)
    completed = await ok(client, COMPLETE, {"id": appointment_id}, headers)
    moved = await ok(
        client,
        RESCHEDULE,
        {"id": appointment_id, "startsAt": at(setup["monday"], "12:00")},
        headers,
    )

    assert codes(no_reason) == ["INVALID"]
    assert cancelled["appointment"]["status"] == "CANCELLED"
    assert cancelled["appointment"]["cancelReason"] == "Sick"
    assert codes(again) == codes(completed) == codes(moved) == ["ILLEGAL_TRANSITION"]
    assert [event for _, event, _ in await outbox(tenant)] == ["booked", "cancelled"]


@pytest.mark.parametrize(
    ("first", "status", "event"),
    [(COMPLETE, "COMPLETED", "completed"), (NO_SHOW, "NO_SHOW", "no_show")],
)
async def test_completed_and_no_show_are_final(
    client: httpx.AsyncClient, make_tenant: MakeTenant, first: str, status: str, event: str
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    appointment_id = setup["appointment"]["id"]
    headers = tenant.key_headers()

    done_first = await done(client, first, {"id": appointment_id}, headers)
    refusals = [
        codes(await ok(client, query, variables, headers))
        for query, variables in (
            (COMPLETE, {"id": appointment_id}),
            (NO_SHOW, {"id": appointment_id}),
            (CANCEL, {"id": appointment_id, "reason": "Late"}),
        )
    ]

    assert done_first["appointment"]["status"] == status
    assert refusals == [["ILLEGAL_TRANSITION"]] * 3
    assert [e for _, e, _ in await outbox(tenant)] == ["booked", event]
    listed = await ok(client, APPOINTMENTS, {"filter": {"statuses": [status]}}, headers)
    assert [node["id"] for node in listed["nodes"]] == [appointment_id]


async def test_unknown_appointments_are_not_found(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    ghost = "QXBwb2ludG1lbnQ6" + "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"

    result = await ok(client, COMPLETE, {"id": ghost}, tenant.key_headers())

    assert codes(result) == ["NOT_FOUND"]


@asynccontextmanager
async def uncommitted_appointment(
    database_url: str, tenant: TenantFixture, setup: dict[str, Any], start: datetime
) -> AsyncIterator[tuple[uuid.UUID, int]]:
    """Alice's appointment at `start`, written straight to the table in a transaction of its own
    connection and left uncommitted until the block ends (then committed); yields its id and
    that connection's backend pid."""
    schema = schema_for(tenant.id)
    connection = await asyncpg.connect(**_dsn(database_url))
    try:
        async with connection.transaction():
            appointment_id = uuid.uuid4()
            await connection.execute(
                f"INSERT INTO {schema}.appointments (id, customer_id, service_id, staff_id,"
                " starts_at, ends_at, price, currency)"
                " VALUES ($1, $2, $3, $4, $5, $6, 1500, 'KES')",
                appointment_id,
                uuid_from_global_id(setup["walk_in"], "Customer"),
                uuid_from_global_id(setup["service"]["id"], "Service"),
                uuid_from_global_id(setup["alice"]["id"], "Staff"),
                start,
                start + timedelta(hours=1),
            )
            yield appointment_id, await connection.fetchval("SELECT pg_backend_pid()")
    finally:
        await connection.close()


def _dsn(database_url: str) -> dict[str, Any]:
    creds = credentials_from_url(database_url)
    return {**creds, "password": creds["password"] or None}


async def waiting_on(database_url: str, pid: int) -> int:
    """How many backends wait for `pid`'s transaction (read on a connection of its own: the
    pool may be all taken by the waiters)."""
    connection = await asyncpg.connect(**_dsn(database_url))
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", pid
        )
    finally:
        await connection.close()


@pytest.mark.parametrize("service_check", ["on", "off"])
async def test_twenty_concurrent_bookings_of_one_slot_give_one_appointment(
    client: httpx.AsyncClient, make_tenant: MakeTenant, database_url: str, service_check: str
):
    """With the service's check "on", twenty bookings race for one slot and exactly one gets it.
    With it "off", the check cannot help: a competing appointment is still uncommitted while all
    twenty check (the slot looks free to each), so the exclusion constraint alone must turn
    every one of them away as SLOT_TAKEN once the competitor commits."""
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    setup["walk_in"] = await make_customer(client, tenant)
    monday = next_monday()
    customers = [await make_customer(client, tenant) for _ in range(20)]

    def twenty_bookings() -> Awaitable[list[dict[str, Any]]]:
        return asyncio.gather(
            *(
                book(
                    client,
                    tenant,
                    customerId=customer,
                    serviceId=setup["service"]["id"],
                    staffId=setup["alice"]["id"],
                    startsAt=at(monday, "10:00"),
                )
                for customer in customers
            )
        )

    if service_check == "on":
        results = await twenty_bookings()
    else:
        start = datetime.fromisoformat(at(monday, "10:00"))
        async with uncommitted_appointment(database_url, tenant, setup, start) as (held, pid):
            racing = asyncio.ensure_future(twenty_bookings())

            async def all_held() -> bool:
                assert not racing.done(), racing.result()
                return await waiting_on(database_url, pid) == len(customers)

            # Every booking passed the service's check and now waits in its INSERT.
            await eventually(all_held, "twenty bookings waiting on the competitor")
        results = await racing

    outcomes = sorted(tuple(codes(result)) for result in results)
    listed = await ok(
        client, APPOINTMENTS, {"filter": {"statuses": ["BOOKED"]}}, tenant.key_headers()
    )
    assert listed["totalCount"] == 1
    booked_events = [event for _, event, _ in await outbox(tenant)]
    if service_check == "on":
        assert outcomes == [()] + [("SLOT_TAKEN",)] * 19
        assert booked_events == ["booked"]
    else:
        assert outcomes == [("SLOT_TAKEN",)] * 20
        assert [node["id"] for node in listed["nodes"]] == [to_global_id("Appointment", held)]
        assert booked_events == []  # the competitor went round the service: no event


async def test_the_database_itself_refuses_overlaps_of_one_staff_member(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    """The exclusion constraint, without the service's own check: buffers count, other staff
    and cancelled appointments do not."""
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)  # Alice 10:00-11:00
    alice = uuid_from_global_id(setup["alice"]["id"], "Staff")
    brian = uuid_from_global_id(setup["brian"]["id"], "Staff")
    existing = uuid_from_global_id(setup["appointment"]["id"], "Appointment")
    start = datetime.fromisoformat(at(setup["monday"], "11:00"))

    async def insert(staff: uuid.UUID, buffer_before: int, status: str = "booked") -> None:
        with tenant_context(ref(tenant)):
            async with in_transaction():
                base = await Appointment.get(id=existing)
                await Appointment.create(
                    id=uuid.uuid4(),
                    customer_id=base.customer_id,
                    service_id=base.service_id,
                    staff_id=staff,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    buffer_before_minutes=buffer_before,
                    price=base.price,
                    currency=base.currency,
                    status=AppointmentStatus(status),
                )

    with pytest.raises(IntegrityError, match="appointments_no_double_booking"):
        await insert(alice, buffer_before=1)
    await insert(alice, buffer_before=1, status="cancelled")
    await insert(brian, buffer_before=1)
    await insert(alice, buffer_before=0)  # touching end to start is no overlap


async def test_appointment_mutations_are_audited_with_their_target(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await booked_setup(client, tenant)
    appointment_id = setup["appointment"]["id"]
    await ok(client, CANCEL, {"id": appointment_id, "reason": ""}, tenant.key_headers())

    log = await ok(
        client,
        """{ auditLog(first: 50) { nodes { operation targetIds outcome } } }""",
        {},
        tenant.key_headers(),
    )

    entries = [e for e in log["nodes"] if e["operation"].startswith("appointment")]
    assert entries == [
        {"operation": "appointmentCancel", "targetIds": [appointment_id], "outcome": "USER_ERROR"},
        {"operation": "appointmentBook", "targetIds": [appointment_id], "outcome": "SUCCESS"},
    ]
