"""The `search` query through GraphQL over HTTP: products, services and document passages with
their scores and retrievers, filters, the query's reading, access, and batched loading."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.bookings import key_with_scopes, make_service
from tests.factories.catalog import call, create_category, create_product, kes
from tests.factories.documents import uploaded
from tests.support.polling import eventually
from wabotiq.core.ids import from_global_id
from wabotiq.core.tenant import tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.domain.catalog.categories import create_category as create_category_row
from wabotiq.domain.catalog.service import ProductSpec, VariantSpec
from wabotiq.domain.catalog.service import create_product as create_product_row
from wabotiq.search.runtime import get_engine
from wabotiq.tenancy.service import tenant_ref

SEARCH = """
query($query: String!, $context: [String!], $filter: SearchFilterInput, $first: Int) {
  search(query: $query, context: $context, filter: $filter, first: $first) {
    understood { text terms priceMin priceMax inStock category cheap }
    noMatch
    hits {
      __typename score retrievers
      ... on ProductSearchHit { product { id sku name effectivePrice { amount } inStock } }
      ... on ServiceSearchHit { service { id code name price { amount } } }
      ... on PassageSearchHit { text location chunk document { id name } }
    }
  }
}
"""
REPAIRS_MD = b"""# Repairs

We repair cracked phone screens within two days; bring the phone and its receipt.
"""


EVERYTHING = {"A54", "SPARK", "N105", "FRIDGE", "SCR", "CUT", "doc:repairs.md"}
# A word of every entry: the full-text retriever finds each one, so none is a mere neighbour.
EVERY_WORD = "samsung tecno nokia fridge haircut repair"


@dataclass
class Shop:
    client: httpx.AsyncClient
    tenant: TenantFixture
    ids: dict[str, str]  # SKUs, service codes and document names -> global IDs
    categories: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.key_headers()

    async def search(self, query: str, **variables: Any) -> dict[str, Any]:
        data = await call(self.client, self.headers, SEARCH, {"query": query, **variables})
        return data["search"]  # type: ignore[no-any-return]

    async def found(self, query: str, **variables: Any) -> set[str]:
        return {key_of(hit) for hit in (await self.search(query, **variables))["hits"]}


def key_of(hit: dict[str, Any]) -> str:
    """A hit's SKU, service code or `doc:<document name>`."""
    if "product" in hit:
        return str(hit["product"]["sku"])
    if "service" in hit:
        return str(hit["service"]["code"])
    return f"doc:{hit['document']['name']}"


async def open_shop(client: httpx.AsyncClient, make_tenant: MakeTenant) -> Shop:
    """Phones, a fridge, two services and a repairs document, all indexed."""
    tenant = await make_tenant()
    # Built up front, the index then follows each event instead of being rebuilt under it.
    await get_engine().ensure_indexed(tenant.id)
    headers = tenant.key_headers()
    phones = await create_category(client, headers, "Phones")
    smartphones = await create_category(client, headers, "Smartphones", parentId=phones["id"])
    appliances = await create_category(client, headers, "Appliances")
    products = [
        ("A54", "Samsung Galaxy A54", "45000", 3, smartphones, "Android smartphone, 128GB"),
        ("SPARK", "Tecno Spark 20", "15000", 5, smartphones, "Android phone with a big battery"),
        ("N105", "Nokia 105", "2500", 0, phones, "Feature phone with a torch"),
        ("FRIDGE", "Hotpoint Fridge 138L", "38000", 2, appliances, "Single door refrigerator"),
    ]
    ids = {}
    for sku, name, price, stock, category, description in products:
        made = await create_product(
            client, headers, sku, name=name, price=kes(price), stock=stock,
            categoryId=category["id"], description=description,
        )  # fmt: skip
        ids[sku] = made["id"]
    for code, name, price in (("SCR", "Phone screen repair", "3000"), ("CUT", "Haircut", "500")):
        made = await make_service(
            client, tenant, code=code, name=name, price={"amount": price, "currency": "KES"}
        )
        ids[code] = made["id"]
    document = await uploaded(client, headers, "repairs.md", REPAIRS_MD, "text/markdown")
    ids["doc:repairs.md"] = document["id"]
    shop = Shop(
        client, tenant, ids,
        {"phones": phones["id"], "smartphones": smartphones["id"], "appliances": appliances["id"]},
    )  # fmt: skip

    async def indexed() -> bool:
        return await shop.found(EVERY_WORD, first=50) == EVERYTHING

    await eventually(indexed)
    return shop


