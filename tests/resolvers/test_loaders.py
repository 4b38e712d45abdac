"""Each request, and each event of a subscription, reads its relations through loaders of its
own: nothing one request (or event) loaded is served to the next, in any area."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant
from tests.factories.orders import (
    CHECKOUT,
    MARK_PAID,
    add_line,
    make_customer,
    make_product,
    ok,
)
from tests.support.sockets import acknowledged, listening, next_events, socket

RELATED = "customer { name } lines { product { name } variant { sku } }"
ORDER = f"query($id: ID!) {{ order(id: $id) {{ {RELATED} }} }}"
EVENTS = f"subscription {{ orderEvents {{ status order {{ {RELATED} }} }} }}"
RENAME_CUSTOMER = """
mutation($id: ID!, $name: String!) {
  customerUpdate(input: {id: $id, name: $name}) { userErrors { code } }
}
"""
RENAME_PRODUCT = """
mutation($id: ID!, $name: String!) {
  productUpdate(input: {id: $id, name: $name}) { userErrors { code } }
}
"""


async def _renamed(
    client: httpx.AsyncClient, headers: dict[str, str], customer: str, product: str
) -> None:
    """The customer (an area of its own) and the product (the catalog) get new names."""
    renamed = await ok(client, RENAME_CUSTOMER, {"id": customer, "name": "Amina W."}, headers)
    assert renamed["userErrors"] == []
    renamed = await ok(client, RENAME_PRODUCT, {"id": product, "name": "Phone X"}, headers)
    assert renamed["userErrors"] == []


def _related(customer: str, product: str) -> dict[str, Any]:
    return {
        "customer": {"name": customer},
        "lines": [{"product": {"name": product}, "variant": None}],
    }


async def test_each_request_loads_relations_afresh(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=5, name="Phone")
    customer = await make_customer(client, tenant, name="Amina")
    await add_line(client, tenant, customer, product["id"])
    order = (await ok(client, CHECKOUT, {"customerId": customer}, headers))["order"]

    before = await ok(client, ORDER, {"id": order["id"]}, headers)
    await _renamed(client, headers, customer, product["id"])
    after = await ok(client, ORDER, {"id": order["id"]}, headers)

    # Loaders kept from one request to the next would show the old names.
    assert before == _related("Amina", "Phone")
    assert after == _related("Amina W.", "Phone X")


async def test_each_subscription_event_loads_relations_afresh(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=5, name="Phone")
    customer = await make_customer(client, tenant, name="Amina")
    async with socket(app, headers) as ws:
        await acknowledged(ws)
        await ws.send_json({"id": "all", "type": "subscribe", "payload": {"query": EVENTS}})
        await listening(app, tenant, 1)
        await add_line(client, tenant, customer, product["id"])
        order = (await ok(client, CHECKOUT, {"customerId": customer}, headers))["order"]
        (created,) = await next_events(ws, 1)
        await _renamed(client, headers, customer, product["id"])
        await ok(client, MARK_PAID, {"id": order["id"]}, headers)
        (paid,) = await next_events(ws, 1)

    # One socket's context serves every event: its loaders are replaced for each event.
    first, second = (m["payload"]["data"]["orderEvents"] for m in (created, paid))
    assert (first["status"], first["order"]) == ("PENDING_PAYMENT", _related("Amina", "Phone"))
    assert (second["status"], second["order"]) == ("PAID", _related("Amina W.", "Phone X"))
