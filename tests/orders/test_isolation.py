"""A principal of tenant A, knowing B's customer, product, cart line and order IDs, gets nothing
of B's and changes nothing of B's through any customers, carts or orders field."""

from __future__ import annotations

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.orders.factories import (
    CANCEL,
    CART_ADD_LINE,
    CHECKOUT,
    MARK_PAID,
    REFUND,
    UPDATE_STATUS,
    add_line,
    make_customer,
    make_product,
    ok,
    place_order,
    product_stock,
)

QUERIES = {
    "customer": "query($id: ID!) { customer(id: $id) { id phone } }",
    "order": "query($id: ID!) { order(id: $id) { id number } }",
    "cart": "query($id: ID!) { cart(customerId: $id) { id } }",
}
CUSTOMER_UPDATE = """
mutation($id: ID!) {
  customerUpdate(input: {id: $id, name: "pwned"}) { customer { id } userErrors { code } }
}
"""
UPDATE_LINE = """
mutation($id: ID!) {
  cartUpdateLine(input: {lineId: $id, quantity: 2}) { cart { id } userErrors { code } }
}
"""
REMOVE_LINE = """
mutation($id: ID!) { cartRemoveLine(input: {lineId: $id}) { cart { id } userErrors { code } } }
"""


async def test_tenant_a_gets_nothing_of_b_by_global_id(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    b_product = await make_product(b, stock=5)
    b_order = await place_order(client, b, b_product["id"])
    b_customer = await make_customer(client, b, name="B's customer")
    b_cart = (await add_line(client, b, b_customer, b_product["id"]))["cart"]
    b_line = b_cart["lines"][0]["id"]
    a_customer = await make_customer(client, a)

    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for field, query in QUERIES.items():
            for global_id in (b_customer, b_order["id"]):
                body = await gql(client, query, {"id": global_id}, headers)
                assert "errors" not in body, body  # B's IDs, of any type, name nothing here
                assert body["data"][field] is None, (field, body)
        listed = await ok(
            client,
            "query($id: ID!) { orders(filter: {customerId: $id}, first: 5) { totalCount } }",
            {"id": b_customer},
            headers,
        )
        assert listed["totalCount"] == 0

        mutations = [
            (CUSTOMER_UPDATE, {"id": b_customer}),
            (UPDATE_LINE, {"id": b_line}),
            (REMOVE_LINE, {"id": b_line}),
            (CHECKOUT, {"customerId": b_customer}),
            (MARK_PAID, {"id": b_order["id"]}),
            (UPDATE_STATUS, {"id": b_order["id"], "status": "PAID"}),
            (CANCEL, {"id": b_order["id"]}),
            (REFUND, {"id": b_order["id"]}),
        ]
        for query, variables in mutations:
            payload = await ok(client, query, variables, headers)
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (query, payload)
            assert all(v is None for k, v in payload.items() if k != "userErrors"), payload
        for customer, product in ((b_customer, b_product["id"]), (a_customer, b_product["id"])):
            added = await ok(
                client,
                CART_ADD_LINE,
                {"customerId": customer, "productId": product},
                headers,
            )
            assert [e["code"] for e in added["userErrors"]] == ["NOT_FOUND"], added
            assert added["cart"] is None

    # B's data is as it was.
    b_headers = b.key_headers()
    order = await ok(
        client, "query($id: ID!) { order(id: $id) { status } }", {"id": b_order["id"]}, b_headers
    )
    assert order["status"] == "PENDING_PAYMENT"
    cart = await ok(
        client,
        "query($id: ID!) { cart(customerId: $id) { lines { quantity } customer { name } } }",
        {"id": b_customer},
        b_headers,
    )
    assert cart == {"lines": [{"quantity": 1}], "customer": {"name": "B's customer"}}
    assert await product_stock(b, b_product["uuid"]) == 4