async def test_search_finds_products_services_and_passages_with_scores_and_retrievers(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    shop = await open_shop(client, make_tenant)
    results = await shop.search("phone screen repair", first=10)
    hits = results["hits"]
    kinds = {hit["__typename"] for hit in hits}
    assert kinds == {"ProductSearchHit", "ServiceSearchHit", "PassageSearchHit"}, hits
    assert key_of(hits[0]) in {"SCR", "doc:repairs.md"}, hits  # the closest matches lead
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True) and all(score > 0 for score in scores)
    for hit in hits:
        assert hit["retrievers"], hit
        assert set(hit["retrievers"]) <= {"FULLTEXT", "TRIGRAM", "VECTOR"}
    service = next(hit for hit in hits if hit["__typename"] == "ServiceSearchHit")
    assert service["service"] == {
        "id": shop.ids["SCR"], "code": "SCR", "name": "Phone screen repair",
        "price": {"amount": "3000.00"},
    }  # fmt: skip
    assert "FULLTEXT" in service["retrievers"]
    passage = next(hit for hit in hits if hit["__typename"] == "PassageSearchHit")
    assert passage["document"]["id"] == shop.ids["doc:repairs.md"]
    assert "cracked phone screens" in passage["text"]
    assert (passage["location"], passage["chunk"]) == ("Repairs", 0)
    product = next(hit for hit in hits if hit["__typename"] == "ProductSearchHit")
    assert product["product"]["id"] == shop.ids[product["product"]["sku"]]
    # A typo is still found, by the trigram retriever.
    typo = await shop.search("samsng galaxi", first=3)
    assert key_of(typo["hits"][0]) == "A54"
    assert "TRIGRAM" in typo["hits"][0]["retrievers"]


async def test_filters_narrow_the_hits(client: httpx.AsyncClient, make_tenant: MakeTenant) -> None:
    shop = await open_shop(client, make_tenant)
    products, cats = ["PRODUCT"], shop.categories
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"kinds": products}, {"A54", "SPARK", "N105", "FRIDGE"}),
        ({"kinds": ["SERVICE"]}, {"SCR", "CUT"}),
        ({"kinds": ["PASSAGE"]}, {"doc:repairs.md"}),
        ({"kinds": ["SERVICE", "PASSAGE"]}, {"SCR", "CUT", "doc:repairs.md"}),
        ({"kinds": products, "priceMax": "20000"}, {"SPARK", "N105"}),
        ({"priceMin": "2500", "priceMax": "20000"}, {"SPARK", "N105", "SCR"}),
        ({"priceMin": "38000"}, {"A54", "FRIDGE"}),
        ({"kinds": products, "inStock": True}, {"A54", "SPARK", "FRIDGE"}),
        ({"kinds": products, "inStock": False}, {"N105"}),
        ({"categoryId": cats["phones"]}, {"A54", "SPARK", "N105"}),  # subcategories too
        ({"categoryId": cats["smartphones"]}, {"A54", "SPARK"}),
        ({"categoryId": cats["smartphones"], "priceMax": "20000"}, {"SPARK"}),
        ({"categoryId": cats["appliances"], "inStock": False}, set()),
    ]
    for given, expected in cases:
        # Words of every entry: only the filter decides.
        assert await shop.found(EVERY_WORD, filter=given, first=50) == expected, given


