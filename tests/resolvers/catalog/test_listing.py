"""`products`: filters, sorting and paging."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.catalog import (
    PRODUCT_UPDATE,
    PRODUCTS,
    create_category,
    create_product,
    kes,
    list_products,
    mutate_ok,
    skus,
)


async def _shop(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    """Five products: phones (one a smartphone below it), a laptop, and an uncategorised cable."""
    headers = tenant.key_headers()
    phones = await create_category(client, headers, "Phones")
    smart = await create_category(client, headers, "Smartphones", parentId=phones["id"])
    laptops = await create_category(client, headers, "Laptops")
    made = {
        "kabambe": await create_product(
            client, headers, "PH-KAB", name="Kabambe feature phone", price=kes("1500"),
            categoryId=phones["id"], tags=["phone", "cheap"], stock=10,
        ),
        "a54": await create_product(
            client, headers, "PH-A54", name="Galaxy A54", price=kes("42000"),
            salePrice=kes("39000"), categoryId=smart["id"], tags=["phone", "android"],
            variants=[{"sku": "PH-A54-B", "stock": 2}],
        ),
        "ip13": await create_product(
            client, headers, "PH-IP13", name="iPhone 13", price=kes("85000"),
            categoryId=smart["id"], tags=["phone", "apple"], stock=0,
        ),
        "hp": await create_product(
            client, headers, "LP-HP", name="HP Pavilion", description="Gaming laptop, Ryzen 5",
            price=kes("48000"), categoryId=laptops["id"], tags=["laptop", "gaming"], stock=4,
        ),
        "cable": await create_product(
            client, headers, "AC-USB_C", name="USB-C cable 100%", price=kes("500"),
            tags=["cable"], stock=50, active=False,
        ),
    }  # fmt: skip
    return {"headers": headers, "phones": phones, "smart": smart, "laptops": laptops, **made}


async def test_products_filters(client: httpx.AsyncClient, make_tenant: MakeTenant) -> None:
    shop = await _shop(client, await make_tenant())
    headers = shop["headers"]

    async def found(**given: Any) -> list[str]:
        return sorted(skus(await list_products(client, headers, filter=given)))

    assert await found(search="galaxy") == ["PH-A54"]  # name, any case
    assert await found(search="ph-ip") == ["PH-IP13"]  # sku
    assert await found(search="ryzen") == ["LP-HP"]  # description
    assert await found(search="android") == ["PH-A54"]  # tags
    assert await found(search="100%") == ["AC-USB_C"]  # wildcards are literal
    assert await found(search="B_C") == ["AC-USB_C"]
    assert await found(search="nothing like it") == []
    # A category takes in the categories below it.
    assert await found(categoryId=shop["phones"]["id"]) == ["PH-A54", "PH-IP13", "PH-KAB"]
    assert await found(categoryId=shop["smart"]["id"]) == ["PH-A54", "PH-IP13"]
    assert await found(categoryId=shop["laptops"]["id"]) == ["LP-HP"]
    # Prices compare with the effective price (the A54 is on sale at 39000).
    assert await found(priceMin="39000", priceMax="48000") == ["LP-HP", "PH-A54"]
    assert await found(priceMax="1500") == ["AC-USB_C", "PH-KAB"]
    assert await found(priceMin="40000", priceMax="45000") == []
    assert await found(inStock=True) == ["AC-USB_C", "LP-HP", "PH-A54", "PH-KAB"]
    assert await found(inStock=False) == ["PH-IP13"]
    assert await found(tags=["phone"]) == ["PH-A54", "PH-IP13", "PH-KAB"]
    assert await found(tags=["phone", "cheap"]) == ["PH-KAB"]
    assert await found(active=False) == ["AC-USB_C"]
    assert await found(search="phone", inStock=True, priceMax="2000") == ["PH-KAB"]


async def test_products_sort(client: httpx.AsyncClient, make_tenant: MakeTenant) -> None:
    shop = await _shop(client, await make_tenant())
    headers = shop["headers"]

    async def ordered(sort: str) -> list[str]:
        return skus(await list_products(client, headers, sort=sort))

    assert await ordered("NEWEST") == ["AC-USB_C", "LP-HP", "PH-IP13", "PH-A54", "PH-KAB"]
    assert await ordered("OLDEST") == ["PH-KAB", "PH-A54", "PH-IP13", "LP-HP", "AC-USB_C"]
    assert await ordered("NAME_ASC") == ["PH-A54", "LP-HP", "PH-IP13", "PH-KAB", "AC-USB_C"]
    assert await ordered("NAME_DESC") == ["AC-USB_C", "PH-KAB", "PH-IP13", "LP-HP", "PH-A54"]
    assert await ordered("PRICE_ASC") == ["AC-USB_C", "PH-KAB", "PH-A54", "LP-HP", "PH-IP13"]
    assert await ordered("PRICE_DESC") == ["PH-IP13", "LP-HP", "PH-A54", "PH-KAB", "AC-USB_C"]
    # A price change moves the product.
    await mutate_ok(
        client,
        headers,
        PRODUCT_UPDATE,
        {"input": {"id": shop["cable"]["id"], "price": kes("99999")}},
    )
    assert (await ordered("PRICE_DESC"))[0] == "AC-USB_C"


async def test_products_pages_walk_the_whole_list_once(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    for i in range(7):
        await create_product(client, headers, f"SKU-{i}", name=f"Item {i}")

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await list_products(client, headers, first=3, after=after, sort="NAME_ASC")
        assert page["totalCount"] == 7
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += skus(page)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [f"SKU-{i}" for i in range(7)]
    # Past the end: empty, with the right total.
    beyond = await list_products(client, headers, first=3, after=page["edges"][-1]["cursor"])
    assert beyond["edges"] == [] and beyond["totalCount"] == 7


async def test_products_page_size_and_cursor_are_checked(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    for variables in ({"first": 0}, {"first": 101}, {"first": 5, "after": "not-a-cursor"}):
        body = await gql(client, PRODUCTS, variables, headers)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
