"""A principal of tenant A, knowing B's customer, product, variant, cart line and order IDs, gets
nothing of B's and changes nothing of B's through any customers, carts or orders field: each
answers exactly as it does for an ID that exists nowhere."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.factories.orders import (
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
from tests.support.id_coverage import root_fields
from wabotiq.domain.catalog.service import VariantSpec
from wabotiq.graphql.relay import to_global_id

QUERIES = {
    "customer": "query($id: ID!) { customer(id: $id) { id phone } }",
    "order": "query($id: ID!) { order(id: $id) { id number } }",
    "cart": "query($id: ID!) { cart(customerId: $id) { id } }",
    "orders": """
      query($id: ID!) { orders(filter: {customerId: $id}, first: 5) { totalCount nodes { id } } }
    """,
}
CUSTOMER_UPDATE = """
mutation($id: ID!) {
  customerUpdate(input: {id: $id, name: "pwned"}) {
    customer { id } userErrors { field message code }
  }
}
"""
UPDATE_LINE = """
mutation($id: ID!) {
  cartUpdateLine(input: {lineId: $id, quantity: 2}) {
    cart { id } userErrors { field message code }
  }
}
"""
REMOVE_LINE = """
mutation($id: ID!) {
  cartRemoveLine(input: {lineId: $id}) { cart { id } userErrors { field message code } }
}
"""
MUTATIONS = (
    CUSTOMER_UPDATE, UPDATE_LINE, REMOVE_LINE, CHECKOUT, MARK_PAID, UPDATE_STATUS, CANCEL, REFUND,
    CART_ADD_LINE,
)  # fmt: skip
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(*QUERIES.values(), *MUTATIONS)

SNAPSHOT = """
query($customer: ID!, $order: ID!, $product: ID!) {
  customers(first: 50) { totalCount nodes { id name phone tags notes optedOut updatedAt } }
  orders(first: 50) { totalCount nodes { id number status updatedAt total { amount } } }
  order(id: $order) { status lines { sku quantity } }
  cart(customerId: $customer) { id updatedAt lines { id quantity } customer { name } }
  product(id: $product) { stock variants { id stock } }
}
"""
VARIANTS = "query($id: ID!) { product(id: $id) { variants { id } } }"


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


async def _data(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    body = await gql(client, query, variables, headers)
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def test_tenant_a_gets_nothing_of_b_by_global_id(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    b_product = await make_product(b, stock=5)
    b_order = await place_order(client, b, b_product["id"])
    b_customer = await make_customer(client, b, name="B's customer")
    b_cart = (await add_line(client, b, b_customer, b_product["id"]))["cart"]
    b_line = b_cart["lines"][0]["id"]
    b_sized = await make_product(b, variants=[VariantSpec(sku=f"B-{b.id}-M", stock=4)])
    (b_variant,) = (await ok(client, VARIANTS, {"id": b_sized["id"]}, b.key_headers()))["variants"]
    a_customer = await make_customer(client, a)
    a_product = await make_product(a, stock=5)
    a_sized = await make_product(a, variants=[VariantSpec(sku=f"A-{a.id}-M", stock=4)])

    b_headers = b.key_headers()
    b_snapshot = {"customer": b_customer, "order": b_order["id"], "product": b_sized["id"]}
    b_before = await _data(client, SNAPSHOT, b_snapshot, b_headers)

    def attacks(
        customer: str, order: str, line: str, product: str, variant: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Each operation with B's IDs (or, to compare, made-up IDs of the same types)."""
        return [
            *((query, {"id": customer}) for query in QUERIES.values()),
            *((query, {"id": order}) for query in QUERIES.values()),
            (CUSTOMER_UPDATE, {"id": customer}),
            (UPDATE_LINE, {"id": line}),
            (REMOVE_LINE, {"id": line}),
            (CHECKOUT, {"customerId": customer}),
            (MARK_PAID, {"id": order}),
            (UPDATE_STATUS, {"id": order, "status": "PAID"}),
            (CANCEL, {"id": order}),
            (REFUND, {"id": order}),
            (CART_ADD_LINE, {"customerId": customer, "productId": product}),
            (CART_ADD_LINE, {"customerId": customer, "productId": a_product["id"]}),
            (CART_ADD_LINE, {"customerId": a_customer, "productId": product}),
            (CART_ADD_LINE, {"customerId": a_customer, "productId": product, "variantId": variant}),
            (
                CART_ADD_LINE,
                {"customerId": a_customer, "productId": a_sized["id"], "variantId": variant},
            ),
        ]

    with_b_ids = attacks(b_customer, b_order["id"], b_line, b_sized["id"], b_variant["id"])
    made_up = attacks(
        _random("Customer"),
        _random("Order"),
        _random("CartLine"),
        _random("Product"),
        _random("ProductVariant"),
    )
    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for (query, b_vars), (_, unknown_vars) in zip(with_b_ids, made_up, strict=True):
            sent |= root_fields(query)
            body = await gql(client, query, b_vars, headers)
            assert "errors" not in body, body  # B's IDs, of any type, name nothing here
            (payload,) = body["data"].values()
            if isinstance(payload, dict) and "userErrors" in payload:
                assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (query, body)
                assert all(v is None for k, v in payload.items() if k != "userErrors"), body
            else:
                assert payload is None or payload == {"totalCount": 0, "nodes": []}, body
            unknown = await gql(client, query, unknown_vars, headers)
            assert body["data"] == unknown["data"], (query, b_vars, body, unknown)
    assert sent == ATTACKED_FIELDS

    # B's data is as it was, and A's customer got no cart line out of B's products.
    assert await _data(client, SNAPSHOT, b_snapshot, b_headers) == b_before
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
    a_cart = await ok(client, QUERIES["cart"], {"id": a_customer}, a.key_headers())
    assert a_cart is None