async def test_the_query_is_read_for_budget_and_an_explicit_filter_wins(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    shop = await open_shop(client, make_tenant)
    results = await shop.search("simu chini ya 20k", first=50)
    understood = results["understood"]
    assert Decimal(understood["priceMax"]) == 20000 and understood["priceMin"] is None
    assert "phone" in understood["terms"] and "phone" in understood["text"]
    assert understood["category"] == "phones"  # a hint: its products come first, none hidden
    keys = [key_of(hit) for hit in results["hits"]]
    assert keys[:2] == ["SPARK", "N105"]  # nearer the budget first
    assert set(keys) == {"SPARK", "N105", "SCR", "CUT"}
    assert not results["noMatch"]
    # Without the hint the budget alone filters: services within it, no passages (no price).
    budget = await shop.found("chini ya 20k", first=50)
    assert budget == {"SPARK", "N105", "SCR", "CUT"}
    # Earlier messages carry the product over; the budget comes from this one.
    context = await shop.search("budget ni 50k", context=["Niaje, una simu gani?"], first=50)
    assert Decimal(context["understood"]["priceMax"]) == 50000
    assert "phone" in context["understood"]["terms"]
    # An explicit filter wins over the budget read from the words.
    wider = await shop.search(
        "simu chini ya 20k", filter={"kinds": ["PRODUCT"], "priceMax": "50000"}, first=50
    )
    keys = [key_of(hit) for hit in wider["hits"]]
    assert set(keys[:3]) == {"A54", "SPARK", "N105"}  # the hinted phones first
    assert keys[3:] == ["FRIDGE"]
    # Nothing in the shop shares a word with a motorbike: said so, no neighbours offered.
    nothing = await shop.search("Mnauza pikipiki?", first=50)
    assert nothing["noMatch"] and nothing["hits"] == []


async def test_search_needs_catalog_view_a_query_and_a_sane_page_size(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    without = await key_with_scopes(client, tenant, ["orders:view"])
    refused = await gql(client, SEARCH, {"query": "simu"}, without)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["errors"][0]["extensions"]["missingScopes"] == ["catalog:view"]
    allowed = await key_with_scopes(client, tenant, ["catalog:view"])
    body = await gql(client, SEARCH, {"query": "simu"}, allowed)
    assert body.get("errors") is None and body["data"]["search"]["hits"] == [], body

    for variables, message in (
        ({"query": "simu", "first": 101}, "between 1 and 100"),
        ({"query": "simu", "first": 0}, "between 1 and 100"),
        ({"query": "   "}, "`query`"),
    ):
        body = await gql(client, SEARCH, variables, allowed)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", body
        assert message in error["message"], body


async def test_hits_whose_entity_vanished_since_indexing_are_dropped(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    shop = await open_shop(client, make_tenant)
    product_id = from_global_id(shop.ids["FRIDGE"], "Product")
    document_id = from_global_id(shop.ids["doc:repairs.md"], "Document")
    schema = f"t_{shop.tenant.id}"
    async with get_pool().acquire() as connection:  # behind the outbox's back: no event
        await connection.execute(
            f"DELETE FROM {schema}.stock_movements WHERE product_id = $1", uuid.UUID(product_id)
        )
        await connection.execute(
            f"DELETE FROM {schema}.products WHERE id = $1", uuid.UUID(product_id)
        )
        await connection.execute(
            f"DELETE FROM {schema}.documents WHERE id = $1", uuid.UUID(document_id)
        )
    stale = await get_engine().search(shop.tenant.id, "fridge repair", first=50)
    assert {product_id, document_id} <= {hit.entity_id for hit in stale.hits}
    assert await shop.found("fridge repair", first=50) == EVERYTHING - {"FRIDGE", "doc:repairs.md"}


# The exact statements a search page of products takes, whatever the number of hits: the key,
# the category hint, the search, then one batch per relation (products, variants, categories).
SEARCH_PAGE = 6
COUNTED = """
query($first: Int!) {
  search(query: "oraimo earbuds", filter: {kinds: [PRODUCT]}, first: $first) {
    understood { text }
    hits {
      score retrievers
      ... on ProductSearchHit {
        product { id sku effectivePrice { amount } category { name } variants { sku } }
      }
    }
  }
}
"""


async def test_statement_count_is_the_same_for_2_and_10_product_hits(
    client: httpx.AsyncClient, make_tenant: MakeTenant, count_statements: Any
) -> None:
    tenant = await make_tenant()
    with tenant_context(tenant_ref(tenant.provisioned.tenant)):
        async with in_transaction():
            categories = [await create_category_row(name=f"Audio {n}") for n in range(3)]
            for n in range(12):
                await create_product_row(
                    spec=ProductSpec(
                        sku=f"ORA-{n:02}",
                        name=f"Oraimo earbuds {n}",
                        price=Decimal("2500") + n,
                        category_id=categories[n % 3].id,
                        variants=[VariantSpec(sku=f"ORA-{n:02}-B", stock=1)],
                    )
                )
    await get_engine().reindex(tenant.id)
    headers = tenant.key_headers()

    async def counted(first: int) -> tuple[list[dict[str, Any]], list[str]]:
        with count_statements() as sent:
            body = await gql(client, COUNTED, {"first": first}, headers)
        assert body["_status"] == 200 and not body.get("errors"), body
        return body["data"]["search"]["hits"], sent

    await counted(1)  # warm: the model, caches, the key's last use
    few_hits, few = await counted(2)
    many_hits, many = await counted(10)
    assert len(few_hits) == 2 and len(many_hits) == 10
    assert all(hit["product"]["variants"] and hit["product"]["category"] for hit in many_hits)
    # Exact, not merely equal: a counter that broke and counted nothing would give 0 == 0.
    assert (len(few), len(many)) == (SEARCH_PAGE, SEARCH_PAGE), "\n".join(
        ["2 hits:", *few, "10 hits:", *many]
    )
    assert sum('FROM "products"' in s or "FROM products" in s for s in many) == 1, many
