"""Products through GraphQL: create, read, update, archive; SKUs, currency, scopes, isolation."""

from __future__ import annotations

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.factories.catalog import (
    PRODUCT,
    PRODUCT_ARCHIVE,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    VARIANT_CREATE,
    VARIANT_UPDATE,
    call,
    create_category,
    create_product,
    kes,
    list_products,
    mutate_ok,
    skus,
)

API_KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "catalog", scopes: $scopes}) { secret userErrors { code } }
}
"""


async def test_product_create_returns_everything_it_was_given(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    phones = await create_category(client, headers, "Phones")
    product = await create_product(
        client,
        headers,
        "PH-A54",
        name="Samsung Galaxy A54",
        description="6.4-inch AMOLED",
        price=kes("42000"),
        salePrice=kes("39999.50"),
        categoryId=phones["id"],
        attributes={"brand": "Samsung"},
        tags=["phone", "android"],
        imageUrls=["https://cdn.example.com/a54.jpg"],
        source="WOOCOMMERCE",
        externalId="wc-77",
        variants=[
            {"sku": "PH-A54-BLK", "attributes": {"colour": "Black"}, "stock": 6},
            {"sku": "PH-A54-256", "price": kes("47000"), "stock": 1, "position": 1},
        ],
    )
    assert product["name"] == "Samsung Galaxy A54"
    assert product["price"] == {"amount": "42000.00", "currency": "KES"}
    assert product["salePrice"] == {"amount": "39999.50", "currency": "KES"}
    assert product["effectivePrice"] == {"amount": "39999.50", "currency": "KES"}
    assert product["stock"] == 7 and product["inStock"] is True  # the variants' total
    assert product["category"] == {"id": phones["id"], "name": "Phones"}
    assert product["attributes"] == {"brand": "Samsung"}
    assert product["tags"] == ["phone", "android"]
    assert product["source"] == "WOOCOMMERCE" and product["externalId"] == "wc-77"
    black, big = product["variants"]
    assert black["sku"] == "PH-A54-BLK" and black["stock"] == 6
    assert black["attributes"] == {"colour": "Black"}
    assert black["price"] == {"amount": "39999.50", "currency": "KES"}  # the product's
    assert black["priceOverride"] is None
    assert big["price"] == {"amount": "47000.00", "currency": "KES"}  # its own
    assert black["productId"] == product["id"]

    read = await call(client, headers, PRODUCT, {"id": product["id"]})
    assert read["product"] == product


async def test_product_update_changes_only_what_is_given_and_null_clears(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    category = await create_category(client, headers, "Laptops")
    product = await create_product(
        client,
        headers,
        "LP-1",
        price=kes("50000"),
        salePrice=kes("45000"),
        categoryId=category["id"],
        tags=["laptop"],
        stock=3,
    )
    payload = await mutate_ok(
        client,
        headers,
        PRODUCT_UPDATE,
        {
            "input": {
                "id": product["id"],
                "name": "Renamed",
                "salePrice": None,
                "categoryId": None,
                "price": kes("52000"),
            }
        },
    )
    updated = payload["product"]
    assert updated["name"] == "Renamed"
    assert updated["salePrice"] is None and updated["category"] is None
    assert updated["effectivePrice"]["amount"] == "52000.00"
    assert updated["tags"] == ["laptop"] and updated["stock"] == 3  # untouched
    assert updated["sku"] == "LP-1"


async def test_sale_price_above_the_price_is_refused(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    data = await call(
        client,
        headers,
        PRODUCT_CREATE,
        {"input": {"sku": "X", "name": "X", "price": kes("10"), "salePrice": kes("11")}},
    )
    (error,) = data["productCreate"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "salePrice"], "INVALID")
    assert (await list_products(client, headers))["totalCount"] == 0


async def test_prices_in_another_currency_are_refused(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    given = {"sku": "USD-1", "name": "Dollar", "price": {"amount": "10", "currency": "USD"}}
    data = await call(client, headers, PRODUCT_CREATE, {"input": given})
    assert [e["code"] for e in data["productCreate"]["userErrors"]] == ["CURRENCY_MISMATCH"]
    product = await create_product(client, headers, "KES-1")
    data = await call(
        client,
        headers,
        PRODUCT_UPDATE,
        {"input": {"id": product["id"], "salePrice": {"amount": "5", "currency": "EUR"}}},
    )
    assert [e["code"] for e in data["productUpdate"]["userErrors"]] == ["CURRENCY_MISMATCH"]


async def test_sku_is_unique_across_products_and_variants(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    first = await create_product(
        client, headers, "SHOE-1", variants=[{"sku": "SHOE-1-42", "stock": 1}]
    )
    other = await create_product(client, headers, "HAT-1")

    async def refused(query: str, given: dict) -> None:
        data = await call(client, headers, query, {"input": given})
        payload = next(iter(data.values()))
        assert [e["code"] for e in payload["userErrors"]] == ["SKU_TAKEN"], payload

    await refused(PRODUCT_CREATE, {"sku": "SHOE-1", "name": "Again", "price": kes("1")})
    await refused(PRODUCT_CREATE, {"sku": "SHOE-1-42", "name": "A variant's", "price": kes("1")})
    await refused(VARIANT_CREATE, {"productId": other["id"], "sku": "SHOE-1"})
    await refused(VARIANT_CREATE, {"productId": other["id"], "sku": "SHOE-1-42"})
    await refused(PRODUCT_UPDATE, {"id": other["id"], "sku": "SHOE-1-42"})
    await refused(VARIANT_UPDATE, {"id": first["variants"][0]["id"], "sku": "HAT-1"})
    await refused(
        PRODUCT_CREATE,
        {"sku": "NEW", "name": "Twins", "price": kes("1"),
         "variants": [{"sku": "NEW-1"}, {"sku": "NEW-1"}]},
    )  # fmt: skip

    page = await list_products(client, headers)
    assert sorted(skus(page)) == ["HAT-1", "SHOE-1"]
    # Keeping one's own SKU is no conflict.
    await mutate_ok(
        client, headers, PRODUCT_UPDATE, {"input": {"id": first["id"], "sku": "SHOE-1"}}
    )
    # Another tenant has its own SKU namespace.
    elsewhere = await make_tenant()
    await create_product(client, elsewhere.key_headers(), "SHOE-1")


async def test_archived_products_leave_listings_but_stay_readable(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    kept = await create_product(client, headers, "KEEP")
    gone = await create_product(client, headers, "GONE")
    archived = await mutate_ok(client, headers, PRODUCT_ARCHIVE, {"id": gone["id"]})
    assert archived["product"]["archivedAt"] is not None

    page = await list_products(client, headers)
    assert skus(page) == ["KEEP"] and page["totalCount"] == 1
    everything = await list_products(client, headers, filter={"includeArchived": True})
    assert sorted(skus(everything)) == ["GONE", "KEEP"]
    read = await call(client, headers, PRODUCT, {"id": gone["id"]})
    assert read["product"]["archivedAt"] is not None

    again = await call(client, headers, PRODUCT_ARCHIVE, {"id": gone["id"]})
    assert [e["code"] for e in again["productArchive"]["userErrors"]] == ["ARCHIVED"]
    changed = await call(
        client, headers, PRODUCT_UPDATE, {"input": {"id": gone["id"], "name": "x"}}
    )
    assert [e["code"] for e in changed["productUpdate"]["userErrors"]] == ["ARCHIVED"]
    assert kept["archivedAt"] is None


async def test_catalog_view_reads_and_catalog_edit_writes(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    owner = await bearer_headers(client, tenant)
    await create_product(client, owner, "SEEN")
    made = await call(client, owner, API_KEY_CREATE, {"scopes": ["catalog:view"]})
    viewer = tenant.key_headers(made["apiKeyCreate"]["secret"])

    assert skus(await list_products(client, viewer)) == ["SEEN"]
    body = await gql(
        client, PRODUCT_CREATE, {"input": {"sku": "NO", "name": "No", "price": kes("1")}}, viewer
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["missingScopes"] == ["catalog:edit"]


async def test_another_tenant_sees_and_changes_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    product = await create_product(client, mine.key_headers(), "MINE", stock=2)
    intruder = theirs.key_headers()

    assert (await call(client, intruder, PRODUCT, {"id": product["id"]}))["product"] is None
    assert (await list_products(client, intruder))["totalCount"] == 0
    for query, given in (
        (PRODUCT_UPDATE, {"id": product["id"], "name": "Stolen"}),
        (VARIANT_CREATE, {"productId": product["id"], "sku": "THEIRS-1"}),
    ):
        data = await call(client, intruder, query, {"input": given})
        payload = next(iter(data.values()))
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    data = await call(client, intruder, PRODUCT_ARCHIVE, {"id": product["id"]})
    assert [e["code"] for e in data["productArchive"]["userErrors"]] == ["NOT_FOUND"]
    still = await call(client, mine.key_headers(), PRODUCT, {"id": product["id"]})
    assert still["product"]["name"] == product["name"] and still["product"]["archivedAt"] is None


async def test_malformed_ids_are_user_errors_or_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    category = await create_category(client, headers, "Not a product")
    assert (await call(client, headers, PRODUCT, {"id": category["id"]}))["product"] is None
    data = await call(client, headers, PRODUCT_ARCHIVE, {"id": "garbage"})
    assert [e["code"] for e in data["productArchive"]["userErrors"]] == ["INVALID_ID"]


async def test_amounts_and_attributes_are_checked(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    for extra, field in (
        ({"price": kes("10.005")}, "price"),
        ({"price": kes("-1")}, "price"),
        ({"attributes": ["colour", "Black"]}, "attributes"),
        ({"attributes": {"colour": {"nested": True}}}, "attributes"),
        ({"imageUrls": ["ftp://example.com/x.jpg"]}, "imageUrls"),
        ({"name": " "}, "name"),
        ({"sku": "HAS SPACE"}, "sku"),
    ):
        given = {"sku": "CHECKED", "name": "Checked", "price": kes("10"), **extra}
        data = await call(client, headers, PRODUCT_CREATE, {"input": given})
        (error,) = data["productCreate"]["userErrors"]
        assert (error["code"], error["field"]) == ("INVALID", ["input", field]), extra
    assert (await list_products(client, headers))["totalCount"] == 0
