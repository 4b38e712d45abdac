"""The re-weighing of candidates by fit, on hand-made hits: each wish moves a fitting hit above
a better-scored misfit, budgets order by nearness, nothing is dropped, ties go by id."""

from __future__ import annotations

from decimal import Decimal

from wabotiq.search.ranking import Budget, matches_words, rank
from wabotiq.search.types import FULLTEXT, TRIGRAM, VECTOR, Kind, SearchHit
from wabotiq.search.understanding import understand

PHONES, ACCESSORIES = "c-phones", "c-accessories"


def hit(
    title: str,
    *,
    score: float = 0.03,
    kind: Kind = "product",
    price: str | None = None,
    categories: tuple[str, ...] = (),
    body: str = "",
    entity: str | None = None,
    retrievers: tuple[str, ...] = (FULLTEXT, VECTOR),
) -> SearchHit:
    return SearchHit(
        kind=kind,
        entity_id=entity or title.lower().replace(" ", "-"),
        chunk=0,
        score=score,
        retrievers=retrievers,
        title=title,
        code="",
        source="",
        body=body,
        price=None if price is None else Decimal(price),
        category_ids=categories,
    )


def titles(hits: list[SearchHit]) -> list[str]:
    return [h.title for h in hits]


def test_a_named_brand_lifts_its_items_above_better_worded_ones() -> None:
    hits = [hit("TCL 43 inch smart TV television", score=0.045), hit("Samsung 55 TV", score=0.03)]

    assert titles(rank(hits, understand("Samsung TV"))) == ["Samsung 55 TV", hits[0].title]


def test_a_model_number_names_its_brand() -> None:
    hits = [hit("Xiaomi Redmi 13C", score=0.03), hit("Samsung Galaxy A54", score=0.029)]

    ranked = rank(hits, understand("A54 or Redmi 13C, which is better?"))

    assert titles(ranked) == ["Xiaomi Redmi 13C", "Samsung Galaxy A54"]  # neither demoted


def test_sizes_match_exactly_before_near_neighbours() -> None:
    hits = [hit("Hisense 50 inch TV", score=0.045), hit("LG 55-inch TV", score=0.03)]

    assert titles(rank(hits, understand("TV ya inchi 55")))[0] == "LG 55-inch TV"
    gas = [hit("6kg Gas Cylinder", score=0.045), hit("13kg Gas Cylinder", score=0.03)]
    assert titles(rank(gas, understand("mtungi wa 13 kg")))[0] == "13kg Gas Cylinder"


def test_a_repair_need_lifts_the_service_over_the_product_it_names() -> None:
    hits = [
        hit("Samsung Galaxy A15 phone", score=0.045, categories=(PHONES,)),
        hit("Phone Battery Replacement", score=0.03, kind="service"),
    ]

    query = understand("simu yangu haishiki chaji")
    ranked = rank(hits, query, category_ids=frozenset({PHONES}))

    assert query.service
    assert titles(ranked)[0] == "Phone Battery Replacement"


def test_a_category_hint_lifts_its_products_but_hides_no_passage() -> None:
    hits = [
        hit("Phone case", score=0.045, categories=(ACCESSORIES,)),
        hit("Returns policy", score=0.04, kind="passage"),
        hit("Samsung A15", score=0.03, categories=(PHONES,)),
    ]

    ranked = rank(
        hits, understand("can I return an opened phone?"), category_ids=frozenset({PHONES})
    )

    assert titles(ranked) == ["Returns policy", "Samsung A15", "Phone case"]


def test_a_budget_prefers_the_nearest_price_under_it() -> None:
    hits = [
        hit("Feature phone", score=0.045, price="1200"),
        hit("Smartphone", score=0.04, price="14500"),
        hit("Other smartphone", score=0.04, price="9000"),
    ]
    budget = Budget(high=Decimal(15000))

    ranked = rank(hits, understand("15 thao, simu gani poa?"), budget=budget)

    assert titles(ranked) == ["Smartphone", "Other smartphone", "Feature phone"]


def test_around_a_price_prefers_the_middle_and_cheap_prefers_the_lowest() -> None:
    hits = [hit("A", price="50000"), hit("B", price="61000"), hit("C", price="71000")]

    around = rank(hits, understand("laptop"), budget=Budget(Decimal(48000), Decimal(72000)))
    cheap = rank(hits, understand("laptop"), budget=Budget(cheap=True))

    assert titles(around)[0] == "B"
    assert titles(cheap) == ["A", "B", "C"]


def test_cheap_weighs_a_cheaper_misfit_no_more_than_the_cheapest_fit() -> None:
    hits = [
        hit("Lenovo Chromebook laptop", score=0.045, price="18000"),
        hit("HP EliteBook laptop", score=0.03, price="32000"),
    ]

    ranked = rank(hits, understand("HP laptop ya bei poa"), budget=Budget(cheap=True))

    assert titles(ranked)[0] == "HP EliteBook laptop"


def test_equal_scores_go_by_entry_id_and_nothing_is_dropped() -> None:
    hits = [hit("Same", entity="b"), hit("Same", entity="c"), hit("Same", entity="a")]

    ranked = rank(hits, understand("same"))

    assert [h.entity_id for h in ranked] == ["a", "b", "c"]
    assert [h.entity_id for h in rank(list(reversed(hits)), understand("same"))] == ["a", "b", "c"]


def test_a_named_product_puts_services_after_its_products() -> None:
    hits = [
        hit("Phone screen repair", score=0.04, kind="service", price="3000"),
        hit("Nokia 105", score=0.035, price="2500", categories=(PHONES,)),
    ]
    query = understand("simu chini ya 20k")

    ranked = rank(hits, query, category_ids=frozenset({PHONES}), budget=Budget(high=Decimal(20000)))

    assert titles(ranked) == ["Nokia 105", "Phone screen repair"]


def test_only_vector_neighbours_are_no_match() -> None:
    bicycle = understand("bicycle")
    assert not matches_words(bicycle, [hit("Bicycle pump", retrievers=(VECTOR,))])
    assert matches_words(bicycle, [hit("Bicycle", retrievers=(VECTOR, TRIGRAM))])
    assert not matches_words(bicycle, [])
    assert matches_words(understand("chini ya 20k"), [hit("Pump", retrievers=(VECTOR,))])


def test_an_add_on_comes_after_the_item_it_is_for_unless_asked_for() -> None:
    hits = [
        hit("Samsung A15 Back Cover", score=0.045, price="900"),
        hit("Samsung Galaxy A15", score=0.03, price="19500"),
    ]

    assert titles(rank(hits, understand("samsng a15 iko?")))[0] == "Samsung Galaxy A15"
    assert titles(rank(hits, understand("cover ya A15")))[0] == "Samsung A15 Back Cover"
