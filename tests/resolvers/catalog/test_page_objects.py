"""A products page hands its products the variants and categories it fetched with them, and
computes costly fields when read: what a client gets is what the resolvers give one by one."""

from __future__ import annotations

import httpx

from tests.conftest import MakeTenant
from tests.factories.catalog import call, create_category, create_product, kes

MONEY = "{ amount currency }"
NODE = f"""
  id sku name description stock inStock active tags imageUrls source externalId
  archivedAt createdAt updatedAt attributes
  price {MONEY} salePrice {MONEY} effectivePrice {MONEY}
  category {{ id name slug position archivedAt createdAt parent {{ id name }} productCount }}
  variants {{
    id productId sku attributes stock inStock active position archivedAt createdAt updatedAt
    price {MONEY} priceOverride {MONEY}
  }}
"""
PAGE = f"query {{ products(first: 50) {{ totalCount edges {{ node {{ {NODE} }} }} }} }}"
ONE = f"query($id: ID!) {{ product(id: $id) {{ {NODE} }} }}"
NODES = "query { products(first: 50) { nodes { sku variants { sku price { amount } } } } }"


async def test_a_page_gives_what_the_resolvers_give(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    headers = (await make_tenant()).key_headers()
    phones = await create_category(client, headers, "Phones")
    smart = await create_category(client, headers, "Smartphones", parentId=phones["id"])
    await create_product(client, headers, "PLAIN", stock=3, tags=["x"])
    await create_product(
        client, headers, "SALE", price=kes("42000"), salePrice=kes("39000"),
        categoryId=smart["id"], imageUrls=["https://example.com/a.png"], source="SHOPIFY",
        externalId="gid://1", attributes={"brand": "X"},
        variants=[
            {"sku": "SALE-B", "stock": 2, "attributes": {"colour": "black"}},
            {"sku": "SALE-W", "price": kes("41000"), "position": 1},
        ],
    )  # fmt: skip
    await create_product(
        client, headers, "CAT", categoryId=phones["id"], variants=[{"sku": "CAT-1"}]
    )

    page = (await call(client, headers, PAGE))["products"]
    nodes = [edge["node"] for edge in page["edges"]]

    assert page["totalCount"] == 3
    assert sorted(n["sku"] for n in nodes) == ["CAT", "PLAIN", "SALE"]
    for node in nodes:
        alone = (await call(client, headers, ONE, {"id": node["id"]}))["product"]
        assert node == alone
    sale = next(n for n in nodes if n["sku"] == "SALE")
    assert [v["price"]["amount"] for v in sale["variants"]] == ["39000.00", "41000.00"]
    assert sale["category"]["parent"]["name"] == "Phones"
    listed = (await call(client, headers, NODES))["products"]["nodes"]
    assert {n["sku"]: n["variants"] for n in listed} == {
        n["sku"]: [
            {"sku": v["sku"], "price": {"amount": v["price"]["amount"]}} for v in n["variants"]
        ]
        for n in nodes
    }
