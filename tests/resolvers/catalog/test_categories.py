"""The category tree through GraphQL: create, read, move (never under itself), archive."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant
from tests.factories.catalog import (
    CATEGORY_ARCHIVE,
    CATEGORY_CREATE,
    CATEGORY_UPDATE,
    PRODUCT_CREATE,
    call,
    create_category,
    create_product,
    kes,
    mutate_ok,
)

TREE = """
query($parentId: ID, $archived: Boolean! = false) {
  categories(parentId: $parentId, includeArchived: $archived, first: 50) {
    totalCount
    nodes { id name slug position productCount parent { name } children { name } }
  }
}
"""
CATEGORY = "query($id: ID!) { category(id: $id) { id name archivedAt parent { name } } }"


async def _codes(client: httpx.AsyncClient, headers: dict, query: str, given: dict) -> list[str]:
    data = await call(client, headers, query, given)
    return [e["code"] for e in next(iter(data.values()))["userErrors"]]


async def _tree(client: httpx.AsyncClient, headers: dict, **variables: Any) -> dict[str, Any]:
    return (await call(client, headers, TREE, variables))["categories"]  # type: ignore[no-any-return]


async def test_category_tree_reads_top_down_and_bottom_up(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    electronics = await create_category(client, headers, "Electronics")
    phones = await create_category(client, headers, "Phones", parentId=electronics["id"])
    await create_category(client, headers, "Laptops", parentId=electronics["id"], position=-1)
    beauty = await create_category(client, headers, "Beauty", position=5)
    await create_product(client, headers, "P1", categoryId=phones["id"])
    await create_product(client, headers, "P2", categoryId=phones["id"])

    top = await _tree(client, headers)
    assert top["totalCount"] == 2
    assert [n["name"] for n in top["nodes"]] == ["Electronics", "Beauty"]
    assert top["nodes"][0]["children"] == [{"name": "Laptops"}, {"name": "Phones"}]
    assert top["nodes"][0]["parent"] is None
    below = await _tree(client, headers, parentId=electronics["id"])
    assert [(n["name"], n["productCount"]) for n in below["nodes"]] == [
        ("Laptops", 0),
        ("Phones", 2),
    ]
    assert below["nodes"][1]["parent"] == {"name": "Electronics"}
    assert phones["slug"] == "phones" and beauty["slug"] == "beauty"
    # Same name elsewhere in the tree: allowed, with a slug of its own.
    again = await create_category(client, headers, "Phones", parentId=beauty["id"])
    assert again["slug"] == "phones-2"


async def test_category_cannot_move_under_itself_or_its_descendants(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    a = await create_category(client, headers, "A")
    b = await create_category(client, headers, "B", parentId=a["id"])
    c = await create_category(client, headers, "C", parentId=b["id"])

    for target in (a, b, c):
        codes = await _codes(
            client, headers, CATEGORY_UPDATE, {"input": {"id": a["id"], "parentId": target["id"]}}
        )
        assert codes == ["CATEGORY_CYCLE"]
    # A legal move, then back to the top.
    moved = await mutate_ok(
        client, headers, CATEGORY_UPDATE, {"input": {"id": c["id"], "parentId": a["id"]}}
    )
    assert moved["category"]["parent"] == {"id": a["id"], "name": "A"}
    top = await mutate_ok(
        client,
        headers,
        CATEGORY_UPDATE,
        {"input": {"id": b["id"], "parentId": None, "name": "Bee"}},
    )
    assert top["category"]["parent"] is None and top["category"]["name"] == "Bee"
    # Now B sits at the top: A may go under it.
    await mutate_ok(
        client, headers, CATEGORY_UPDATE, {"input": {"id": a["id"], "parentId": b["id"]}}
    )


async def test_category_parent_must_be_a_live_category_of_this_tenant(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    headers = tenant.key_headers()
    foreign = await create_category(client, other.key_headers(), "Theirs")
    codes = await _codes(
        client, headers, CATEGORY_CREATE, {"input": {"name": "X", "parentId": foreign["id"]}}
    )
    assert codes == ["NOT_FOUND"]
    old = await create_category(client, headers, "Old")
    await mutate_ok(client, headers, CATEGORY_ARCHIVE, {"id": old["id"]})
    codes = await _codes(
        client, headers, CATEGORY_CREATE, {"input": {"name": "X", "parentId": old["id"]}}
    )
    assert codes == ["ARCHIVED"]
    assert await _codes(client, headers, CATEGORY_CREATE, {"input": {"name": "  "}}) == ["INVALID"]
    assert (await _tree(client, headers))["totalCount"] == 0


async def test_archiving_a_category(client: httpx.AsyncClient, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    parent = await create_category(client, headers, "Parent")
    child = await create_category(client, headers, "Child", parentId=parent["id"])
    product = await create_product(client, headers, "IN-CHILD", categoryId=child["id"])

    assert await _codes(client, headers, CATEGORY_ARCHIVE, {"id": parent["id"]}) == [
        "CATEGORY_NOT_EMPTY"
    ]
    archived = await mutate_ok(client, headers, CATEGORY_ARCHIVE, {"id": child["id"]})
    assert archived["category"]["archivedAt"] is not None
    await mutate_ok(client, headers, CATEGORY_ARCHIVE, {"id": parent["id"]})

    assert (await _tree(client, headers))["totalCount"] == 0
    assert (await _tree(client, headers, archived=True))["totalCount"] == 1
    read = await call(client, headers, CATEGORY, {"id": child["id"]})
    assert read["category"]["archivedAt"] is not None
    assert read["category"]["parent"] == {"name": "Parent"}
    # Its product still names it; new products cannot be put in it.
    assert product["category"]["id"] == child["id"]
    codes = await _codes(
        client,
        headers,
        PRODUCT_CREATE,
        {"input": {"sku": "LATE", "name": "Late", "price": kes("1"), "categoryId": child["id"]}},
    )
    assert codes == ["ARCHIVED"]
