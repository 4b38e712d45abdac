"""Availability: hours in the tenant's zone, durations, closures, lead time, staff hours,
buffers and existing appointments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from tests.conftest import MakeTenant
from tests.factories.bookings import (
    CLOSURE_CREATE,
    CLOSURE_DELETE,
    STAFF_HOURS_SET,
    WEEKDAYS,
    at,
    book,
    done,
    gql,
    hours,
    make_customer,
    make_service,
    make_staff,
    next_monday,
    salon,
    set_business_hours,
    slots,
    starts,
)


def every_quarter(first: str, last: str) -> list[str]:
    """HH:MM every 15 minutes from `first` to `last`, inclusive."""
    moment = datetime.strptime(first, "%H:%M")
    found = []
    while moment <= datetime.strptime(last, "%H:%M"):
        found.append(moment.strftime("%H:%M"))
        moment += timedelta(minutes=15)
    return found


async def test_slots_follow_business_hours_in_the_tenant_time_zone(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()  # Africa/Nairobi, UTC+3 all year
    setup = await salon(client, tenant)
    monday = next_monday()
    alice = setup["alice"]["id"]

    found = await slots(
        client,
        tenant,
        setup["service"]["id"],
        at(monday, "00:00"),
        at(monday, "23:59"),
        staffId=alice,
    )

    # 60 minutes fit from 09:00 until the last start at 16:00, every quarter hour.
    assert starts(found) == every_quarter("09:00", "16:00")
    assert found[0]["start"] == f"{monday.isoformat()}T09:00:00+03:00"
    assert found[-1]["end"] == f"{monday.isoformat()}T17:00:00+03:00"
    # The same window given in UTC gives the same slots, still shown in Nairobi time.
    utc_window = await slots(
        client,
        tenant,
        setup["service"]["id"],
        f"{monday.isoformat()}T06:00:00+00:00",
        f"{monday.isoformat()}T14:00:00+00:00",
        staffId=alice,
    )
    assert utc_window == found
    # Sunday has no hours.
    sunday = monday + timedelta(days=6)
    assert (
        await slots(
            client, tenant, setup["service"]["id"], at(sunday, "00:00"), at(sunday, "23:59")
        )
        == []
    )


async def test_every_staff_member_is_offered_in_start_then_name_order(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()

    found = await slots(
        client, tenant, setup["service"]["id"], at(monday, "09:00"), at(monday, "10:15")
    )

    assert [(s["start"][11:16], s["staff"]["name"]) for s in found] == [
        ("09:00", "Alice"),
        ("09:00", "Brian"),
        ("09:15", "Alice"),
        ("09:15", "Brian"),
    ]


async def test_a_service_that_does_not_fit_before_closing_is_not_offered(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    service = await make_service(client, tenant, durationMinutes=90)
    staff = await make_staff(client, tenant, "Alice", [service["id"]])
    # Two intervals on Monday: a one-hour morning and a 90-minute afternoon.
    await set_business_hours(
        client, tenant, hours(("MONDAY",), ("09:00", "10:00"), ("14:00", "15:30"))
    )
    monday = next_monday()

    found = await slots(client, tenant, service["id"], at(monday, "00:00"), at(monday, "23:59"))

    assert starts(found) == ["14:00"]
    assert found[0]["end"] == f"{monday.isoformat()}T15:30:00+03:00"
    assert found[0]["staff"]["id"] == staff["id"]


async def test_a_variant_duration_changes_what_fits(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    variant = await done(
        client,
        """mutation($serviceId: ID!) {
             serviceVariantCreate(input: {serviceId: $serviceId, name: "Long hair",
                                          durationMinutes: 120}) {
               variant { id durationMinutes } userErrors { code } } }""",
        {"serviceId": setup["service"]["id"]},
        tenant.key_headers(),
    )
    monday = next_monday()

    found = await slots(
        client,
        tenant,
        setup["service"]["id"],
        at(monday, "00:00"),
        at(monday, "23:59"),
        staffId=setup["alice"]["id"],
        variantId=variant["variant"]["id"],
    )

    assert starts(found) == every_quarter("09:00", "15:00")


async def test_business_closures_remove_whole_days(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    tuesday = monday + timedelta(days=1)
    service = setup["service"]["id"]

    created = await done(
        client,
        CLOSURE_CREATE,
        {
            "input": {
                "startDate": monday.isoformat(),
                "endDate": monday.isoformat(),
                "reason": "Public holiday",
            }
        },
        tenant.key_headers(),
    )
    found = await slots(client, tenant, service, at(monday, "00:00"), at(tuesday, "23:59"))

    assert {slot["start"][:10] for slot in found} == {tuesday.isoformat()}
    await done(client, CLOSURE_DELETE, {"id": created["closure"]["id"]}, tenant.key_headers())
    reopened = await slots(client, tenant, service, at(monday, "00:00"), at(tuesday, "23:59"))
    assert {slot["start"][:10] for slot in reopened} == {monday.isoformat(), tuesday.isoformat()}


async def test_a_staff_closure_period_blocks_only_that_member(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    alice, brian = setup["alice"]["id"], setup["brian"]["id"]

    await done(
        client,
        CLOSURE_CREATE,
        {
            "input": {
                "staffId": alice,
                "startsAt": at(monday, "12:00"),
                "endsAt": at(monday, "13:00"),
                "reason": "Dentist",
            }
        },
        tenant.key_headers(),
    )
    found = await slots(
        client, tenant, setup["service"]["id"], at(monday, "10:00"), at(monday, "15:00")
    )

    # Alice's hour-long slots may end at 12:00 and start again at 13:00.
    assert starts(found, alice) == every_quarter("10:00", "11:00") + every_quarter("13:00", "14:00")
    assert starts(found, brian) == every_quarter("10:00", "14:00")


async def test_lead_time_keeps_the_near_future_off_the_list(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    everyday = hours(WEEKDAYS, ("08:00", "20:00"))
    await set_business_hours(client, tenant, everyday)
    walk_in = await make_service(client, tenant, name="Trim")
    planned = await make_service(client, tenant, name="Colour", leadTimeMinutes=48 * 60)
    await make_staff(client, tenant, "Alice", [walk_in["id"], planned["id"]])
    now = datetime.now(UTC)
    window = (now.isoformat(), (now + timedelta(days=5)).isoformat())

    soon = await slots(client, tenant, walk_in["id"], *window)
    later = await slots(client, tenant, planned["id"], *window)

    horizon = now + timedelta(hours=48)
    assert datetime.fromisoformat(soon[0]["start"]) < horizon
    first = datetime.fromisoformat(later[0]["start"])
    assert horizon <= first < horizon + timedelta(days=1)
    assert all(datetime.fromisoformat(s["start"]) >= horizon for s in later)
    # Booking inside the lead time is refused.
    refused = await book(
        client,
        tenant,
        customerId=await make_customer(client, tenant),
        serviceId=planned["id"],
        startsAt=soon[0]["start"],
    )
    assert [e["code"] for e in refused["userErrors"]] == ["TOO_SOON"]


async def test_a_staff_member_with_own_hours_is_offered_only_then(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    alice, brian = setup["alice"]["id"], setup["brian"]["id"]
    window = (at(monday, "00:00"), at(monday, "23:59"))

    own = await done(
        client,
        STAFF_HOURS_SET,
        {"staffId": brian, "hours": hours(("MONDAY",), ("13:00", "15:00"))},
        tenant.key_headers(),
    )
    found = await slots(client, tenant, setup["service"]["id"], *window)

    assert own["staff"]["usesBusinessHours"] is False
    assert starts(found, brian) == every_quarter("13:00", "14:00")
    assert starts(found, alice) == every_quarter("09:00", "16:00")
    # Brian has no Tuesday in his own week, though the business opens.
    tuesday = monday + timedelta(days=1)
    tuesday_slots = await slots(
        client, tenant, setup["service"]["id"], at(tuesday, "00:00"), at(tuesday, "23:59")
    )
    assert starts(tuesday_slots, brian) == []
    # Back to the business hours.
    reset = await done(
        client, STAFF_HOURS_SET, {"staffId": brian, "hours": None}, tenant.key_headers()
    )
    assert reset["staff"]["usesBusinessHours"] is True
    found = await slots(client, tenant, setup["service"]["id"], *window)
    assert starts(found, brian) == every_quarter("09:00", "16:00")


async def test_appointments_and_their_buffers_block_slots_until_cancelled(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant, bufferAfterMinutes=15)
    monday = next_monday()
    alice = setup["alice"]["id"]
    window = (at(monday, "09:00"), at(monday, "13:00"))
    booked = await book(
        client,
        tenant,
        customerId=await make_customer(client, tenant),
        serviceId=setup["service"]["id"],
        staffId=alice,
        startsAt=at(monday, "10:00"),
    )
    assert booked["userErrors"] == []

    found = await slots(client, tenant, setup["service"]["id"], *window, staffId=alice)

    # The appointment holds 10:00-11:15 (15 minutes after); a 09:00 slot would need
    # 09:00-10:15, and 11:00 would need 11:00-12:15: both meet it.
    assert starts(found) == every_quarter("11:15", "12:00")
    await done(
        client,
        """mutation($id: ID!) { appointmentCancel(input: {id: $id, reason: "Ill"}) {
             appointment { status } userErrors { code } } }""",
        {"id": booked["appointment"]["id"]},
        tenant.key_headers(),
    )
    freed = await slots(client, tenant, setup["service"]["id"], *window, staffId=alice)
    assert starts(freed) == every_quarter("09:00", "12:00")


async def test_a_buffer_before_keeps_the_previous_slot_free(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant, bufferBeforeMinutes=30)
    monday = next_monday()
    alice = setup["alice"]["id"]
    booked = await book(
        client,
        tenant,
        customerId=await make_customer(client, tenant),
        serviceId=setup["service"]["id"],
        staffId=alice,
        startsAt=at(monday, "11:00"),
    )
    assert booked["userErrors"] == []

    found = await slots(
        client,
        tenant,
        setup["service"]["id"],
        at(monday, "09:00"),
        at(monday, "14:00"),
        staffId=alice,
    )

    # The appointment holds 10:30-12:00; a slot holds 30 minutes before itself too.
    assert starts(found) == every_quarter("09:00", "09:30") + every_quarter("12:30", "13:00")


async def test_nothing_is_offered_of_what_cannot_be_booked(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    other = await make_service(client, tenant, name="Massage")
    outsider = await make_staff(client, tenant, "Carol", [other["id"]])
    monday = next_monday()
    service, alice = setup["service"]["id"], setup["alice"]["id"]
    day = (at(monday, "09:00"), at(monday, "12:00"))
    assert await slots(client, tenant, service, *day, staffId=alice) != []

    reversed_window = await slots(client, tenant, service, day[1], day[0])
    unqualified = await slots(client, tenant, service, *day, staffId=outsider["id"])
    wrong_type = await slots(client, tenant, alice, *day)
    await done(
        client,
        """mutation($id: ID!) { staffUpdate(input: {id: $id, active: false}) {
             staff { active } userErrors { code } } }""",
        {"id": alice},
        tenant.key_headers(),
    )
    inactive = await slots(client, tenant, service, *day, staffId=alice)
    too_long = await gql(
        client,
        """query($s: ID!, $f: DateTime!, $t: DateTime!) {
             availability(serviceId: $s, from: $f, to: $t) { start } }""",
        {"s": service, "f": day[0], "t": at(monday + timedelta(days=40), "00:00")},
        tenant.key_headers(),
    )

    assert reversed_window == unqualified == wrong_type == inactive == []
    assert too_long["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "INVALID_RANGE",
    }


def clocks_go_forward(after: date) -> date:
    """The last Sunday of the first March after `after`: Europe/London moves to UTC+1."""
    year = after.year + (after.month >= 3)
    last = date(year, 3, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


async def test_slots_keep_local_hours_across_a_daylight_saving_change(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant(timezone="Europe/London", currency="GBP")
    service = await make_service(client, tenant, price={"amount": "30.00", "currency": "GBP"})
    await make_staff(client, tenant, "Alice", [service["id"]])
    await set_business_hours(client, tenant, hours(("SATURDAY", "SUNDAY"), ("09:00", "10:00")))
    sunday = clocks_go_forward(datetime.now(UTC).date() + timedelta(days=7))
    saturday = sunday - timedelta(days=1)

    found = await slots(
        client,
        tenant,
        service["id"],
        f"{saturday.isoformat()}T00:00:00+00:00",
        f"{sunday.isoformat()}T23:00:00+00:00",
    )

    assert [(s["start"], s["end"]) for s in found] == [
        (f"{saturday.isoformat()}T09:00:00+00:00", f"{saturday.isoformat()}T10:00:00+00:00"),
        (f"{sunday.isoformat()}T09:00:00+01:00", f"{sunday.isoformat()}T10:00:00+01:00"),
    ]
