"""Carts over GraphQL: one active cart per customer, price snapshots, totals in Decimal."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx

from tests.conftest import MakeTenant
from tests.factories.orders import (
    USER_ERRORS,
    add_line,
    make_customer,
    make_product,
    ok,
    ref,
)
from wabotiq.core.tenant import tenant_context
from wabotiq.domain.catalog.models import Product, Variant
from wabotiq.domain.catalog.service import VariantSpec
from wabotiq.graphql.relay import to_global_id

CART = """
query($customerId: ID!) {
  cart(customerId: $customerId) {
    id itemCount subtotal { amount currency } customer { id }
    lines {
      id quantity unitPrice { amount currency } lineTotal { amount }
      product { id } variant { id sku }
    }
  }
}
"""

UPDATE_LINE = f"""
mutation($lineId: ID!, $quantity: Int!) {{
  cartUpdateLine(input: {{lineId: $lineId, quantity: $quantity}}) {{
    cart {{ itemCount subtotal {{ amount }} lines {{ id quantity }} }} {USER_ERRORS}
  }}
}}
"""

REMOVE_LINE = f"""
mutation($lineId: ID!) {{
  cartRemoveLine(input: {{lineId: $lineId}}) {{
    cart {{ itemCount subtotal {{ amount }} lines {{ id }} }} {USER_ERRORS}
  }}
}}
"""


async def test_lines_snapshot_the_effective_price_and_total_exactly(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    plain = await make_product(tenant, price="0.10", stock=100)
    on_sale = await make_product(tenant, price="2500.00", sale_price="1999.99", stock=5)

    await add_line(client, tenant, customer, plain["id"], 3)
    added = await add_line(client, tenant, customer, on_sale["id"], 2)
    assert added["userErrors"] == []
    cart = added["cart"]
    assert [line["unitPrice"] for line in cart["lines"]] == [
        {"amount": "0.10", "currency": "KES"},
        {"amount": "1999.99", "currency": "KES"},
    ]
    assert cart["lines"][0]["lineTotal"] == {"amount": "0.30", "currency": "KES"}
    assert cart["subtotal"] == {"amount": "4000.28", "currency": "KES"}
    assert Decimal(cart["subtotal"]["amount"]) == Decimal("0.30") + Decimal("3999.98")
    assert cart["itemCount"] == 5

    again = await add_line(client, tenant, customer, plain["id"], 2)
    assert [line["quantity"] for line in again["cart"]["lines"]] == [5, 2]
    assert again["cart"]["id"] == cart["id"]  # still the one active cart


async def test_variant_override_price_and_variant_required(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    product = await make_product(
        tenant,
        price="1000.00",
        sale_price="900.00",
        variants=[
            VariantSpec(sku=f"{tenant.id}-128", attributes={"storage": "128GB"}, stock=3),
            VariantSpec(
                sku=f"{tenant.id}-256", attributes={"storage": "256GB"}, price=None, stock=3
            ),
        ],
    )
    with tenant_context(ref(tenant)):
        variants = {v.sku: v for v in await Variant.filter(product_id=product["uuid"])}
        dear = variants[f"{tenant.id}-256"]
        dear.price = Decimal("1250.00")
        await dear.save(update_fields=["price"])

    missing = await add_line(client, tenant, customer, product["id"])
    assert [e["code"] for e in missing["userErrors"]] == ["VARIANT_REQUIRED"]
    assert missing["userErrors"][0]["field"] == ["input", "variantId"]

    cheap_id = to_global_id("ProductVariant", variants[f"{tenant.id}-128"].id)
    dear_id = to_global_id("ProductVariant", dear.id)
    await add_line(client, tenant, customer, product["id"], 1, cheap_id)
    cart = (await add_line(client, tenant, customer, product["id"], 1, dear_id))["cart"]
    assert [line["unitPrice"]["amount"] for line in cart["lines"]] == ["900.00", "1250.00"]
    assert cart["subtotal"]["amount"] == "2150.00"
    shown = await ok(client, CART, {"customerId": customer}, tenant.key_headers())
    assert [line["product"]["id"] for line in shown["lines"]] == [product["id"]] * 2
    assert [line["variant"]["id"] for line in shown["lines"]] == [cheap_id, dear_id]


async def test_update_and_remove_lines_keep_the_price_snapshot(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    customer = await make_customer(client, tenant)
    product = await make_product(tenant, price="50.00", stock=10)
    other = await make_product(tenant, price="20.00", stock=10)
    cart = (await add_line(client, tenant, customer, product["id"], 1))["cart"]
    await add_line(client, tenant, customer, other["id"], 1)
    line_id = cart["lines"][0]["id"]

    with tenant_context(ref(tenant)):
        await Product.filter(id=product["uuid"]).update(price=Decimal("75.00"))

    updated = await ok(client, UPDATE_LINE, {"lineId": line_id, "quantity": 4}, headers)
    assert updated["userErrors"] == []
    assert updated["cart"]["subtotal"]["amount"] == "220.00"  # 4 x 50.00 + 20.00

    too_many = await ok(client, UPDATE_LINE, {"lineId": line_id, "quantity": 11}, headers)
    assert [e["code"] for e in too_many["userErrors"]] == ["OUT_OF_STOCK"]
    negative = await ok(client, UPDATE_LINE, {"lineId": line_id, "quantity": -1}, headers)
    assert [e["code"] for e in negative["userErrors"]] == ["INVALID"]

    removed = await ok(client, REMOVE_LINE, {"lineId": line_id}, headers)
    assert removed["cart"]["itemCount"] == 1
    assert removed["cart"]["subtotal"]["amount"] == "20.00"
    gone = await ok(client, REMOVE_LINE, {"lineId": line_id}, headers)
    assert [e["code"] for e in gone["userErrors"]] == ["NOT_FOUND"]

    (last,) = removed["cart"]["lines"]
    emptied = await ok(client, UPDATE_LINE, {"lineId": last["id"], "quantity": 0}, headers)
    assert emptied["cart"]["lines"] == []
    assert emptied["cart"]["subtotal"] is None

    shown = await ok(client, CART, {"customerId": customer}, headers)
    assert shown["itemCount"] == 0 and shown["customer"]["id"] == customer


async def test_unavailable_products_and_stock_are_refused_when_adding(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    product = await make_product(tenant, stock=2)
    too_many = await add_line(client, tenant, customer, product["id"], 3)
    assert [e["code"] for e in too_many["userErrors"]] == ["OUT_OF_STOCK"]
    await add_line(client, tenant, customer, product["id"], 2)
    over = await add_line(client, tenant, customer, product["id"], 1)
    assert [e["code"] for e in over["userErrors"]] == ["OUT_OF_STOCK"]

    unknown = await add_line(client, tenant, customer, to_global_id("Product", customer[:8]))
    assert [e["code"] for e in unknown["userErrors"]] == ["INVALID_ID"]
    nobody = await add_line(
        client,
        tenant,
        to_global_id("Customer", "00000000-0000-0000-0000-000000000000"),
        product["id"],
    )
    assert [e["code"] for e in nobody["userErrors"]] == ["NOT_FOUND"]


async def test_no_cart_until_something_is_added(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    assert await ok(client, CART, {"customerId": customer}, tenant.key_headers()) is None


async def test_concurrent_first_adds_share_one_active_cart(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    customer = await make_customer(client, tenant)
    products = [await make_product(tenant, stock=5) for _ in range(5)]
    results = await asyncio.gather(
        *(add_line(client, tenant, customer, product["id"]) for product in products)
    )
    assert all(result["userErrors"] == [] for result in results)
    assert len({result["cart"]["id"] for result in results}) == 1
    cart = await ok(client, CART, {"customerId": customer}, tenant.key_headers())
    assert cart["itemCount"] == 5
