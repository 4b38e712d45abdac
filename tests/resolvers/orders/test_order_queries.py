"""Reading orders: newest first, keyset pages, filters, and a customer's own orders."""

from __future__ import annotations

import httpx

from tests.conftest import MakeTenant, gql
from tests.factories.orders import (
    CHECKOUT,
    MARK_PAID,
    add_line,
    make_customer,
    make_product,
    ok,
    place_order,
)

ORDERS = """
query($filter: OrderFilter, $first: Int!, $after: String) {
  orders(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { number status }
  }
}
"""

CUSTOMER_ORDERS = """
query($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) {
    orders(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { number customer { id } }
    }
  }
}
"""


async def test_orders_page_newest_first_with_filters(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=20)
    placed = [await place_order(client, tenant, product["id"]) for _ in range(5)]
    for order in placed[:2]:
        await ok(client, MARK_PAID, {"id": order["id"]}, headers)

    first = await ok(client, ORDERS, {"first": 2}, headers)
    assert first["totalCount"] == 5
    assert [n["number"] for n in first["nodes"]] == ["WB-000005", "WB-000004"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    after = first["pageInfo"]["endCursor"]
    rest = await ok(client, ORDERS, {"first": 5, "after": after}, headers)
    assert [n["number"] for n in rest["nodes"]] == ["WB-000003", "WB-000002", "WB-000001"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["pageInfo"]["endCursor"],
    }

    paid = await ok(client, ORDERS, {"first": 10, "filter": {"status": "PAID"}}, headers)
    assert paid["totalCount"] == 2
    assert [n["number"] for n in paid["nodes"]] == ["WB-000002", "WB-000001"]

    bad = await gql(client, ORDERS, {"first": 2, "after": "nonsense"}, headers)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_customers_orders(client: httpx.AsyncClient, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await make_product(tenant, stock=20)
    await place_order(client, tenant, product["id"])  # somebody else's
    customer = await make_customer(client, tenant)
    numbers = []
    for _ in range(3):
        await add_line(client, tenant, customer, product["id"])
        result = await ok(client, CHECKOUT, {"customerId": customer}, headers)
        numbers.append(result["order"]["number"])

    page = await ok(client, CUSTOMER_ORDERS, {"id": customer, "first": 2}, headers)
    orders = page["orders"]
    assert orders["totalCount"] == 3
    assert [n["number"] for n in orders["nodes"]] == numbers[::-1][:2]
    assert {n["customer"]["id"] for n in orders["nodes"]} == {customer}
    more = await ok(
        client,
        CUSTOMER_ORDERS,
        {"id": customer, "first": 2, "after": orders["pageInfo"]["endCursor"]},
        headers,
    )
    assert [n["number"] for n in more["orders"]["nodes"]] == numbers[:1]
    assert more["orders"]["pageInfo"]["hasNextPage"] is False

    filtered = await ok(client, ORDERS, {"first": 10, "filter": {"customerId": customer}}, headers)
    assert [n["number"] for n in filtered["nodes"]] == numbers[::-1]
