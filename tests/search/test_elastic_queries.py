from __future__ import annotations

from decimal import Decimal

import pytest

from wabotiq.search.elastic import queries
from wabotiq.search.types import (
    CANDIDATES,
    FULLTEXT,
    RRF_K,
    VECTOR,
    SearchEntry,
    SearchFilter,
    SearchRequest,
)

TENANT = "a1b2c3d4e5f6"
TENANT_TERM = {"term": {"tenant_id": TENANT}}
VEC = [0.6, 0.8, 0.0]


def _entry(**fields: object) -> SearchEntry:
    defaults: dict[str, object] = {
        "kind": "product",
        "entity_id": "e-1",
        "title": "Samsung Galaxy A15",
        "body": "6.5-inch screen",
        "embedding": (0.6, 0.8, 0.0),
    }
    return SearchEntry(**{**defaults, **fields})  # type: ignore[arg-type]


def test_index_names_carry_the_dimension_and_layout():
    assert queries.index_name("wabotiq-search", 384, "0123abcd") == "wabotiq-search-384-0123abcd"
    assert queries.write_alias("wabotiq-search-384-0123abcd") == "wabotiq-search-384-0123abcd-write"
    assert queries.layout_indexes("wabotiq-search", "0123abcd") == "wabotiq-search-*-0123abcd"


def test_stale_indexes_are_our_other_dimensions_and_layouts_only():
    names = [
        "wabotiq-search-384-0123abcd",  # current
        "wabotiq-search-384-9876fedc",  # another layout
        "wabotiq-search-768-0123abcd",  # another dimension
        "wabotiq-search-64",  # named before layouts were
        "wabotiq-search-test-64",  # another prefix
        "wabotiq-search-old",
        "other-768",
    ]
    assert queries.stale_indexes(names, "wabotiq-search", "wabotiq-search-384-0123abcd") == [
        "wabotiq-search-384-9876fedc",
        "wabotiq-search-64",
        "wabotiq-search-768-0123abcd",
    ]


def test_layout_version_follows_synonyms_and_mappings_only():
    settings, mappings = queries.index_settings(), queries.index_mappings(0)
    version = queries.layout_version(settings, mappings)
    assert len(version) == 8 and int(version, 16) >= 0
    assert queries.layout_version(queries.index_settings(), queries.index_mappings(0)) == version
    edited = queries.index_settings([*queries.SYNONYMS, "mkate, bread"])
    assert queries.layout_version(edited, mappings) != version
    remapped = {**mappings, "dynamic": "true"}
    assert queries.layout_version(settings, remapped) != version


def test_settings_allow_the_edge_ngram_span():
    settings = queries.index_settings()
    grams = settings["analysis"]["filter"]["wabotiq_edge_ngram"]
    assert (grams["min_gram"], grams["max_gram"]) == (2, 15)
    assert settings["index"]["max_ngram_diff"] == 13


@pytest.mark.parametrize(
    ("vector", "usable"),
    [
        ([0.6, 0.8, 0.0], True),
        ([0.0, 0.0, 0.0], False),
        ([-0.0, 0.0], False),
        ([1e-30, 0.0], False),  # its square underflows float32, where the server sums
        ([1e-15, 0.0], True),
        ([float("nan"), 1.0], False),
        ([float("inf"), 1.0], False),
        ([], False),
    ],
)
def test_usable_vector_is_what_cosine_accepts(vector: list[float], usable: bool):
    assert queries.usable_vector(vector) is usable


def test_a_zero_query_vector_is_dropped_and_a_real_one_kept():
    zero = SearchRequest("simu", [0.0, 0.0, 0.0], k=3)
    assert queries.searchable(zero) == SearchRequest("simu", None, k=3)
    real = SearchRequest("simu", VEC, k=3)
    assert queries.searchable(real) is real


def test_document_with_a_zero_embedding_has_no_vector_field():
    doc = queries.document(TENANT, _entry(embedding=(0.0, 0.0, 0.0)))
    assert "embedding" not in doc and doc["title"] == "Samsung Galaxy A15"


def test_mapping_indexes_vectors_as_int8_hnsw_cosine_of_the_dimension():
    vector = queries.index_mappings(384)["properties"]["embedding"]
    assert vector == {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "int8_hnsw"},
    }


