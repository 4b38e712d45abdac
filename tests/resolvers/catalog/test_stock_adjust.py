"""stockAdjust: a reasoned, audited movement; stock never goes below zero."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant
from tests.factories.catalog import STOCK_ADJUST, call, create_product, mutate_ok
from wabotiq.core.ids import from_global_id

MOVEMENTS = """
query($id: ID!) {
  stockMovements(productId: $id, first: 50) {
    totalCount
    nodes { productId variantId delta stockAfter reason note reference actor }
  }
}
"""
AUDIT = """
query {
  auditLog(first: 10, filter: {operation: "stockAdjust"}) {
    nodes { operation targetIds outcome actorId }
  }
}
"""
ME = "{ me { apiKey { id } } }"


async def _movements(client: httpx.AsyncClient, headers: dict, product_id: str) -> Any:
    return (await call(client, headers, MOVEMENTS, {"id": product_id}))["stockMovements"]


async def test_stock_adjust_records_a_movement_and_an_audit_entry(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(client, headers, "ADJ", stock=2)
    payload = await mutate_ok(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": product["id"], "delta": 5, "reason": "RESTOCK", "note": "PO 17"}},
    )
    assert payload["product"] == {"id": product["id"], "stock": 7, "inStock": True}
    assert payload["variant"] is None
    await mutate_ok(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": product["id"], "delta": -7, "reason": "DAMAGE"}},
    )

    movements = await _movements(client, headers, product["id"])
    assert movements["totalCount"] == 3
    damage, restock, initial = movements["nodes"]
    assert (damage["delta"], damage["stockAfter"], damage["reason"]) == (-7, 0, "damage")
    assert (restock["delta"], restock["stockAfter"], restock["note"]) == (5, 7, "PO 17")
    assert (initial["delta"], initial["reason"]) == (2, "initial")
    key_id = (await call(client, headers, ME))["me"]["apiKey"]["id"]
    assert restock["actor"] == from_global_id(key_id, "ApiKey")

    audit = (await call(client, headers, AUDIT))["auditLog"]["nodes"]
    assert [(e["operation"], e["targetIds"], e["outcome"]) for e in audit] == [
        ("stockAdjust", [product["id"]], "SUCCESS"),
        ("stockAdjust", [product["id"]], "SUCCESS"),
    ]


async def test_stock_never_goes_below_zero(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(client, headers, "FEW", stock=3)
    data = await call(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": product["id"], "delta": -4, "reason": "LOSS"}},
    )
    (error,) = data["stockAdjust"]["userErrors"]
    assert error["code"] == "NEGATIVE_STOCK" and error["field"] == ["input", "delta"]
    assert "FEW" in error["message"]
    assert data["stockAdjust"]["product"] is None

    movements = await _movements(client, headers, product["id"])
    assert movements["totalCount"] == 1  # the initial stock only
    audit = (await call(client, headers, AUDIT))["auditLog"]["nodes"]
    assert [(e["targetIds"], e["outcome"]) for e in audit] == [([product["id"]], "USER_ERROR")]
    zero = await call(
        client, headers, STOCK_ADJUST, {"input": {"productId": product["id"], "delta": 0,
                                                  "reason": "CORRECTION"}}
    )  # fmt: skip
    assert [e["code"] for e in zero["stockAdjust"]["userErrors"]] == ["INVALID"]


async def test_variant_stock_is_adjusted_on_the_variant_and_its_product(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(
        client,
        headers,
        "JER",
        variants=[{"sku": "JER-M", "stock": 2}, {"sku": "JER-L", "stock": 1}],
    )
    medium = product["variants"][0]
    payload = await mutate_ok(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": product["id"], "variantId": medium["id"], "delta": -2,
                   "reason": "CORRECTION"}},
    )  # fmt: skip
    assert payload["variant"] == {"id": medium["id"], "stock": 0}
    assert payload["product"]["stock"] == 1

    def adjust(**given: Any) -> dict:
        return {"input": {"productId": product["id"], "reason": "RESTOCK", **given}}

    no_variant = await call(client, headers, STOCK_ADJUST, adjust(delta=1))
    assert [e["code"] for e in no_variant["stockAdjust"]["userErrors"]] == ["VARIANT_REQUIRED"]
    below = await call(client, headers, STOCK_ADJUST, adjust(delta=-1, variantId=medium["id"]))
    assert [e["code"] for e in below["stockAdjust"]["userErrors"]] == ["NEGATIVE_STOCK"]
    other = await create_product(client, headers, "OTHER", variants=[{"sku": "OTHER-1"}])
    mismatch = await call(
        client, headers, STOCK_ADJUST, adjust(delta=1, variantId=other["variants"][0]["id"])
    )
    assert [e["code"] for e in mismatch["stockAdjust"]["userErrors"]] == ["NOT_FOUND"]

    movements = await _movements(client, headers, product["id"])
    assert [(m["delta"], m["variantId"]) for m in movements["nodes"]][0] == (-2, medium["id"])
