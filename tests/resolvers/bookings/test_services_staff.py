"""Services, variants, staff, business hours and closures through GraphQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from tests.conftest import MakeTenant, gql
from tests.factories.bookings import (
    BUSINESS_HOURS_SET,
    CLOSURE_CREATE,
    SERVICE_CREATE,
    SERVICE_FIELDS,
    STAFF_HOURS_SET,
    USER_ERRORS,
    WEEKDAYS,
    at,
    codes,
    done,
    hours,
    key_with_scopes,
    make_service,
    make_staff,
    next_monday,
    ok,
)
from wabotiq.graphql.relay import to_global_id

SERVICE_UPDATE = f"""
mutation($input: ServiceUpdateInput!) {{
  serviceUpdate(input: $input) {{ service {{ {SERVICE_FIELDS} }} {USER_ERRORS} }}
}}
"""
SERVICE_ARCHIVE = f"""
mutation($id: ID!) {{ serviceArchive(input: {{id: $id}}) {{ service {{ id archived active }}
  {USER_ERRORS} }} }}
"""
SERVICES = """
query($filter: ServiceFilter) {
  services(filter: $filter, first: 50) { totalCount nodes { code name } }
}
"""
SERVICE = """
query($id: ID!) {
  service(id: $id) {
    name variants { name durationMinutes price { amount currency } archived }
    staff { name }
  }
}
"""
VARIANT_CREATE = f"""
mutation($input: ServiceVariantCreateInput!) {{
  serviceVariantCreate(input: $input) {{
    variant {{ id name durationMinutes price {{ amount currency }} service {{ code }} }}
    {USER_ERRORS}
  }}
}}
"""
VARIANT_UPDATE = f"""
mutation($input: ServiceVariantUpdateInput!) {{
  serviceVariantUpdate(input: $input) {{
    variant {{ name durationMinutes price {{ amount }} }} {USER_ERRORS}
  }}
}}
"""
VARIANT_ARCHIVE = f"""
mutation($id: ID!) {{ serviceVariantArchive(input: {{id: $id}}) {{ variant {{ archived }}
  {USER_ERRORS} }} }}