def test_mapping_fields_for_filters_and_search():
    mapping = queries.index_mappings(64)
    props = mapping["properties"]
    assert mapping["dynamic"] == "strict"
    for keyword in ("tenant_id", "kind", "entity_id", "category_ids", "code", "source"):
        assert props[keyword]["type"] == "keyword", keyword
    assert props["code"]["fields"]["text"]["type"] == "text"
    assert props["price"] == {"type": "scaled_float", "scaling_factor": 100}
    assert props["in_stock"] == {"type": "boolean"}
    for text in ("title", "body"):
        assert props[text]["analyzer"] == queries.TEXT_ANALYZER
        assert props[text]["search_analyzer"] == queries.SEARCH_ANALYZER
    prefix = props["title"]["fields"]["prefix"]
    assert (prefix["analyzer"], prefix["search_analyzer"]) == (
        queries.PREFIX_ANALYZER,
        queries.TEXT_ANALYZER,
    )


def test_analyzer_chain_folds_then_adds_synonyms_at_search_and_ngrams_at_index():
    analysis = queries.index_settings(["simu, phone"])["analysis"]
    analyzers, filters = analysis["analyzer"], analysis["filter"]
    assert analyzers[queries.TEXT_ANALYZER] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "asciifolding"],
    }
    search = analyzers[queries.SEARCH_ANALYZER]["filter"]
    assert search[:2] == ["lowercase", "asciifolding"]
    assert filters[search[2]] == {"type": "synonym_graph", "synonyms": ["simu, phone"]}
    prefix = analyzers[queries.PREFIX_ANALYZER]["filter"]
    assert prefix[:2] == ["lowercase", "asciifolding"]
    assert filters[prefix[2]]["type"] == "edge_ngram"


def test_default_synonyms_are_inline_equivalences():
    synonyms = queries.index_settings()["analysis"]["filter"]["wabotiq_synonyms"]["synonyms"]
    assert "simu, phone, smartphone" in synonyms
    assert all("=>" not in rule and "," in rule for rule in synonyms)


def test_bulk_action_indexes_by_tenant_scoped_id_with_routing():
    entry = _entry(
        chunk=2,
        code="SM-A155",
        category_ids=("c-phones", "c-electronics"),
        price=Decimal("21999.50"),
        in_stock=False,
        source="catalog.pdf",
    )
    action = queries.bulk_action("wabotiq-search-3", TENANT, entry)
    assert action == {
        "_op_type": "index",
        "_index": "wabotiq-search-3",
        "_id": f"{TENANT}:product:e-1:2",
        "routing": TENANT,
        "_source": {
            "tenant_id": TENANT,
            "kind": "product",
            "entity_id": "e-1",
            "chunk": 2,
            "title": "Samsung Galaxy A15",
            "body": "6.5-inch screen",
            "code": "SM-A155",
            "category_ids": ["c-phones", "c-electronics"],
            "in_stock": False,
            "source": "catalog.pdf",
            "embedding": [0.6, 0.8, 0.0],
            "price": "21999.50",
        },
    }


def test_document_without_price_leaves_the_field_out():
    assert "price" not in queries.document(TENANT, _entry())


def test_filters_always_start_with_the_tenant():
    assert queries.filter_clauses(TENANT, SearchFilter()) == [TENANT_TERM]


def test_filters_translate_each_condition():
    flt = SearchFilter(
        kinds=frozenset({"service", "product"}),
        price_min=Decimal("1000"),
        price_max=Decimal("40000.50"),
        in_stock=True,
        category_ids=("c-1", "c-2"),
    )
    assert queries.filter_clauses(TENANT, flt) == [
        TENANT_TERM,
        {"terms": {"kind": ["product", "service"]}},
        {"range": {"price": {"gte": 1000.0, "lte": 40000.5}}},
        {"term": {"in_stock": True}},
        {"terms": {"category_ids": ["c-1", "c-2"]}},
    ]


def test_open_price_range_and_out_of_stock():
    assert queries.filter_clauses(TENANT, SearchFilter(price_max=Decimal(500), in_stock=False)) == [
        TENANT_TERM,
        {"range": {"price": {"lte": 500.0}}},
        {"term": {"in_stock": False}},
    ]


def test_bm25_query_is_fuzzy_on_main_fields_with_prefix_and_exact_code():
    flt = SearchFilter(in_stock=True)
    bool_query = queries.bm25_query(TENANT, "samsng a15", flt)["bool"]
    fuzzy, prefix, code = bool_query["should"]
    assert fuzzy["multi_match"]["query"] == "samsng a15"
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert set(fuzzy["multi_match"]["fields"]) == {"title^3", "code.text^2", "body"}
    assert "fuzziness" not in prefix["match"]["title.prefix"]
    assert code["term"]["code"]["case_insensitive"] is True
    assert bool_query["minimum_should_match"] == 1
    assert bool_query["filter"] == queries.filter_clauses(TENANT, flt)
    assert bool_query["_name"] == FULLTEXT


