"""List fields of carts, orders and customers issue as many statements for 50 items as for 5."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.orders import CHECKOUT, add_line, make_customer, make_product, ok, ref
from wabotiq.core.tenant import tenant_context
from wabotiq.domain.catalog.models import Variant
from wabotiq.domain.catalog.service import VariantSpec
from wabotiq.graphql.relay import to_global_id

ORDERS_PAGE = """
query($first: Int!) {
  orders(first: $first) {
    totalCount
    nodes {
      number status total { amount currency }
      customer { name phone }
      lines {
        sku name quantity unitPrice { amount } lineTotal { amount }
        product { sku effectivePrice { amount } } variant { sku price { amount } }
      }
      history { toStatus }
    }
  }
}
"""

CUSTOMERS_PAGE = """
query($first: Int!) {
  customers(first: $first) {
    totalCount
    nodes { name phone orders(first: 5) { totalCount nodes { number lines { sku } } } }
  }
}
"""


async def _orders(client: httpx.AsyncClient, tenant: TenantFixture, count: int) -> None:
    """`count` orders, each of a plain product and a variant."""
    plain = await make_product(tenant, stock=1000)
    sku = f"V-{uuid.uuid4().hex[:8]}"
    varied = await make_product(tenant, variants=[VariantSpec(sku=sku, stock=1000)])
    variant_id = await _variant_id(tenant, varied["uuid"])
    for _ in range(count):
        customer = await make_customer(client, tenant)
        await add_line(client, tenant, customer, plain["id"])
        await add_line(client, tenant, customer, varied["id"], variant_id=variant_id)
        await ok(client, CHECKOUT, {"customerId": customer}, tenant.key_headers())


async def _variant_id(tenant: TenantFixture, product_uuid: uuid.UUID) -> str:
    with tenant_context(ref(tenant)):
        variant = await Variant.get(product_id=product_uuid)
    return to_global_id("ProductVariant", variant.id)


async def _statements(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    count_statements: Callable[[], Any],
    query: str,
    first: int,
) -> tuple[int, dict[str, Any]]:
    await gql(client, query, {"first": first}, tenant.key_headers())  # warm caches and keys
    with count_statements() as statements:
        body = await gql(client, query, {"first": first}, tenant.key_headers())
    assert "errors" not in body, body
    return len(statements), body["data"]


async def test_orders_page_statements_do_not_grow_with_its_size(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Callable[[], Any]
) -> None:
    small, large = await make_tenant(), await make_tenant()
    await _orders(client, small, 5)
    await _orders(client, large, 50)

    few, small_page = await _statements(client, small, count_statements, ORDERS_PAGE, 5)
    many, large_page = await _statements(client, large, count_statements, ORDERS_PAGE, 50)

    assert len(small_page["orders"]["nodes"]) == 5
    assert len(large_page["orders"]["nodes"]) == 50
    lines = [line for node in large_page["orders"]["nodes"] for line in node["lines"]]
    assert len(lines) == 100
    assert sum(line["variant"] is not None for line in lines) == 50
    assert all(line["product"]["sku"] for line in lines)
    # The key, the count, the page, then one statement per relation: customers, lines,
    # history, the lines' products and their variants.
    assert few == many == 8


async def test_customers_page_with_orders_statements_do_not_grow(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Callable[[], Any]
) -> None:
    small, large = await make_tenant(), await make_tenant()
    await _orders(client, small, 5)
    await _orders(client, large, 50)

    few, small_page = await _statements(client, small, count_statements, CUSTOMERS_PAGE, 5)
    many, large_page = await _statements(client, large, count_statements, CUSTOMERS_PAGE, 50)

    assert len(large_page["customers"]["nodes"]) == 50
    assert all(n["orders"]["totalCount"] == 1 for n in large_page["customers"]["nodes"])
    # The key, the count, the page; orders: counts, page ids, rows; their lines.
    assert few == many == 7


CART_PAGE = """
query($customerId: ID!) {
  cart(customerId: $customerId) {
    itemCount subtotal { amount }
    lines { quantity unitPrice { amount } product { name } variant { sku } }
  }
}
"""


async def test_cart_lines_statements_do_not_grow_with_the_cart(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Callable[[], Any]
) -> None:
    tenant = await make_tenant()
    counts = []
    for size in (3, 30):
        customer = await make_customer(client, tenant)
        for _ in range(size):
            product = await make_product(tenant, stock=5)
            await add_line(client, tenant, customer, product["id"])
        variables = {"customerId": customer}
        await gql(client, CART_PAGE, variables, tenant.key_headers())
        with count_statements() as statements:
            body = await gql(client, CART_PAGE, variables, tenant.key_headers())
        assert body["data"]["cart"]["itemCount"] == size
        counts.append(len(statements))
    # The key, the cart, its lines, their products (no variants asked for here).
    assert counts == [4, 4]
