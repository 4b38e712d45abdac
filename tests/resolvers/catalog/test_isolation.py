"""A principal of tenant A, holding B's catalog IDs, learns and changes nothing of B: every catalog
root field that takes an ID answers exactly as it does for an ID that exists nowhere."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers
from tests.resolvers.catalog.api import (
    CATEGORY_ARCHIVE,
    CATEGORY_CREATE,
    CATEGORY_UPDATE,
    PRODUCT,
    PRODUCT_ARCHIVE,
    PRODUCT_UPDATE,
    STOCK_ADJUST,
    VARIANT_ARCHIVE,
    VARIANT_CREATE,
    VARIANT_UPDATE,
    call,
    create_category,
    create_product,
    list_products,
)
from wabotiq.graphql.relay import to_global_id

CATEGORY = "query($id: ID!) { category(id: $id) { id name } }"
CATEGORIES = """
query($id: ID) { categories(parentId: $id, first: 10) { totalCount nodes { id name } } }
"""
MOVEMENTS = """
query($id: ID!) { stockMovements(productId: $id, first: 10) { totalCount nodes { id } } }
"""


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


async def test_catalog_ids_of_another_tenant_are_as_good_as_unknown(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    b_headers = b.key_headers()
    b_category = await create_category(client, b_headers, "B's category")
    await create_category(client, b_headers, "B's subcategory", parentId=b_category["id"])
    b_product = await create_product(
        client,
        b_headers,
        "B-1",
        categoryId=b_category["id"],
        variants=[{"sku": "B-1-X", "stock": 3}],
    )
    b_variant = b_product["variants"][0]
    b_before = await call(client, b_headers, PRODUCT, {"id": b_product["id"]})

    ids = {"Product": b_product["id"], "Category": b_category["id"], "Variant": b_variant["id"]}
    unknown = {
        "Product": _random("Product"),
        "Category": _random("Category"),
        "Variant": _random("ProductVariant"),
    }

    def cases(id_of: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
        return [
            (PRODUCT, {"id": id_of["Product"]}),
            (CATEGORY, {"id": id_of["Category"]}),
            (CATEGORIES, {"id": id_of["Category"]}),
            (MOVEMENTS, {"id": id_of["Product"]}),
            (PRODUCT_UPDATE, {"input": {"id": id_of["Product"], "name": "Mine now"}}),
            (PRODUCT_ARCHIVE, {"id": id_of["Product"]}),
            (VARIANT_CREATE, {"input": {"productId": id_of["Product"], "sku": "A-SKU"}}),
            (VARIANT_UPDATE, {"input": {"id": id_of["Variant"], "sku": "A-SKU-2"}}),
            (VARIANT_ARCHIVE, {"id": id_of["Variant"]}),
            (CATEGORY_CREATE, {"input": {"name": "Under B", "parentId": id_of["Category"]}}),
            (CATEGORY_UPDATE, {"input": {"id": id_of["Category"], "name": "Renamed"}}),
            (CATEGORY_ARCHIVE, {"id": id_of["Category"]}),
            (STOCK_ADJUST, {"input": {"productId": id_of["Product"], "delta": -3,
                                      "reason": "LOSS"}}),
            (STOCK_ADJUST, {"input": {"productId": id_of["Product"], "variantId": id_of["Variant"],
                                      "delta": -3, "reason": "LOSS"}}),
        ]  # fmt: skip

    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for (query, b_vars), (_, unknown_vars) in zip(cases(ids), cases(unknown), strict=True):
            with_b = await call(client, headers, query, b_vars)
            with_unknown = await call(client, headers, query, unknown_vars)
            assert with_b == with_unknown, (query, with_b, with_unknown)
            payload = next(iter(with_b.values()))
            if isinstance(payload, dict) and "userErrors" in payload:
                assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], with_b
        filtered = await list_products(client, headers, filter={"categoryId": b_category["id"]})
        assert filtered["totalCount"] == 0

    assert await call(client, b_headers, PRODUCT, {"id": b_product["id"]}) == b_before