def test_knn_prefilters_on_tenant_and_filters():
    flt = SearchFilter(kinds=frozenset({"product"}), price_max=Decimal("50000"))
    knn = queries.knn_clause(TENANT, VEC, flt)
    assert knn["field"] == "embedding"
    assert knn["query_vector"] == VEC
    assert knn["k"] == CANDIDATES
    assert CANDIDATES < knn["num_candidates"] <= 10_000
    assert knn["filter"] == queries.filter_clauses(TENANT, flt)
    assert TENANT_TERM in knn["filter"]


def test_num_candidates_has_a_floor_and_the_server_ceiling():
    assert queries.num_candidates(5) == 100
    assert queries.num_candidates(50) == 200
    assert queries.num_candidates(5000) == 10_000


def test_msearch_sends_bm25_then_knn_with_index_and_routing_headers():
    flt = SearchFilter(in_stock=True)
    request = SearchRequest(text="simu", vector=VEC, filter=flt, k=5)
    names, lines = queries.msearch_searches("wabotiq-search-3", TENANT, request)
    assert names == (FULLTEXT, VECTOR)
    header = {"index": "wabotiq-search-3", "routing": TENANT, "ignore_unavailable": True}
    assert [lines[0], lines[2]] == [header, header]
    bm25, knn = lines[1], lines[3]
    assert bm25["query"] == queries.bm25_query(TENANT, "simu", flt)
    assert knn["knn"] == queries.knn_clause(TENANT, VEC, flt)
    for body in (bm25, knn):
        assert body["size"] == CANDIDATES  # candidates per retriever, fused down to k later
        assert "embedding" not in body["_source"]
        assert set(body["_source"]) >= {"kind", "entity_id", "chunk", "title", "body"}


def test_msearch_without_vector_is_bm25_only():
    names, lines = queries.msearch_searches("wabotiq-search", TENANT, SearchRequest("simu", None))
    assert names == (FULLTEXT,)
    assert len(lines) == 2 and "query" in lines[1]


def test_rrf_retriever_body_fuses_named_standard_and_knn():
    flt = SearchFilter(category_ids=("c-1",))
    body = queries.rrf_search_body(TENANT, SearchRequest("friji", VEC, flt, k=7))
    rrf = body["retriever"]["rrf"]
    standard, knn = rrf["retrievers"]
    assert standard == {
        "standard": {"query": queries.bm25_query(TENANT, "friji", flt), "_name": FULLTEXT}
    }
    assert knn == {"knn": {**queries.knn_clause(TENANT, VEC, flt), "_name": VECTOR}}
    assert TENANT_TERM in knn["knn"]["filter"]
    assert rrf["rank_constant"] == RRF_K
    assert rrf["rank_window_size"] == CANDIDATES
    assert body["size"] == 7


def test_rrf_window_is_never_below_k():
    body = queries.rrf_search_body(TENANT, SearchRequest("x", VEC, k=CANDIDATES + 10))
    assert body["retriever"]["rrf"]["rank_window_size"] == CANDIDATES + 10


def test_rrf_body_needs_a_vector():
    with pytest.raises(ValueError):
        queries.rrf_search_body(TENANT, SearchRequest("x", None))


def test_delete_queries_are_scoped_to_the_tenant():
    assert queries.tenant_query(TENANT) == {"bool": {"filter": [TENANT_TERM]}}
    assert queries.entities_query(TENANT, "passage", ["d-1", "d-2"]) == {
        "bool": {
            "filter": [
                TENANT_TERM,
                {"term": {"kind": "passage"}},
                {"terms": {"entity_id": ["d-1", "d-2"]}},
            ]
        }
    }


def test_blank_text_has_no_exact_code_clause():
    should = queries.bm25_query(TENANT, "  ", SearchFilter())["bool"]["should"]
    assert all("term" not in clause for clause in should)
    assert queries.bm25_query(TENANT, " SM-A155 ", SearchFilter())["bool"]["should"][2] == {
        "term": {"code": {"value": "SM-A155", "case_insensitive": True, "boost": 5}}
    }
