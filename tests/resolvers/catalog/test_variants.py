"""Variants through GraphQL: their stock adds up to their product's, price overrides, archive."""

from __future__ import annotations

import httpx

from tests.conftest import MakeTenant
from tests.factories.catalog import (
    PRODUCT,
    PRODUCT_CREATE,
    VARIANT_ARCHIVE,
    VARIANT_CREATE,
    VARIANT_UPDATE,
    call,
    create_product,
    kes,
    mutate_ok,
)


async def test_variant_create_update_archive(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    shoe = await create_product(client, headers, "AF1", price=kes("8500"))
    created = await mutate_ok(
        client,
        headers,
        VARIANT_CREATE,
        {
            "input": {
                "productId": shoe["id"],
                "sku": "AF1-42",
                "attributes": {"size": "42"},
                "stock": 4,
            }
        },
    )
    assert created["product"]["stock"] == 4
    variant = created["variant"]
    assert variant["price"] == {"amount": "8500.00", "currency": "KES"}
    second = await mutate_ok(
        client,
        headers,
        VARIANT_CREATE,
        {"input": {"productId": shoe["id"], "sku": "AF1-44", "stock": 3, "price": kes("9000")}},
    )
    assert second["product"]["stock"] == 7
    assert second["variant"]["priceOverride"] == {"amount": "9000.00", "currency": "KES"}

    updated = await mutate_ok(
        client,
        headers,
        VARIANT_UPDATE,
        {"input": {"id": second["variant"]["id"], "price": None, "position": -1}},
    )
    assert updated["variant"]["priceOverride"] is None
    assert updated["variant"]["price"]["amount"] == "8500.00"
    read = await call(client, headers, PRODUCT, {"id": shoe["id"]})
    assert [v["sku"] for v in read["product"]["variants"]] == ["AF1-44", "AF1-42"]

    archived = await mutate_ok(client, headers, VARIANT_ARCHIVE, {"id": variant["id"]})
    assert archived["variant"]["stock"] == 0  # written off
    assert archived["product"]["stock"] == 3
    assert archived["product"]["variants"] == [{"id": second["variant"]["id"]}]
    again = await call(client, headers, VARIANT_ARCHIVE, {"id": variant["id"]})
    assert [e["code"] for e in again["variantArchive"]["userErrors"]] == ["ARCHIVED"]


async def test_a_product_with_its_own_stock_takes_variants_only_at_zero(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(client, headers, "OWN", stock=5)
    data = await call(
        client, headers, VARIANT_CREATE, {"input": {"productId": product["id"], "sku": "OWN-1"}}
    )
    (error,) = data["variantCreate"]["userErrors"]
    assert error["code"] == "INVALID" and error["field"] == ["input", "productId"]
    given = {"sku": "BOTH", "name": "Both", "price": kes("1"), "stock": 2,
             "variants": [{"sku": "BOTH-1"}]}  # fmt: skip
    data = await call(client, headers, PRODUCT_CREATE, {"input": given})
    (error,) = data["productCreate"]["userErrors"]
    assert error["code"] == "INVALID" and error["field"] == ["input", "stock"]
