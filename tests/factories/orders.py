"""Customers, carts, orders and API keys made through GraphQL (products through the catalog's
service), and the order-events subscription: shared by the tests of several areas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession
from tortoise.transactions import in_transaction

from tests.conftest import TenantFixture, gql
from wabotiq.core.tenant import TenantRef, schema_for, tenant_context
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec, create_product
from wabotiq.graphql.relay import to_global_id

USER_ERRORS = "userErrors { field message code }"

CUSTOMER_CREATE = f"""
mutation($phone: String!, $name: String! = "") {{
  customerCreate(input: {{phone: $phone, name: $name}}) {{
    customer {{ id name }} {USER_ERRORS}
  }}
}}
"""

CART_FIELDS = """
cart {
  id itemCount subtotal { amount currency }
  lines { id quantity unitPrice { amount currency } lineTotal { amount currency } }
}
"""

CART_ADD_LINE = f"""
mutation($customerId: ID!, $productId: ID!, $variantId: ID, $quantity: Int! = 1) {{
  cartAddLine(input: {{customerId: $customerId, productId: $productId, variantId: $variantId,
                       quantity: $quantity}}) {{
    {CART_FIELDS} {USER_ERRORS}
  }}
}}
"""

ORDER_FIELDS = """
order {
  id number status total { amount currency } subtotal { amount currency }
  lines { sku name quantity unitPrice { amount } lineTotal { amount } }
}
"""

CHECKOUT = f"""
mutation($customerId: ID!) {{
  checkout(input: {{customerId: $customerId}}) {{ {ORDER_FIELDS} {USER_ERRORS} }}
}}
"""

MARK_PAID = f"""
mutation($id: ID!) {{ orderMarkPaid(input: {{id: $id}}) {{ {ORDER_FIELDS} {USER_ERRORS} }} }}
"""

UPDATE_STATUS = f"""
mutation($id: ID!, $status: OrderStatus!) {{
  orderUpdateStatus(input: {{id: $id, status: $status}}) {{ {ORDER_FIELDS} {USER_ERRORS} }}
}}
"""

CANCEL = f"""
mutation($id: ID!, $reason: String! = "") {{
  orderCancel(input: {{id: $id, reason: $reason}}) {{ {ORDER_FIELDS} {USER_ERRORS} }}
}}
"""

REFUND = f"""
mutation($id: ID!) {{ orderRefund(input: {{id: $id}}) {{ {ORDER_FIELDS} {USER_ERRORS} }} }}
"""

ORDER_EVENTS = """
subscription($statuses: [OrderStatus!]) {
  orderEvents(statuses: $statuses) {
    eventType status previousStatus occurredAt
    order { id number status customer { name } lines { sku quantity } }
  }
}
"""

API_KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "partner", scopes: $scopes}) { secret userErrors { code } }
}
"""


def ref(tenant: TenantFixture) -> TenantRef:
    return TenantRef(id=tenant.id, schema=schema_for(tenant.id))


async def make_product(
    tenant: TenantFixture,
    *,
    price: str = "100.00",
    stock: int = 10,
    sale_price: str | None = None,
    variants: Sequence[VariantSpec] = (),
    name: str = "Phone",
) -> dict[str, Any]:
    """A product made through the catalog's own service (setup, not what is tested)."""
    with tenant_context(ref(tenant)):
        async with in_transaction():
            product = await create_product(
                spec=ProductSpec(
                    sku=f"SKU-{uuid.uuid4().hex[:8]}",
                    name=name,
                    price=Decimal(price),
                    sale_price=Decimal(sale_price) if sale_price else None,
                    stock=0 if variants else stock,
                    variants=variants,
                )
            )
    return {"id": to_global_id("Product", product.id), "uuid": product.id, "sku": product.sku}


async def product_stock(tenant: TenantFixture, product_uuid: uuid.UUID) -> int:
    from wabotiq.domain.catalog.models import Product

    with tenant_context(ref(tenant)):
        product = await Product.get(id=product_uuid)
    return product.stock


async def ok(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> dict[str, Any]:
    """The one root field's data of an operation that must not fail at the top level."""
    body = await gql(client, query, variables, headers)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    return value


async def make_customer(
    client: httpx.AsyncClient, tenant: TenantFixture, phone: str | None = None, name: str = ""
) -> str:
    phone = phone or f"+2547{uuid.uuid4().int % 10**8:08d}"
    created = await ok(
        client, CUSTOMER_CREATE, {"phone": phone, "name": name}, tenant.key_headers()
    )
    assert created["userErrors"] == [], created
    return created["customer"]["id"]


async def add_line(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    customer_id: str,
    product_id: str,
    quantity: int = 1,
    variant_id: str | None = None,
) -> dict[str, Any]:
    return await ok(
        client,
        CART_ADD_LINE,
        {
            "customerId": customer_id,
            "productId": product_id,
            "variantId": variant_id,
            "quantity": quantity,
        },
        tenant.key_headers(),
    )


async def place_order(
    client: httpx.AsyncClient, tenant: TenantFixture, product_id: str, quantity: int = 1
) -> dict[str, Any]:
    """A new customer buys `quantity` of a product; returns the order."""
    customer_id = await make_customer(client, tenant)
    added = await add_line(client, tenant, customer_id, product_id, quantity)
    assert added["userErrors"] == [], added
    result = await ok(client, CHECKOUT, {"customerId": customer_id}, tenant.key_headers())
    assert result["userErrors"] == [], result
    return result["order"]


async def key_with_scopes(
    client: httpx.AsyncClient, tenant: TenantFixture, scopes: list[str]
) -> dict[str, str]:
    """Headers of a new API key of `tenant` holding only `scopes`."""
    created = await ok(client, API_KEY_CREATE, {"scopes": scopes}, tenant.key_headers())
    return tenant.key_headers(created["secret"])


async def subscribe(
    ws: AsyncWebSocketSession, op_id: str, statuses: list[str] | None = None
) -> None:
    """Subscribe to the tenant's order events (optionally of some statuses only) as `op_id`."""
    await ws.send_json(
        {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": ORDER_EVENTS, "variables": {"statuses": statuses}},
        }
    )
