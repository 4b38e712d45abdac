"""Catalog changes write product events to the tenant's outbox, in the same transaction: a
refused mutation leaves none, even when it had written some before it was refused."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.catalog import (
    PRODUCT_ARCHIVE,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    STOCK_ADJUST,
    VARIANT_CREATE,
    call,
    create_product,
    kes,
    list_products,
    mutate_ok,
)
from wabotiq.core.ids import from_global_id
from wabotiq.db.connection import get_pool


async def _events(tenant: TenantFixture) -> list[tuple[str, str, str, dict[str, Any]]]:
    async with get_pool().acquire() as connection:
        rows = await connection.fetch(
            f"SELECT aggregate_type, aggregate_id, event_type, payload::text"
            f" FROM t_{tenant.id}.outbox ORDER BY id"
        )
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


async def test_each_change_leaves_its_product_event(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(client, headers, "EV-1", stock=3)
    raw_id = from_global_id(product["id"], "Product")
    await mutate_ok(client, headers, PRODUCT_UPDATE, {"input": {"id": product["id"], "name": "N"}})
    await mutate_ok(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": product["id"], "delta": -1, "reason": "LOSS"}},
    )
    await mutate_ok(client, headers, PRODUCT_ARCHIVE, {"id": product["id"]})

    events = await _events(tenant)
    assert [(a, i, e) for a, i, e, _ in events] == [
        ("product", raw_id, "created"),
        ("product", raw_id, "updated"),
        ("product", raw_id, "stock_changed"),
        ("product", raw_id, "archived"),
    ]
    assert events[0][3] == {"product_id": raw_id, "sku": "EV-1"}
    assert events[1][3]["fields"] == ["name"]
    stock = events[2][3]
    assert (stock["delta"], stock["stock"], stock["reason"]) == (-1, 2, "loss")


async def test_a_refused_mutation_leaves_no_event(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    taken = await create_product(client, headers, "TAKEN", stock=1)
    before = await _events(tenant)

    # The product row and its `created` event are written before the second variant's SKU
    # is found taken: the whole mutation is rolled back.
    given = {
        "sku": "FRESH",
        "name": "Fresh",
        "price": kes("10"),
        "variants": [{"sku": "FRESH-1", "stock": 2}, {"sku": "TAKEN"}],
    }
    data = await call(client, headers, PRODUCT_CREATE, {"input": given})
    assert [e["code"] for e in data["productCreate"]["userErrors"]] == ["SKU_TAKEN"]
    refused_adjust = await call(
        client,
        headers,
        STOCK_ADJUST,
        {"input": {"productId": taken["id"], "delta": -2, "reason": "LOSS"}},
    )
    assert refused_adjust["stockAdjust"]["userErrors"]
    refused_variant = await call(
        client, headers, VARIANT_CREATE, {"input": {"productId": taken["id"], "sku": "T-1"}}
    )
    assert refused_variant["variantCreate"]["userErrors"]

    assert await _events(tenant) == before
    page = await list_products(client, headers, filter={"includeArchived": True})
    assert [edge["node"]["sku"] for edge in page["edges"]] == ["TAKEN"]
    # And the rolled-back SKU is free again.
    await create_product(client, headers, "FRESH-1")
