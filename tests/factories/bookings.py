"""Helpers of the bookings tests: services, staff, hours and customers made through GraphQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.conftest import TenantFixture, gql

NAIROBI = ZoneInfo("Africa/Nairobi")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
USER_ERRORS = "userErrors { field message code }"

SERVICE_FIELDS = """
id code name description durationMinutes price { amount currency }
bufferBeforeMinutes bufferAfterMinutes leadTimeMinutes active archived tags
"""

SERVICE_CREATE = f"""
mutation($input: ServiceCreateInput!) {{
  serviceCreate(input: $input) {{ service {{ {SERVICE_FIELDS} }} {USER_ERRORS} }}
}}
"""

STAFF_CREATE = f"""
mutation($input: StaffCreateInput!) {{
  staffCreate(input: $input) {{
    staff {{ id name active usesBusinessHours services {{ id code }} }} {USER_ERRORS}
  }}
}}
"""

BUSINESS_HOURS_SET = f"""
mutation($hours: [WorkingHoursInput!]!) {{
  businessHoursSet(input: {{hours: $hours}}) {{ hours {{ weekday opens closes }} {USER_ERRORS} }}
}}
"""

STAFF_HOURS_SET = f"""
mutation($staffId: ID!, $hours: [WorkingHoursInput!]) {{
  staffHoursSet(input: {{staffId: $staffId, hours: $hours}}) {{
    staff {{ id usesBusinessHours workingHours {{ weekday opens closes }} }} {USER_ERRORS}
  }}
}}
"""

CLOSURE_CREATE = f"""
mutation($input: ClosureCreateInput!) {{
  closureCreate(input: $input) {{
    closure {{ id startDate endDate startsAt endsAt reason staff {{ id }} }} {USER_ERRORS}
  }}
}}
"""

CLOSURE_DELETE = f"""
mutation($id: ID!) {{ closureDelete(input: {{id: $id}}) {{ deletedClosureId {USER_ERRORS} }} }}
"""

AVAILABILITY = """
query($serviceId: ID!, $from: DateTime!, $to: DateTime!, $staffId: ID, $variantId: ID) {
  availability(serviceId: $serviceId, from: $from, to: $to, staffId: $staffId,
               variantId: $variantId) {
    start end staff { id name }
  }
}
"""

APPOINTMENT_FIELDS = """
appointment {
  id status startsAt endsAt cancelReason notes price { amount currency }
  service { id name } variant { id name } staff { id name } customer { id name }
}
"""

BOOK = f"""
mutation($input: AppointmentBookInput!) {{
  appointmentBook(input: $input) {{ {APPOINTMENT_FIELDS} {USER_ERRORS} }}
}}
"""

CUSTOMER_CREATE = f"""
mutation($phone: String!, $name: String!) {{
  customerCreate(input: {{phone: $phone, name: $name}}) {{ customer {{ id }} {USER_ERRORS} }}
}}
"""

API_KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "partner", scopes: $scopes}) { secret userErrors { code } }
}
"""


async def ok(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """The one root field's data of an operation that must not fail at the top level."""
    body = await gql(client, query, variables, headers)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    return value


async def done(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """The payload of a mutation that must succeed."""
    payload = await ok(client, query, variables, headers)
    assert payload["userErrors"] == [], payload
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def next_monday(weeks_ahead: int = 2) -> date:
    """A Monday at least `weeks_ahead` weeks away in Nairobi: clear of any lead time."""
    today = datetime.now(NAIROBI).date()
    return today + timedelta(days=7 * weeks_ahead + (7 - today.weekday()) % 7)


def at(day: date, clock: str) -> str:
    """A Nairobi wall time on `day` as an ISO string with its offset."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=NAIROBI).isoformat()


def hours(days: tuple[str, ...], *intervals: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"weekday": day, "opens": opens, "closes": closes}
        for day in days
        for opens, closes in intervals
    ]


async def make_service(
    client: httpx.AsyncClient, tenant: TenantFixture, **fields: Any
) -> dict[str, Any]:
    spec = {
        "code": f"S-{uuid.uuid4().hex[:8]}",
        "name": "Haircut",
        "durationMinutes": 60,
        "price": {"amount": "1500.00", "currency": "KES"},
    } | fields
    payload = await done(client, SERVICE_CREATE, {"input": spec}, tenant.key_headers())
    return payload["service"]


async def make_staff(
    client: httpx.AsyncClient, tenant: TenantFixture, name: str, service_ids: list[str]
) -> dict[str, Any]:
    payload = await done(
        client,
        STAFF_CREATE,
        {"input": {"name": name, "serviceIds": service_ids}},
        tenant.key_headers(),
    )
    return payload["staff"]


async def set_business_hours(
    client: httpx.AsyncClient, tenant: TenantFixture, weekly: list[dict[str, str]]
) -> None:
    await done(client, BUSINESS_HOURS_SET, {"hours": weekly}, tenant.key_headers())


async def make_customer(client: httpx.AsyncClient, tenant: TenantFixture, name: str = "") -> str:
    phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
    payload = await done(
        client, CUSTOMER_CREATE, {"phone": phone, "name": name}, tenant.key_headers()
    )
    return payload["customer"]["id"]


async def key_with_scopes(
    client: httpx.AsyncClient, tenant: TenantFixture, scopes: list[str]
) -> dict[str, str]:
    """Headers of a new API key of `tenant` holding only `scopes`."""
    created = await ok(client, API_KEY_CREATE, {"scopes": scopes}, tenant.key_headers())
    return tenant.key_headers(created["secret"])


async def slots(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    service_id: str,
    start: str,
    end: str,
    **extra: Any,
) -> list[dict[str, Any]]:
    variables = {"serviceId": service_id, "from": start, "to": end} | extra
    return await ok(client, AVAILABILITY, variables, tenant.key_headers())


def starts(found: list[dict[str, Any]], staff_id: str | None = None) -> list[str]:
    """The local wall-clock start times (HH:MM) of slots, optionally of one staff member."""
    return [
        slot["start"][11:16]
        for slot in found
        if staff_id is None or slot["staff"]["id"] == staff_id
    ]


async def book(client: httpx.AsyncClient, tenant: TenantFixture, **fields: Any) -> dict[str, Any]:
    """The appointmentBook payload (successful or not)."""
    return await ok(client, BOOK, {"input": fields}, tenant.key_headers())


async def salon(
    client: httpx.AsyncClient, tenant: TenantFixture, **service_fields: Any
) -> dict[str, Any]:
    """A service, two staff who perform it and Monday-to-Saturday hours 09:00-17:00."""
    service = await make_service(client, tenant, **service_fields)
    alice = await make_staff(client, tenant, "Alice", [service["id"]])
    brian = await make_staff(client, tenant, "Brian", [service["id"]])
    await set_business_hours(client, tenant, hours(WEEKDAYS[:6], ("09:00", "17:00")))
    return {"service": service, "alice": alice, "brian": brian}
