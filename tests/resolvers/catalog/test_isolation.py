"""A principal of tenant A, holding B's catalog IDs, learns and changes nothing of B: every catalog
root field that takes an ID answers exactly as it does for an ID that exists nowhere."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers
from tests.factories.catalog import (
    CATEGORY_ARCHIVE,
    CATEGORY_CREATE,
    CATEGORY_FIELDS,
    CATEGORY_UPDATE,
    PRODUCT,
    PRODUCT_ARCHIVE,
    PRODUCT_CREATE,
    PRODUCT_FIELDS,
    PRODUCT_UPDATE,
    PRODUCTS,
    STOCK_ADJUST,
    VARIANT_ARCHIVE,
    VARIANT_CREATE,
    VARIANT_UPDATE,
    call,
    create_category,
    create_product,
    kes,
)
from tests.support.id_coverage import root_fields
from wabotiq.graphql.relay import to_global_id

CATEGORY = "query($id: ID!) { category(id: $id) { id name } }"
CATEGORIES = """
query($id: ID) { categories(parentId: $id, first: 10) { totalCount nodes { id name } } }
"""
MOVEMENTS = """
query($id: ID!) { stockMovements(productId: $id, first: 10) { totalCount nodes { id } } }
"""
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(
    PRODUCT, CATEGORY, CATEGORIES, MOVEMENTS, PRODUCTS, PRODUCT_CREATE, PRODUCT_UPDATE,
    PRODUCT_ARCHIVE, VARIANT_CREATE, VARIANT_UPDATE, VARIANT_ARCHIVE, CATEGORY_CREATE,
    CATEGORY_UPDATE, CATEGORY_ARCHIVE, STOCK_ADJUST,
)  # fmt: skip

SNAPSHOT = f"""
query($product: ID!) {{
  product(id: $product) {{ {PRODUCT_FIELDS} }}
  products(first: 50, filter: {{includeArchived: true}}) {{
    totalCount nodes {{ id sku stock archivedAt category {{ id }} }}
  }}
  categories(first: 50, includeArchived: true) {{ totalCount nodes {{ {CATEGORY_FIELDS} }} }}
  stockMovements(productId: $product, first: 50) {{
    totalCount nodes {{ id variantId delta stockAfter reason }}
  }}
}}
"""


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


def _is_nothing(payload: Any) -> bool:
    """A NOT_FOUND userError and nothing else, no object, or an empty page."""
    if payload is None:
        return True
    if "userErrors" in payload:
        codes = [e["code"] for e in payload["userErrors"]]
        return codes == ["NOT_FOUND"] and all(
            v is None for k, v in payload.items() if k != "userErrors"
        )
    return payload.get("totalCount") == 0 and not payload.get("nodes", payload.get("edges"))


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
    # A's own objects, to carry B's IDs in their references.
    a_category = await create_category(client, a.key_headers(), "A's category")
    a_product = await create_product(
        client,
        a.key_headers(),
        "A-1",
        categoryId=a_category["id"],
        variants=[{"sku": "A-1-X", "stock": 3}],
    )

    async def snapshot(tenant_headers: dict[str, str], product: str) -> dict[str, Any]:
        return await call(client, tenant_headers, SNAPSHOT, {"product": product})

    b_before = await snapshot(b_headers, b_product["id"])
    a_before = await snapshot(a.key_headers(), a_product["id"])

    ids = {"Product": b_product["id"], "Category": b_category["id"], "Variant": b_variant["id"]}
    unknown = {
        "Product": _random("Product"),
        "Category": _random("Category"),
        "Variant": _random("ProductVariant"),
    }
    mine = {"Product": a_product["id"], "Category": a_category["id"]}

    def cases(id_of: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
        return [
            (PRODUCT, {"id": id_of["Product"]}),
            (CATEGORY, {"id": id_of["Category"]}),
            (CATEGORIES, {"id": id_of["Category"]}),
            (MOVEMENTS, {"id": id_of["Product"]}),
            (PRODUCTS, {"first": 10, "filter": {"categoryId": id_of["Category"]}}),
            (PRODUCTS, {"first": 10, "filter": {"categoryId": id_of["Category"],
                                                "includeArchived": True}}),
            (PRODUCT_CREATE, {"input": {"sku": "A-NEW", "name": "Under B", "price": kes("10"),
                                        "categoryId": id_of["Category"]}}),
            (PRODUCT_UPDATE, {"input": {"id": id_of["Product"], "name": "Mine now"}}),
            (PRODUCT_UPDATE, {"input": {"id": mine["Product"], "categoryId": id_of["Category"]}}),
            (PRODUCT_ARCHIVE, {"id": id_of["Product"]}),
            (VARIANT_CREATE, {"input": {"productId": id_of["Product"], "sku": "A-SKU"}}),
            (VARIANT_UPDATE, {"input": {"id": id_of["Variant"], "sku": "A-SKU-2"}}),
            (VARIANT_ARCHIVE, {"id": id_of["Variant"]}),
            (CATEGORY_CREATE, {"input": {"name": "Under B", "parentId": id_of["Category"]}}),
            (CATEGORY_UPDATE, {"input": {"id": id_of["Category"], "name": "Renamed"}}),
            (CATEGORY_UPDATE, {"input": {"id": mine["Category"], "parentId": id_of["Category"]}}),
            (CATEGORY_ARCHIVE, {"id": id_of["Category"]}),
            (STOCK_ADJUST, {"input": {"productId": id_of["Product"], "delta": -3,
                                      "reason": "LOSS"}}),
            (STOCK_ADJUST, {"input": {"productId": id_of["Product"], "variantId": id_of["Variant"],
                                      "delta": -3, "reason": "LOSS"}}),
            (STOCK_ADJUST, {"input": {"productId": mine["Product"], "variantId": id_of["Variant"],
                                      "delta": -3, "reason": "LOSS"}}),
        ]  # fmt: skip

    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for (query, b_vars), (_, unknown_vars) in zip(cases(ids), cases(unknown), strict=True):
            sent |= root_fields(query)
            with_b = await call(client, headers, query, b_vars)
            with_unknown = await call(client, headers, query, unknown_vars)
            assert with_b == with_unknown, (query, b_vars, with_b, with_unknown)
            (payload,) = with_b.values()
            assert _is_nothing(payload), (query, b_vars, with_b)
    assert sent == ATTACKED_FIELDS

    # Neither B's catalog nor A's own objects that were handed B's IDs changed.
    assert await snapshot(b_headers, b_product["id"]) == b_before
    assert await snapshot(a.key_headers(), a_product["id"]) == a_before