"""
STAFF_UPDATE = f"""
mutation($input: StaffUpdateInput!) {{
  staffUpdate(input: $input) {{ staff {{ name active services {{ code }} }} {USER_ERRORS} }}
}}
"""
STAFF = """
query($filter: StaffFilter) {
  staff(filter: $filter, first: 50) { totalCount nodes { name active } }
}
"""
BUSINESS_HOURS = "{ businessHours { weekday opens closes } }"
CLOSURES = """
query($after: DateTime) {
  closures(endingAfter: $after, first: 50) { totalCount nodes { reason startDate endsAt } }
}
"""


def price(amount: str, currency: str = "KES") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


async def test_services_are_created_changed_listed_and_archived(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    cut = await make_service(
        client, tenant, code="CUT", name="Haircut", bufferAfterMinutes=10, leadTimeMinutes=60
    )
    await make_service(client, tenant, code="MASSAGE", name="Massage")

    updated = await done(
        client,
        SERVICE_UPDATE,
        {
            "input": {
                "id": cut["id"],
                "name": "Men's haircut",
                "price": price("1800.50"),
                "durationMinutes": 45,
            }
        },
        headers,
    )
    searched = await ok(client, SERVICES, {"filter": {"search": "hair"}}, headers)
    archived = await done(client, SERVICE_ARCHIVE, {"id": cut["id"]}, headers)
    listed = await ok(client, SERVICES, {}, headers)
    everything = await ok(client, SERVICES, {"filter": {"includeArchived": True}}, headers)

    service = updated["service"]
    assert (service["name"], service["durationMinutes"]) == ("Men's haircut", 45)
    assert service["price"] == price("1800.50")
    assert (service["bufferAfterMinutes"], service["leadTimeMinutes"]) == (10, 60)
    assert searched["nodes"] == [{"code": "CUT", "name": "Men's haircut"}]
    assert archived["service"] == {"id": cut["id"], "archived": True, "active": False}
    assert [node["code"] for node in listed["nodes"]] == ["MASSAGE"]
    assert everything["totalCount"] == 2


async def test_service_input_is_validated(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    await make_service(client, tenant, code="CUT")
    base = {"code": "NEW", "name": "New", "durationMinutes": 30, "price": price("10.00")}
    cases = {
        "taken code": base | {"code": "CUT"},
        "bad code": base | {"code": "no spaces"},
        "dollars": base | {"price": price("10.00", "USD")},
        "fractions of cents": base | {"price": price("10.005")},
        "negative": base | {"price": price("-1.00")},
        "no time": base | {"durationMinutes": 0},
        "huge buffer": base | {"bufferBeforeMinutes": 2000},
        "empty name": base | {"name": "  "},
    }
    found = {}
    for name, spec in cases.items():
        payload = await ok(client, SERVICE_CREATE, {"input": spec}, tenant.key_headers())
        found[name] = (codes(payload), payload["userErrors"][0]["field"])

    assert found == {
        "taken code": (["CODE_TAKEN"], ["input", "code"]),
        "bad code": (["INVALID"], ["input", "code"]),
        "dollars": (["CURRENCY_MISMATCH"], ["input", "price"]),
        "fractions of cents": (["INVALID"], ["input", "price"]),
        "negative": (["INVALID"], ["input", "price"]),
        "no time": (["INVALID"], ["input", "durationMinutes"]),
        "huge buffer": (["INVALID"], ["input", "bufferBeforeMinutes"]),
        "empty name": (["INVALID"], ["input", "name"]),
    }


async def test_variants_override_and_fall_back(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    service = await make_service(client, tenant, code="CUT")
    long_hair = await done(
        client,
        VARIANT_CREATE,
        {
            "input": {
                "serviceId": service["id"],
                "name": "Long hair",
                "durationMinutes": 90,
                "price": price("2500.00"),
            }
        },
        headers,
    )
    variant_id = long_hair["variant"]["id"]

    renamed = await done(
        client, VARIANT_UPDATE, {"input": {"id": variant_id, "name": "Very long hair"}}, headers
    )
    cleared = await done(
        client,
        VARIANT_UPDATE,
        {"input": {"id": variant_id, "durationMinutes": None, "price": None}},
        headers,
    )
    await done(
        client,
        VARIANT_CREATE,
        {"input": {"serviceId": service["id"], "name": "Kids", "position": 1}},
        headers,
    )
    archived = await done(client, VARIANT_ARCHIVE, {"id": variant_id}, headers)
    shown = await ok(client, SERVICE, {"id": service["id"]}, headers)

    assert long_hair["variant"]["service"] == {"code": "CUT"}
    assert long_hair["variant"]["price"] == price("2500.00")
    assert renamed["variant"] == {
        "name": "Very long hair",
        "durationMinutes": 90,
        "price": {"amount": "2500.00"},
    }
    assert cleared["variant"] == {"name": "Very long hair", "durationMinutes": None, "price": None}
    assert archived["variant"] == {"archived": True}
    assert shown["variants"] == [
        {"name": "Kids", "durationMinutes": None, "price": None, "archived": False}
    ]


async def test_staff_and_the_services_they_perform(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    cut = await make_service(client, tenant, code="CUT")
    colour = await make_service(client, tenant, code="COLOUR", name="Colour")
    alice = await make_staff(client, tenant, "Alice", [cut["id"]])
    await make_staff(client, tenant, "Brian", [cut["id"], colour["id"]])

    changed = await done(
        client,
        STAFF_UPDATE,
        {
            "input": {
                "id": alice["id"],
                "name": "Alice K.",
                "active": False,
                "serviceIds": [colour["id"]],
            }
        },
        headers,
    )
    performers = await ok(client, STAFF, {"filter": {"serviceId": colour["id"]}}, headers)
    active = await ok(client, STAFF, {"filter": {"active": True}}, headers)
    cut_staff = await ok(client, SERVICE, {"id": cut["id"]}, headers)
    unknown = await ok(
        client,
        STAFF_UPDATE,
        {"input": {"id": alice["id"], "serviceIds": [to_global_id("Service", uuid.uuid4())]}},
        headers,
    )

    assert alice["usesBusinessHours"] is True
    assert changed["staff"] == {
        "name": "Alice K.",
        "active": False,
        "services": [{"code": "COLOUR"}],
    }
    assert [n["name"] for n in performers["nodes"]] == ["Alice K.", "Brian"]
    assert active["nodes"] == [{"name": "Brian", "active": True}]
    assert cut_staff["staff"] == [{"name": "Brian"}]
    assert codes(unknown) == ["NOT_FOUND"]


async def test_business_hours_allow_several_intervals_but_no_overlaps(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    split_day = hours(("MONDAY",), ("14:00", "18:00"), ("08:00", "12:00")) + hours(
        ("SATURDAY",), ("09:00", "13:00")
    )

    saved = await done(client, BUSINESS_HOURS_SET, {"hours": split_day}, headers)
    overlapping = await ok(
        client,
        BUSINESS_HOURS_SET,
        {"hours": hours(("MONDAY",), ("08:00", "12:00"), ("11:00", "13:00"))},
        headers,
    )
    inverted = await ok(
        client, BUSINESS_HOURS_SET, {"hours": hours(("MONDAY",), ("12:00", "08:00"))}, headers
    )
    shown = await ok(client, BUSINESS_HOURS, {}, headers)

    expected = [
        {"weekday": "MONDAY", "opens": "08:00:00", "closes": "12:00:00"},
        {"weekday": "MONDAY", "opens": "14:00:00", "closes": "18:00:00"},
        {"weekday": "SATURDAY", "opens": "09:00:00", "closes": "13:00:00"},
    ]
    assert saved["hours"] == expected
    assert codes(overlapping) == codes(inverted) == ["INVALID_HOURS"]
    assert shown == expected  # refused changes left the hours alone


async def test_staff_hours_are_their_own_until_reset(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    await done(
        client, BUSINESS_HOURS_SET, {"hours": hours(WEEKDAYS[:5], ("09:00", "17:00"))}, headers
    )
    service = await make_service(client, tenant)
    alice = await make_staff(client, tenant, "Alice", [service["id"]])

    own = await done(
        client,
        STAFF_HOURS_SET,
        {"staffId": alice["id"], "hours": hours(("SUNDAY",), ("10:00", "14:00"))},
        headers,
    )
    reset = await done(client, STAFF_HOURS_SET, {"staffId": alice["id"], "hours": None}, headers)

    assert own["staff"]["workingHours"] == [
        {"weekday": "SUNDAY", "opens": "10:00:00", "closes": "14:00:00"}
    ]
    assert reset["staff"]["usesBusinessHours"] is True
    assert [h["weekday"] for h in reset["staff"]["workingHours"]] == list(WEEKDAYS[:5])


async def test_closures_need_one_kind_of_range(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    monday = next_monday()
    friday = monday + timedelta(days=4)
    service = await make_service(client, tenant)
    alice = await make_staff(client, tenant, "Alice", [service["id"]])

    holiday = await done(
        client,
        CLOSURE_CREATE,
        {
            "input": {
                "startDate": friday.isoformat(),
                "endDate": friday.isoformat(),
                "reason": "Holiday",
            }
        },
        headers,
    )
    errand = await done(
        client,
        CLOSURE_CREATE,
        {
            "input": {
                "staffId": alice["id"],
                "startsAt": at(monday, "12:00"),
                "endsAt": at(monday, "13:00"),
                "reason": "Errand",
            }
        },
        headers,
    )
    refusals = [
        codes(await ok(client, CLOSURE_CREATE, {"input": spec}, headers))
        for spec in (
            {"reason": "nothing"},
            {"startDate": friday.isoformat(), "endDate": monday.isoformat()},
            {"startsAt": at(monday, "13:00"), "endsAt": at(monday, "12:00")},
            {
                "startDate": monday.isoformat(),
                "endDate": monday.isoformat(),
                "startsAt": at(monday, "12:00"),
                "endsAt": at(monday, "13:00"),
            },
        )
    ]
    upcoming = await ok(client, CLOSURES, {"after": at(monday, "14:00")}, headers)

    assert holiday["closure"]["staff"] is None
    assert errand["closure"]["staff"] == {"id": alice["id"]}
    assert refusals == [["INVALID_RANGE"]] * 4
    assert [node["reason"] for node in upcoming["nodes"]] == ["Holiday"]


async def test_reading_and_editing_need_their_scopes(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    viewer = await key_with_scopes(client, tenant, ["services:view"])
    booker = await key_with_scopes(client, tenant, ["appointments:view"])

    edit = await gql(
        client,
        SERVICE_CREATE,
        {"input": {"code": "X", "name": "X", "durationMinutes": 5, "price": price("1.00")}},
        viewer,
    )
    listing = await gql(client, SERVICES, {}, booker)
    appointments = await gql(client, "{ appointments(first: 5) { totalCount } }", {}, viewer)

    for body, scope in (
        (edit, "services:edit"),
        (listing, "services:view"),
        (appointments, "appointments:view"),
    ):
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["extensions"]["missingScopes"] == [scope]
