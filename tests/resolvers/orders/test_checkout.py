"""Checkout: a cart becomes a numbered order and its stock is reserved, atomically."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import MakeTenant, gql
from tests.factories.orders import (
    CANCEL,
    CHECKOUT,
    add_line,
    key_with_scopes,
    make_customer,
    make_product,
    ok,
    place_order,
    product_stock,
)

CART = "query($customerId: ID!) { cart(customerId: $customerId) { id } }"
ORDER = """
query($id: ID!) {
  order(id: $id) {
    number status notes customer { id }
    history { fromStatus toStatus note }
    lines { sku name quantity unitPrice { amount currency } lineTotal { amount } }
  }
}
"""


async def test_checkout_turns_the_cart_into_a_pending_order(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    customer = await make_customer(client, tenant)
    phone = await make_product(tenant, price="15000.00", sale_price="13999.50", stock=4)
    case = await make_product(tenant, price="350.00", stock=10, name="Case")
    await add_line(client, tenant, customer, phone["id"], 2)
    await add_line(client, tenant, customer, case["id"], 3)

    result = await ok(client, CHECKOUT, {"customerId": customer}, headers)
    assert result["userErrors"] == []
    order = result["order"]
    assert order["number"] == "WB-000001"
    assert order["status"] == "PENDING_PAYMENT"
    assert order["total"] == {"amount": "29049.00", "currency": "KES"}
    assert order["subtotal"] == order["total"]
    assert [
        (line["sku"], line["quantity"], line["unitPrice"]["amount"]) for line in order["lines"]
    ] == [
        (phone["sku"], 2, "13999.50"),
        (case["sku"], 3, "350.00"),
    ]
    assert order["lines"][1]["lineTotal"] == {"amount": "1050.00"}

    assert await product_stock(tenant, phone["uuid"]) == 2
    assert await product_stock(tenant, case["uuid"]) == 7
    assert await ok(client, CART, {"customerId": customer}, headers) is None
    again = await ok(client, CHECKOUT, {"customerId": customer}, headers)
    assert [e["code"] for e in again["userErrors"]] == ["CART_EMPTY"]

    shown = await ok(client, ORDER, {"id": order["id"]}, headers)
    assert shown["customer"]["id"] == customer
    assert shown["history"] == [{"fromStatus": None, "toStatus": "PENDING_PAYMENT", "note": ""}]
    second = await place_order(client, tenant, case["id"])
    assert second["number"] == "WB-000002"


async def test_last_unit_race_has_exactly_one_winner(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    product = await make_product(tenant, stock=1)
    customers = [await make_customer(client, tenant) for _ in range(50)]
    for customer in customers:
        added = await add_line(client, tenant, customer, product["id"])
        assert added["userErrors"] == []

    results = await asyncio.gather(
        *(
            ok(client, CHECKOUT, {"customerId": customer}, tenant.key_headers())
            for customer in customers
        )
    )

    winners = [r["order"] for r in results if r["order"] is not None]
    losers = [r["userErrors"] for r in results if r["order"] is None]
    assert len(winners) == 1
    assert winners[0]["number"] == "WB-000001"
    assert len(losers) == 49
    assert all([e["code"] for e in errors] == ["OUT_OF_STOCK"] for errors in losers)
    assert await product_stock(tenant, product["uuid"]) == 0
    # The losers' carts are intact, ready for when stock returns.
    kept = [await ok(client, CART, {"customerId": c}, tenant.key_headers()) for c in customers]
    assert sum(cart is None for cart in kept) == 1


async def test_order_numbers_are_unique_and_sequential_under_concurrency(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    other = await make_tenant()
    product = await make_product(tenant, stock=100)
    theirs = await make_product(other, stock=100)
    customers = [await make_customer(client, tenant) for _ in range(30)]
    for customer in customers:
        await add_line(client, tenant, customer, product["id"])

    results = await asyncio.gather(
        *(
            ok(client, CHECKOUT, {"customerId": customer}, tenant.key_headers())
            for customer in customers
        ),
        place_order(client, other, theirs["id"]),
    )

    numbers = sorted(r["order"]["number"] for r in results[:-1])
    assert numbers == [f"WB-{n:06d}" for n in range(1, 31)]
    assert results[-1]["number"] == "WB-000001"  # each tenant counts its own orders
    assert await product_stock(tenant, product["uuid"]) == 70


async def test_cancelling_puts_the_stock_back(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=3)
    order = await place_order(client, tenant, product["id"], 3)
    assert await product_stock(tenant, product["uuid"]) == 0
    sold_out = await make_customer(client, tenant)
    refused = await add_line(client, tenant, sold_out, product["id"])
    assert [e["code"] for e in refused["userErrors"]] == ["OUT_OF_STOCK"]

    cancelled = await ok(client, CANCEL, {"id": order["id"], "reason": "changed mind"}, headers)
    assert cancelled["userErrors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert await product_stock(tenant, product["uuid"]) == 3

    twice = await ok(client, CANCEL, {"id": order["id"]}, headers)
    assert [e["code"] for e in twice["userErrors"]] == ["INVALID_TRANSITION"]
    assert await product_stock(tenant, product["uuid"]) == 3
    shown = await ok(client, ORDER, {"id": order["id"]}, headers)
    assert shown["history"][-1] == {
        "fromStatus": "PENDING_PAYMENT",
        "toStatus": "CANCELLED",
        "note": "changed mind",
    }
    again = await place_order(client, tenant, product["id"], 3)
    assert again["number"] == "WB-000002"


async def test_checkout_needs_orders_edit(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    viewer = await key_with_scopes(client, tenant, ["orders:view"])
    body = await gql(client, CHECKOUT, {"customerId": customer}, viewer)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["missingScopes"] == ["orders:edit"]
