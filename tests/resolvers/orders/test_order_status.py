"""The order lifecycle: allowed steps, typed refusals, history and outbox events."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.orders import (
    CANCEL,
    MARK_PAID,
    REFUND,
    UPDATE_STATUS,
    make_product,
    ok,
    place_order,
    product_stock,
    ref,
)
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.core.tenant import tenant_context
from wabotiq.db.outbox import OutboxEvent

HISTORY = "query($id: ID!) { order(id: $id) { status paidAt shippedAt history { toStatus } } }"


async def _events(tenant: TenantFixture, order_id: str) -> list[tuple[str, dict[str, Any]]]:
    with tenant_context(ref(tenant)):
        rows = await OutboxEvent.filter(
            aggregate_type="order", aggregate_id=str(uuid_from_global_id(order_id, "Order"))
        ).order_by("id")
    return [(row.event_type, row.payload) for row in rows]


async def test_an_order_walks_its_lifecycle(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=2)
    order = await place_order(client, tenant, product["id"])

    paid = await ok(client, MARK_PAID, {"id": order["id"]}, headers)
    assert paid["order"]["status"] == "PAID"
    for status in ("PROCESSING", "SHIPPED", "DELIVERED"):
        moved = await ok(client, UPDATE_STATUS, {"id": order["id"], "status": status}, headers)
        assert moved["userErrors"] == [], moved
        assert moved["order"]["status"] == status
    refunded = await ok(client, REFUND, {"id": order["id"]}, headers)
    assert refunded["order"]["status"] == "REFUNDED"
    assert await product_stock(tenant, product["uuid"]) == 1  # the goods had left

    shown = await ok(client, HISTORY, {"id": order["id"]}, headers)
    assert shown["paidAt"] is not None and shown["shippedAt"] is not None
    assert [h["toStatus"] for h in shown["history"]] == [
        "PENDING_PAYMENT", "PAID", "PROCESSING", "SHIPPED", "DELIVERED", "REFUNDED",
    ]  # fmt: skip
    events = await _events(tenant, order["id"])
    assert events[0][0] == "created"
    assert events[0][1]["status"] == "pending_payment"
    assert [(p["from"], p["to"]) for kind, p in events[1:] if kind == "status_changed"] == [
        ("pending_payment", "paid"),
        ("paid", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "refunded"),
    ]


async def test_illegal_transitions_are_typed_user_errors(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=5)
    order = await place_order(client, tenant, product["id"])

    cases = [
        (UPDATE_STATUS, {"status": "SHIPPED"}, "pending_payment", "shipped"),
        (REFUND, {}, "pending_payment", "refunded"),
        (UPDATE_STATUS, {"status": "PENDING_PAYMENT"}, "pending_payment", "pending_payment"),
    ]
    for query, extra, from_status, to_status in cases:
        refused = await ok(client, query, {"id": order["id"], **extra}, headers)
        assert refused["order"] is None
        (error,) = refused["userErrors"]
        assert error["code"] == "INVALID_TRANSITION"
        assert error["field"] == ["input", "status"]
        assert f"from {from_status} to {to_status}" in error["message"]
        assert order["number"] in error["message"]

    await ok(client, MARK_PAID, {"id": order["id"]}, headers)
    await ok(client, UPDATE_STATUS, {"id": order["id"], "status": "PROCESSING"}, headers)
    await ok(client, UPDATE_STATUS, {"id": order["id"], "status": "SHIPPED"}, headers)
    late = await ok(client, CANCEL, {"id": order["id"]}, headers)
    assert [e["code"] for e in late["userErrors"]] == ["INVALID_TRANSITION"]
    assert "from shipped to cancelled" in late["userErrors"][0]["message"]
    back = await ok(client, MARK_PAID, {"id": order["id"]}, headers)
    assert "from shipped to paid" in back["userErrors"][0]["message"]

    events = await _events(tenant, order["id"])
    # Refusals leave no event.
    changes = [p["to"] for kind, p in events if kind == "status_changed"]
    assert changes == ["paid", "processing", "shipped"]
    assert await product_stock(tenant, product["uuid"]) == 4


async def test_refunding_goods_that_never_left_restocks_them(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=2)
    order = await place_order(client, tenant, product["id"], 2)
    await ok(client, MARK_PAID, {"id": order["id"]}, headers)
    refunded = await ok(client, REFUND, {"id": order["id"]}, headers)
    assert refunded["order"]["status"] == "REFUNDED"
    assert await product_stock(tenant, product["uuid"]) == 2
    cancelled = await ok(client, CANCEL, {"id": order["id"]}, headers)
    assert [e["code"] for e in cancelled["userErrors"]] == ["INVALID_TRANSITION"]
    assert await product_stock(tenant, product["uuid"]) == 2


async def test_unknown_orders_are_not_found(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    other = await make_tenant()
    product = await make_product(other, stock=2)
    theirs = await place_order(client, other, product["id"])
    refused = await ok(client, MARK_PAID, {"id": theirs["id"]}, tenant.key_headers())
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    shown = await ok(client, HISTORY, {"id": theirs["id"]}, tenant.key_headers())
    assert shown is None
