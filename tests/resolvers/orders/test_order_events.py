"""Live order events through a real WebSocket client (graphql-transport-ws) against the app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect

from tests.conftest import MakeTenant
from tests.factories.orders import (
    CHECKOUT,
    MARK_PAID,
    add_line,
    key_with_scopes,
    make_customer,
    make_product,
    ok,
    place_order,
    subscribe,
)
from tests.support.polling import DEADLINE_S
from tests.support.sockets import acknowledged, listening, next_events, socket
from wabotiq.db.outbox import channel

RENAME = """
mutation($id: ID!, $name: String!) {
  customerUpdate(input: {id: $id, name: $name}) { userErrors { code } }
}
"""


async def test_partner_key_sees_its_orders_created_and_paid_live(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    other = await make_tenant()
    product = await make_product(tenant, stock=5)
    partner = await key_with_scopes(client, tenant, ["orders:view"])
    other_partner = await key_with_scopes(client, other, ["orders:view"])

    async with socket(app, partner) as ws, socket(app, other_partner) as outsider:
        await acknowledged(ws)
        await acknowledged(outsider)
        await subscribe(ws, "all")
        await subscribe(ws, "paid-only", ["PAID"])
        await subscribe(outsider, "theirs")
        await listening(app, tenant, 2)
        await listening(app, other, 1)

        order = await place_order(client, tenant, product["id"], 2)
        (created,) = await next_events(ws, 1)
        assert created["id"] == "all"
        event = created["payload"]["data"]["orderEvents"]
        assert event["eventType"] == "CREATED"
        assert event["status"] == "PENDING_PAYMENT"
        assert event["previousStatus"] is None
        assert event["order"]["id"] == order["id"]
        assert event["order"]["number"] == order["number"]
        assert event["order"]["lines"] == [{"sku": product["sku"], "quantity": 2}]

        paid = await ok(client, MARK_PAID, {"id": order["id"]}, tenant.key_headers())
        assert paid["userErrors"] == []
        both = {m["id"]: m["payload"]["data"]["orderEvents"] for m in await next_events(ws, 2)}
        assert set(both) == {"all", "paid-only"}
        for event in both.values():
            assert event["eventType"] == "STATUS_CHANGED"
            assert (event["previousStatus"], event["status"]) == ("PENDING_PAYMENT", "PAID")
            assert event["order"]["status"] == "PAID"

        # The other tenant's partner, subscribed all along, saw none of it: the first event it
        # receives is its own tenant's new order (a fixed wait could miss a late leak) ...
        theirs = await place_order(client, other, (await make_product(other))["id"])
        (mine,) = await next_events(outsider, 1)
        assert mine["payload"]["data"]["orderEvents"]["order"]["id"] == theirs["id"]
        # ... and the partner's next event is its own tenant's next order, not the other's.
        again = await place_order(client, tenant, product["id"])
        (own,) = await next_events(ws, 1)
        assert own["id"] == "all"
        assert own["payload"]["data"]["orderEvents"]["order"]["id"] == again["id"]


async def test_each_event_loads_its_data_afresh(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=5)
    customer = await make_customer(client, tenant, name="Amina")
    async with socket(app, headers) as ws:
        await acknowledged(ws)
        await subscribe(ws, "all")
        await listening(app, tenant, 1)
        await add_line(client, tenant, customer, product["id"])
        order = (await ok(client, CHECKOUT, {"customerId": customer}, headers))["order"]
        (created,) = await next_events(ws, 1)
        renamed = await ok(client, RENAME, {"id": customer, "name": "Amina W."}, headers)
        assert renamed["userErrors"] == []
        await ok(client, MARK_PAID, {"id": order["id"]}, headers)
        (paid,) = await next_events(ws, 1)
    # Loaders cached across events would show the old name in the second event.
    assert created["payload"]["data"]["orderEvents"]["order"]["customer"]["name"] == "Amina"
    assert paid["payload"]["data"]["orderEvents"]["order"]["customer"]["name"] == "Amina W."


async def test_key_without_orders_view_is_refused(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    catalog_only = await key_with_scopes(client, tenant, ["catalog:view"])
    async with socket(app, catalog_only) as ws:
        await acknowledged(ws)
        await subscribe(ws, "sneaky")
        refusal = await ws.receive_json(timeout=DEADLINE_S)
        assert refusal["id"] == "sneaky"
        errors = refusal["payload"] if refusal["type"] == "error" else refusal["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert errors[0]["extensions"]["missingScopes"] == ["orders:view"]
        assert refusal["payload"].get("data") is None
        if refusal["type"] == "next":
            done = await ws.receive_json(timeout=DEADLINE_S)
            assert done == {"id": "sneaky", "type": "complete"}
    assert await app.state.runtime.bus.subscriber_count(channel(tenant.id, "order")) == 0


async def test_unauthenticated_socket_is_closed(app: Any, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    async with socket(app, tenant.key_headers("wbk_not-a-real-key-0123456789abcdef")) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=DEADLINE_S)
    assert closed.value.code == 4403
