"""Catalog operations and helpers shared by the catalog's GraphQL tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import gql

ERRORS = "userErrors { field message code }"
MONEY = "{ amount currency }"
VARIANT_FIELDS = f"""
  id productId sku stock inStock active position
  price {MONEY} priceOverride {MONEY} attributes
"""
PRODUCT_FIELDS = f"""
  id sku name description stock inStock active tags imageUrls source externalId archivedAt
  price {MONEY} salePrice {MONEY} effectivePrice {MONEY} attributes
  category {{ id name }}
  variants {{ {VARIANT_FIELDS} }}
"""

PRODUCT_CREATE = f"""
mutation($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }}
}}
"""
PRODUCT_UPDATE = f"""
mutation($input: ProductUpdateInput!) {{
  productUpdate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }}
}}
"""
PRODUCT_ARCHIVE = f"""
mutation($id: ID!) {{
  productArchive(input: {{id: $id}}) {{ product {{ id archivedAt }} {ERRORS} }}
}}
"""
VARIANT_CREATE = f"""
mutation($input: VariantCreateInput!) {{
  variantCreate(input: $input) {{
    variant {{ {VARIANT_FIELDS} }} product {{ id stock }} {ERRORS}
  }}
}}
"""
VARIANT_UPDATE = f"""
mutation($input: VariantUpdateInput!) {{
  variantUpdate(input: $input) {{ variant {{ {VARIANT_FIELDS} }} product {{ id stock }} {ERRORS} }}
}}
"""
VARIANT_ARCHIVE = f"""
mutation($id: ID!) {{
  variantArchive(input: {{id: $id}}) {{
    variant {{ id stock }} product {{ id stock variants {{ id }} }} {ERRORS}
  }}
}}
"""
CATEGORY_FIELDS = "id name slug position archivedAt parent { id name } productCount"
CATEGORY_CREATE = f"""
mutation($input: CategoryCreateInput!) {{
  categoryCreate(input: $input) {{ category {{ {CATEGORY_FIELDS} }} {ERRORS} }}
}}
"""
CATEGORY_UPDATE = f"""
mutation($input: CategoryUpdateInput!) {{
  categoryUpdate(input: $input) {{ category {{ {CATEGORY_FIELDS} }} {ERRORS} }}
}}
"""
CATEGORY_ARCHIVE = f"""
mutation($id: ID!) {{
  categoryArchive(input: {{id: $id}}) {{ category {{ id archivedAt }} {ERRORS} }}
}}
"""
STOCK_ADJUST = f"""
mutation($input: StockAdjustInput!) {{
  stockAdjust(input: $input) {{
    product {{ id stock inStock }} variant {{ id stock }} {ERRORS}
  }}
}}
"""
PRODUCT = f"query($id: ID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}"
PRODUCTS = """
query($filter: ProductFilter, $sort: ProductSort, $first: Int!, $after: String) {
  products(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id sku name stock effectivePrice { amount } tags } }
  }
}
"""


def kes(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "KES"}


async def call(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run an operation that must not fail at the GraphQL level; returns `data`."""
    body = await gql(client, query, variables, headers)
    assert body["_status"] == 200 and not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def mutate_ok(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """Run a mutation that must succeed; returns its payload."""
    data = await call(client, headers, query, variables)
    payload = next(iter(data.values()))
    assert payload["userErrors"] == [], payload
    return payload  # type: ignore[no-any-return]


async def create_product(
    client: httpx.AsyncClient, headers: dict[str, str], sku: str, **fields: Any
) -> dict[str, Any]:
    given = {"sku": sku, "name": f"Product {sku}", "price": kes("1000"), **fields}
    payload = await mutate_ok(client, headers, PRODUCT_CREATE, {"input": given})
    return payload["product"]  # type: ignore[no-any-return]


async def create_category(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, **fields: Any
) -> dict[str, Any]:
    payload = await mutate_ok(client, headers, CATEGORY_CREATE, {"input": {"name": name, **fields}})
    return payload["category"]  # type: ignore[no-any-return]


async def list_products(
    client: httpx.AsyncClient, headers: dict[str, str], first: int = 50, **variables: Any
) -> dict[str, Any]:
    data = await call(client, headers, PRODUCTS, {"first": first, **variables})
    return data["products"]  # type: ignore[no-any-return]


def skus(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["sku"] for edge in page["edges"]]
