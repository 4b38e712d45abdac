"""The SQL statements of a catalog list do not grow with its length: relations are batched.

Counted through every asyncpg connection the request uses, authentication included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture, gql
from wabotiq.core.tenant import tenant_context
from wabotiq.domain.catalog.categories import create_category
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec, create_product
from wabotiq.domain.catalog.stock import StockReason, adjust_stock
from wabotiq.graphql.relay import to_global_id
from wabotiq.tenancy.service import tenant_ref

# The exact statements each page takes, whatever its size. Products: the key, the page with its
# count, variants, categories, their parents. Categories: the key, the top level with its
# count, its product counts, the children, theirs. Movements: the key, the count, the page.
PRODUCTS_PAGE = 5
CATEGORY_TREE = 5
MOVEMENTS_PAGE = 3

PAGE = """
query($first: Int!) {
  products(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id sku name stock inStock tags
        price { amount currency } salePrice { amount currency } effectivePrice { amount }
        category { id name parent { id name } }
        variants { id sku stock price { amount currency } attributes }
      }
    }
  }
}
"""

CATEGORIES = """
query($first: Int!) {
  categories(first: $first) {
    totalCount
    nodes { id name productCount parent { id } children { id name productCount } }
  }
}
"""

MOVEMENTS = """
query($id: ID!, $first: Int!) {
  stockMovements(productId: $id, first: $first) {
    totalCount edges { cursor node { id delta stockAfter reason } }
  }
}
"""


async def _seed_products(tenant: TenantFixture, count: int) -> list[Any]:
    """`count` products, two variants each, spread over subcategories of three categories."""
    with tenant_context(tenant_ref(tenant.provisioned.tenant)):
        async with in_transaction():
            tops = [await create_category(name=f"Top {i}") for i in range(3)]
            subs = [
                await create_category(name=f"Sub {i}", parent_id=t.id) for i, t in enumerate(tops)
            ]
            made = []
            for i in range(count):
                spec = ProductSpec(
                    sku=f"P-{i:03}",
                    name=f"Product {i}",
                    price=Decimal("1500"),
                    sale_price=Decimal("1200") if i % 2 else None,
                    category_id=subs[i % 3].id,
                    tags=["seeded"],
                    variants=[
                        VariantSpec(sku=f"P-{i:03}-S", attributes={"size": "S"}, stock=2),
                        VariantSpec(
                            sku=f"P-{i:03}-L", attributes={"size": "L"}, price=Decimal("1700")
                        ),
                    ],
                )
                made.append(await create_product(spec=spec))
    return made


async def _counted(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
    count_statements: Any,
) -> tuple[dict[str, Any], list[str]]:
    with count_statements() as sent:
        body = await gql(client, query, variables, headers)
    assert body["_status"] == 200 and not body.get("errors"), body
    return body["data"], sent


async def test_products_page_statement_count_is_the_same_for_5_and_50_items(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Any
) -> None:
    tenant = await make_tenant()
    await _seed_products(tenant, 50)
    headers = tenant.key_headers()
    await _counted(
        client, PAGE, {"first": 1}, headers, count_statements
    )  # warm: caches, the key's last use

    small, few = await _counted(client, PAGE, {"first": 5}, headers, count_statements)
    large, many = await _counted(client, PAGE, {"first": 50}, headers, count_statements)

    assert len(small["products"]["edges"]) == 5
    nodes = [edge["node"] for edge in large["products"]["edges"]]
    assert len(nodes) == 50 and large["products"]["totalCount"] == 50
    assert all(len(node["variants"]) == 2 for node in nodes)
    assert all(node["category"]["parent"]["name"].startswith("Top") for node in nodes)
    # Exact, not merely equal: a counter that broke and counted nothing would give 0 == 0.
    assert (len(few), len(many)) == (PRODUCTS_PAGE, PRODUCTS_PAGE), "\n".join(
        ["5 items:", *few, "50 items:", *many]
    )
    assert sum("FROM variants" in s for s in many) == 1
    assert sum("FROM products" in s for s in many) == 1


async def test_categories_statement_count_does_not_grow_with_the_tree(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Any
) -> None:
    small_tenant, large_tenant = await make_tenant(), await make_tenant()
    await _seed_products(small_tenant, 3)
    await _seed_products(large_tenant, 3)
    with tenant_context(tenant_ref(large_tenant.provisioned.tenant)):
        async with in_transaction():
            for i in range(12):
                top = await create_category(name=f"More {i}")
                await create_category(name=f"More {i} child", parent_id=top.id)

    await _counted(client, CATEGORIES, {"first": 1}, small_tenant.key_headers(), count_statements)
    await _counted(client, CATEGORIES, {"first": 1}, large_tenant.key_headers(), count_statements)
    small, few = await _counted(
        client, CATEGORIES, {"first": 50}, small_tenant.key_headers(), count_statements
    )
    large, many = await _counted(
        client, CATEGORIES, {"first": 50}, large_tenant.key_headers(), count_statements
    )

    assert small["categories"]["totalCount"] == 3 and large["categories"]["totalCount"] == 15
    assert all(len(node["children"]) == 1 for node in large["categories"]["nodes"])
    assert (len(few), len(many)) == (CATEGORY_TREE, CATEGORY_TREE), "\n".join(
        ["few:", *few, "many:", *many]
    )


async def test_stock_movements_statement_count_does_not_grow_with_the_page(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Any
) -> None:
    tenant = await make_tenant()
    with tenant_context(tenant_ref(tenant.provisioned.tenant)):
        async with in_transaction():
            product = await create_product(
                spec=ProductSpec(sku="MOVING", name="Moving", price=Decimal("10"), stock=1)
            )
            for _ in range(30):
                await adjust_stock(product_id=product.id, delta=1, reason=StockReason.RESTOCK)
    variables = {"id": to_global_id("Product", product.id)}
    headers = tenant.key_headers()
    await _counted(client, MOVEMENTS, {**variables, "first": 1}, headers, count_statements)
    small, few = await _counted(
        client, MOVEMENTS, {**variables, "first": 3}, headers, count_statements
    )
    large, many = await _counted(
        client, MOVEMENTS, {**variables, "first": 30}, headers, count_statements
    )

    assert len(small["stockMovements"]["edges"]) == 3
    assert len(large["stockMovements"]["edges"]) == 30
    assert large["stockMovements"]["totalCount"] == 31
    assert (len(few), len(many)) == (MOVEMENTS_PAGE, MOVEMENTS_PAGE), "\n".join(
        ["3 movements:", *few, "30 movements:", *many]
    )
