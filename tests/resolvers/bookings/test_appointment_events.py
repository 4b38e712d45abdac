"""Live appointment events through a real WebSocket client (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.bookings import (
    at,
    book,
    done,
    key_with_scopes,
    make_customer,
    next_monday,
    salon,
)
from tests.support.polling import DEADLINE_S, eventually
from tests.support.sockets import acknowledged, listening, next_events, socket
from wabotiq.core.tenant import TenantRef, schema_for, tenant_context
from wabotiq.db.outbox import OutboxEvent, channel

APPOINTMENT_EVENTS = """
subscription {
  appointmentEvents {
    eventType occurredAt
    appointment { id status startsAt cancelReason service { name } staff { name }
                  customer { name } }
  }
}
"""
RESCHEDULE = """
mutation($id: ID!, $startsAt: DateTime!, $staffId: ID) {
  appointmentReschedule(input: {id: $id, startsAt: $startsAt, staffId: $staffId}) {
    userErrors { code }
  }
}
"""
CANCEL = """
mutation($id: ID!) {
  appointmentCancel(input: {id: $id, reason: "Rain"}) { userErrors { code } }
}
"""
COMPLETE = "mutation($id: ID!) { appointmentComplete(input: {id: $id}) { userErrors { code } } }"
NO_SHOW = "mutation($id: ID!) { appointmentMarkNoShow(input: {id: $id}) { userErrors { code } } }"
STAFF_RENAME = """
mutation($id: ID!, $name: String!) {
  staffUpdate(input: {id: $id, name: $name}) { userErrors { code } }
}
"""


@asynccontextmanager
async def subscribed(app: Any, headers: dict[str, str]) -> AsyncIterator[AsyncWebSocketSession]:
    """A graphql-transport-ws connection, authenticated in `connection_init`, subscribed."""
    async with socket(app, headers) as ws:
        await acknowledged(ws)
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": APPOINTMENT_EVENTS}}
        )
        yield ws


async def listening_to_appointments(app: Any, tenant: TenantFixture) -> None:
    await listening(app, tenant, 1, aggregate="appointment")


async def dispatched(tenant: TenantFixture) -> None:
    """Wait until every event so far has gone out, so a new subscriber cannot receive it."""

    async def none_pending() -> bool:
        with tenant_context(TenantRef(id=tenant.id, schema=schema_for(tenant.id))):
            return not await OutboxEvent.filter(dispatched_at__isnull=True).exists()

    await eventually(none_pending, "the outbox dispatched")


async def next_event(ws: AsyncWebSocketSession) -> dict[str, Any]:
    """The next message, within the deadline; it must be an appointment event."""
    (message,) = await next_events(ws, 1)
    return message["payload"]["data"]["appointmentEvents"]


async def test_partner_key_sees_its_appointments_change_live(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant, other = await make_tenant(), await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    customer = await make_customer(client, tenant, "Achieng")
    partner = await key_with_scopes(client, tenant, ["appointments:view"])
    outsider_key = await key_with_scopes(client, other, ["appointments:view"])
    other_setup = await salon(client, other)
    other_customer = await make_customer(client, other, "Baraka")
    headers = tenant.key_headers()

    async with subscribed(app, partner) as ws, subscribed(app, outsider_key) as outsider:
        await listening_to_appointments(app, tenant)
        await listening_to_appointments(app, other)
        booked = await book(
            client,
            tenant,
            customerId=customer,
            serviceId=setup["service"]["id"],
            staffId=setup["alice"]["id"],
            startsAt=at(monday, "10:00"),
        )
        appointment_id = booked["appointment"]["id"]
        first = await next_event(ws)
        await done(
            client,
            RESCHEDULE,
            {
                "id": appointment_id,
                "startsAt": at(monday, "11:00"),
                "staffId": setup["brian"]["id"],
            },
            headers,
        )
        second = await next_event(ws)
        await done(client, CANCEL, {"id": appointment_id}, headers)
        third = await next_event(ws)

        # The other tenant's partner, subscribed all along, saw none of it: the first event it
        # receives is the one its own tenant makes now (a fixed wait could miss a late leak).
        theirs = await book(
            client,
            other,
            customerId=other_customer,
            serviceId=other_setup["service"]["id"],
            staffId=other_setup["alice"]["id"],
            startsAt=at(monday, "10:00"),
        )
        own = await next_event(outsider)

    assert first["eventType"] == "BOOKED"
    assert first["appointment"]["id"] == appointment_id
    assert first["appointment"]["service"] == {"name": "Haircut"}
    assert first["appointment"]["customer"] == {"name": "Achieng"}
    assert second["eventType"] == "RESCHEDULED"
    assert second["appointment"]["staff"] == {"name": "Brian"}
    assert third["eventType"] == "CANCELLED"
    assert third["appointment"]["status"] == "CANCELLED"
    assert third["appointment"]["cancelReason"] == "Rain"
    assert (own["eventType"], own["appointment"]["id"]) == ("BOOKED", theirs["appointment"]["id"])


async def test_completed_and_no_show_events_arrive(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    customer = await make_customer(client, tenant)
    ids = []
    for clock in ("10:00", "12:00"):
        result = await book(
            client,
            tenant,
            customerId=customer,
            serviceId=setup["service"]["id"],
            staffId=setup["alice"]["id"],
            startsAt=at(monday, clock),
        )
        ids.append(result["appointment"]["id"])
    await dispatched(tenant)

    async with subscribed(app, tenant.key_headers()) as ws:
        await listening_to_appointments(app, tenant)
        await done(client, COMPLETE, {"id": ids[0]}, tenant.key_headers())
        completed = await next_event(ws)
        await done(client, NO_SHOW, {"id": ids[1]}, tenant.key_headers())
        missed = await next_event(ws)

    assert (completed["eventType"], completed["appointment"]["id"]) == ("COMPLETED", ids[0])
    assert (missed["eventType"], missed["appointment"]["status"]) == ("NO_SHOW", "NO_SHOW")


async def test_each_event_loads_its_data_afresh(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    setup = await salon(client, tenant)
    monday = next_monday()
    customer = await make_customer(client, tenant)
    headers = tenant.key_headers()

    async with subscribed(app, headers) as ws:
        await listening_to_appointments(app, tenant)
        booked = await book(
            client,
            tenant,
            customerId=customer,
            serviceId=setup["service"]["id"],
            staffId=setup["alice"]["id"],
            startsAt=at(monday, "10:00"),
        )
        first = await next_event(ws)
        await done(client, STAFF_RENAME, {"id": setup["alice"]["id"], "name": "Alice W."}, headers)
        await done(client, COMPLETE, {"id": booked["appointment"]["id"]}, headers)
        second = await next_event(ws)

    # Loaders cached across events would show the old name in the second event.
    assert first["appointment"]["staff"] == {"name": "Alice"}
    assert second["appointment"]["staff"] == {"name": "Alice W."}


async def test_key_without_appointments_view_is_refused(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    services_only = await key_with_scopes(client, tenant, ["services:view"])

    async with subscribed(app, services_only) as ws:
        refusal = await ws.receive_json(timeout=DEADLINE_S)

    errors = refusal["payload"] if refusal["type"] == "error" else refusal["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["missingScopes"] == ["appointments:view"]
    assert await app.state.runtime.bus.subscriber_count(channel(tenant.id, "appointment")) == 0
