"""A principal of tenant A, holding B's document and category IDs, learns and changes nothing of
B: every documents and search root field taking an ID answers exactly as it does for an ID that
exists nowhere; and A's searches never return B's products, services or passages."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers
from tests.factories.bookings import make_service
from tests.factories.catalog import call, create_category, create_product, kes
from tests.factories.documents import uploaded
from tests.support.id_coverage import root_fields
from tests.support.polling import eventually
from wabotiq.graphql.relay import to_global_id
from wabotiq.search.runtime import get_engine

DOCUMENT = "query($id: ID!) { document(id: $id) { id name chunkCount } }"
DELETE_DOCUMENT = """
mutation($id: ID!) {
  deleteDocument(input: {id: $id}) { deletedDocumentId userErrors { field message code } }
}
"""
SEARCH = """
query($query: String!, $filter: SearchFilterInput) {
  search(query: $query, filter: $filter, first: 50) {
    understood { text priceMax category }
    hits {
      __typename score
      ... on ProductSearchHit { product { id sku } }
      ... on ServiceSearchHit { service { id code } }
      ... on PassageSearchHit { text document { id } }
    }
  }
}
"""
DOCUMENTS = "{ documents(first: 50) { totalCount nodes { id name chunkCount } } }"
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(DOCUMENT, DELETE_DOCUMENT, SEARCH)

MANUAL = b"# Zawadi Boutique\n\nKitenge dresses are tailored to measure within a week.\n"


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


def _is_nothing(payload: Any) -> bool:
    """No object, a NOT_FOUND userError and nothing else, or no hits."""
    if payload is None:
        return True
    if "userErrors" in payload:
        codes = [e["code"] for e in payload["userErrors"]]
        return codes == ["NOT_FOUND"] and all(
            v is None for k, v in payload.items() if k != "userErrors"
        )
    return payload.get("hits") == []


def _found(data: dict[str, Any]) -> set[str]:
    """The IDs of the products, services and documents a search's hits name."""
    named = ("product", "service", "document")
    return {hit[key]["id"] for hit in data["search"]["hits"] for key in named if key in hit}


async def _stock(client: httpx.AsyncClient, headers: dict[str, str], tag: str) -> dict[str, str]:
    """A category and a product in it; their IDs."""
    category = await create_category(client, headers, f"{tag} dresses")
    product = await create_product(
        client, headers, f"{tag}-KITENGE", name=f"{tag} kitenge dress", price=kes("3500"),
        stock=4, categoryId=category["id"],
    )  # fmt: skip
    return {"category": category["id"], "product": product["id"]}


async def test_document_and_search_ids_of_another_tenant_are_as_good_as_unknown(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    for tenant in (a, b):
        await get_engine().ensure_indexed(tenant.id)
    b_headers = b.key_headers()
    b_ids = await _stock(client, b_headers, "Bee")
    b_service = await make_service(client, b, code="TAILOR", name="Kitenge tailoring")
    b_document = await uploaded(client, b_headers, "zawadi.md", MANUAL, "text/markdown")
    a_ids = await _stock(client, a.key_headers(), "Ay")
    b_everything = {b_ids["product"], b_service["id"], b_document["id"]}

    async def b_indexed() -> bool:
        data = await call(client, b_headers, SEARCH, {"query": "kitenge tailored"})
        return _found(data) == b_everything

    async def a_indexed() -> bool:
        data = await call(client, a.key_headers(), SEARCH, {"query": "kitenge"})
        return [hit["product"]["id"] for hit in data["search"]["hits"]] == [a_ids["product"]]

    await eventually(b_indexed)
    await eventually(a_indexed)
    b_before = await call(client, b_headers, DOCUMENTS)

    def cases(document: str, category: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (DOCUMENT, {"id": document}),
            (DELETE_DOCUMENT, {"id": document}),
            (SEARCH, {"query": "kitenge", "filter": {"categoryId": category}}),
            (SEARCH, {"query": "kitenge", "filter": {"categoryId": category, "kinds": ["PRODUCT"],
                                                      "inStock": True}}),
        ]  # fmt: skip

    b_cases = cases(b_document["id"], b_ids["category"])
    unknown_cases = cases(_random("Document"), _random("Category"))
    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for (query, b_vars), (_, unknown_vars) in zip(b_cases, unknown_cases, strict=True):
            sent |= root_fields(query)
            with_b = await call(client, headers, query, b_vars)
            with_unknown = await call(client, headers, query, unknown_vars)
            assert with_b == with_unknown, (query, b_vars, with_b, with_unknown)
            (payload,) = with_b.values()
            assert _is_nothing(payload), (query, b_vars, with_b)
        # A's searches for what only B holds find none of B's entries.
        for query in ("kitenge tailored to measure", "Zawadi Boutique", "TAILOR", "Bee-KITENGE"):
            data = await call(client, headers, SEARCH, {"query": query})
            assert _found(data) <= {a_ids["product"]}, (query, data)
    assert sent == ATTACKED_FIELDS

    # B's documents are intact and still found.
    assert await call(client, b_headers, DOCUMENTS) == b_before
    assert await b_indexed()
