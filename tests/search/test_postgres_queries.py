"""The Postgres hybrid statement is built by pure functions: terms, the OR query, filters."""

from __future__ import annotations

from decimal import Decimal

from wabotiq.search.postgres.queries import hybrid_search, terms_of, tsquery_text
from wabotiq.search.types import SearchFilter, SearchRequest


def test_terms_are_lowercase_unique_words_without_punctuation() -> None:
    assert terms_of("Samsung A54, samsung? 'OR' & !x 5") == ["samsung", "a54", "or", "5"]


def test_the_text_query_matches_any_term_and_longer_terms_as_prefixes() -> None:
    assert tsquery_text(["laptop", "hp", "a54"]) == "laptop:* | hp | a54:*"


def test_each_retriever_gets_every_filter_and_values_are_parameters() -> None:
    request = SearchRequest(
        text="gaming laptop",
        vector=[0.5, 0.5],
        filter=SearchFilter(
            kinds=frozenset({"product"}),
            price_min=Decimal("100"),
            price_max=Decimal("50000"),
            in_stock=True,
            category_ids=("7d4c3f9e-0000-4000-8000-000000000001",),
        ),
        k=5,
    )
    sql, args = hybrid_search(request)
    for retriever in ("fulltext AS", "trigram AS", "vector AS"):
        assert retriever in sql
    # One WHERE per retriever, each with all five filters.
    assert sql.count("e.kind = ANY($1::text[])") == 3
    assert sql.count("e.price >= $2") == 3 and sql.count("e.price <= $3") == 3
    assert sql.count("e.in_stock = $4") == 3 and sql.count("e.category_ids && $5::uuid[]") == 3
    assert args[:5] == [
        ["product"],
        Decimal("100"),
        Decimal("50000"),
        True,
        ["7d4c3f9e-0000-4000-8000-000000000001"],
    ]
    assert args[5] == "gaming:* | laptop:*"
    assert args[6] == ["gaming", "laptop"]
    assert args[7] == "[0.5,0.5]" and args[-1] == 5
    assert "gaming" not in sql  # user text never reaches the SQL text


def test_retrievers_without_input_are_left_out() -> None:
    sql, _ = hybrid_search(SearchRequest(text="tv", vector=None))
    assert "fulltext AS" in sql and "trigram AS" not in sql and "vector AS" not in sql
    sql, args = hybrid_search(SearchRequest(text="?!", vector=None))
    assert (sql, args) == ("SELECT NULL WHERE false", [])
