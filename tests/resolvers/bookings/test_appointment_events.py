"""Live appointment events through a real WebSocket client (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

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
DEADLINE_S = 1.0


@asynccontextmanager
async def socket(app: Any, headers: dict[str, str]) -> AsyncIterator[AsyncWebSocketSession]:
    """A graphql-transport-ws connection, authenticated in `connection_init`, subscribed."""
    transport = ASGIWebSocketTransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": headers})
            ack = await ws.receive_json(timeout=5)
            assert ack["type"] == "connection_ack", ack
            await ws.send_json(
                {"id": "1", "type": "subscribe", "payload": {"query": APPOINTMENT_EVENTS}}
            )
            yield ws


async def listening(app: Any, tenant: TenantFixture) -> None:
    """Wait until a subscription of the tenant listens on its appointment channel (the
    protocol does not acknowledge subscriptions)."""
    bus = app.state.runtime.bus
    for _ in range(500):
        if await bus.subscriber_count(channel(tenant.id, "appointment")):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the subscription never started listening")


async def dispatched(tenant: TenantFixture) -> None:
    """Wait until every event so far has gone out, so a new subscriber cannot receive it."""
    with tenant_context(TenantRef(id=tenant.id, schema=schema_for(tenant.id))):
        for _ in range(500):
            if not await OutboxEvent.filter(dispatched_at__isnull=True).exists():
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the outbox was never dispatched")


async def next_event(ws: AsyncWebSocketSession) -> dict[str, Any]:
    """The next message, within the deadline; it must be an appointment event."""
    message = await ws.receive_json(timeout=DEADLINE_S)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
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
    headers = tenant.key_headers()

    async with socket(app, partner) as ws, socket(app, outsider_key) as outsider:
        await listening(app, tenant)
        await listening(app, other)
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

        with pytest.raises(TimeoutError):
            await outsider.receive_json(timeout=0.3)

    assert first["eventType"] == "BOOKED"
    assert first["appointment"]["id"] == appointment_id
    assert first["appointment"]["service"] == {"name": "Haircut"}
    assert first["appointment"]["customer"] == {"name": "Achieng"}
    assert second["eventType"] == "RESCHEDULED"
    assert second["appointment"]["staff"] == {"name": "Brian"}
    assert third["eventType"] == "CANCELLED"
    assert third["appointment"]["status"] == "CANCELLED"
    assert third["appointment"]["cancelReason"] == "Rain"


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

    async with socket(app, tenant.key_headers()) as ws:
        await listening(app, tenant)
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

    async with socket(app, headers) as ws:
        await listening(app, tenant)
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

    async with socket(app, services_only) as ws:
        refusal = await ws.receive_json(timeout=DEADLINE_S)

    errors = refusal["payload"] if refusal["type"] == "error" else refusal["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["missingScopes"] == ["appointments:view"]
    assert await app.state.runtime.bus.subscriber_count(channel(tenant.id, "appointment")) == 0
