from __future__ import annotations

from decimal import Decimal

import pytest

from wabotiq.agent.understanding.slots import (
    ShownItem,
    read_budget,
    read_quantity,
    resolve_reference,
)
from wabotiq.search.prices import PriceRange

SHOWN = (
    ShownItem("p1", "Samsung Galaxy A15", Decimal(18_500), "Samsung"),
    ShownItem("p2", "Tecno Spark 20", Decimal(14_999), "Tecno"),
    ShownItem("p3", "Redmi 13C", Decimal(13_200), "Xiaomi"),
    ShownItem("p4", "Infinix Hot 40", Decimal(16_000), "Infinix"),
)
K = Decimal(1000)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Gaming, budget ni 50K", None, 50 * K),
        ("I need an office laptop under 40k", None, 40 * K),
        ("niko na 15 thao, simu gani poa?", None, 15 * K),
        ("kati ya 20k na 30k", 20 * K, 30 * K),
        ("simu ya elfu kumi na tano", None, 15 * K),
        ("something above 100,000 bob", 100 * K, None),
    ],
)
def test_budgets_are_read_the_way_search_filters(
    text: str, low: Decimal | None, high: Decimal | None
) -> None:
    assert read_budget(text) == PriceRange(low, high)


@pytest.mark.parametrize("text", ["Samsung A54 iko?", "TV ya inchi 43", "saa nne asubuhi"])
def test_model_numbers_sizes_and_times_are_not_budgets(text: str) -> None:
    assert read_budget(text) is None


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("nipe mbili", 2),
        ("Nataka tatu za hizo", 3),
        ("add 2 pcs", 2),
        ("x3 please", 3),
        ("I'll take 4 pieces", 4),
        ("two of them please", 2),
        ("vipande viwili", 2),
        ("niwekee tano", 5),
        ("a pair of those", 2),
        ("qty: 6", 6),
    ],
)
def test_quantities_in_every_register(text: str, quantity: int) -> None:
    assert read_quantity(text) == quantity


@pytest.mark.parametrize(
    "text",
    [
        "Niongeze number 2 kwa cart",  # a position in the list
        "nataka ya pili",
        "kesho saa mbili asubuhi",  # a time
        "Samsung A54 iko?",  # a model
        "budget ni 50k",  # a price
        "iPhone 13 ni ngapi?",
    ],
)
def test_positions_times_models_and_prices_are_not_quantities(text: str) -> None:
    assert read_quantity(text) is None


@pytest.mark.parametrize(
    ("text", "item_id"),
    [
        ("Niongeze number 2 kwa cart", "p2"),
        ("nipe ile ya kwanza", "p1"),
        ("hiyo ya pili", "p2"),
        ("the third one please", "p3"),
        ("add #4", "p4"),
        ("namba tatu", "p3"),
        ("the last one", "p4"),
        ("ya mwisho", "p4"),
        ("the cheaper one", "p3"),
        ("ile ya bei rahisi", "p3"),
        ("the most expensive one", "p1"),
        ("the Samsung one", "p1"),
        ("ile ya Tecno", "p2"),
        ("nataka Redmi", "p3"),
        ("2", "p2"),
    ],
)
def test_references_resolve_against_the_last_list(text: str, item_id: str) -> None:
    reference = resolve_reference(text, SHOWN)
    assert reference is not None and reference.item is not None
    assert reference.item.id == item_id


def test_a_position_past_the_end_is_reported_without_an_item() -> None:
    reference = resolve_reference("number 7", SHOWN)
    assert reference is not None
    assert (reference.kind, reference.position, reference.item) == ("position", 7, None)


def test_a_bare_demonstrative_is_sure_only_when_one_item_was_shown() -> None:
    only = resolve_reference("nitachukua hiyo", SHOWN[:1])
    assert only is not None and only.item == SHOWN[0]
    several = resolve_reference("nitachukua hiyo", SHOWN)
    assert several is not None and several.item is None
    assert several.candidates == SHOWN


def test_a_name_that_fits_two_items_is_ambiguous() -> None:
    shown = (
        ShownItem("a", "HP 250 G9 Laptop", Decimal(45_000), "HP"),
        ShownItem("b", "HP Victus 15 Laptop", Decimal(95_000), "HP"),
        ShownItem("c", "Dell Latitude 5490 Laptop", Decimal(38_000), "Dell"),
    )
    both = resolve_reference("the HP one", shown)
    assert both is not None and both.item is None
    assert {item.id for item in both.candidates} == {"a", "b"}
    victus = resolve_reference("the HP Victus", shown)
    assert victus is not None and victus.item is not None and victus.item.id == "b"
    # "laptop" is in every name: it tells nothing apart.
    assert resolve_reference("I like the laptop", shown) is None


def test_no_list_no_reference() -> None:
    assert resolve_reference("number 2", ()) is None
    assert resolve_reference("Mna fridge?", SHOWN) is None


@pytest.mark.parametrize(
    "text", ["Is this shop open on Sunday?", "Is that your first branch?", "Mna fridge?"]
)
def test_words_that_point_at_nothing_shown_are_not_references(text: str) -> None:
    assert resolve_reference(text, SHOWN) is None


def test_it_means_the_one_item_shown() -> None:
    reference = resolve_reference("Add it to my cart", SHOWN[1:2])
    assert reference is not None and reference.item == SHOWN[1]
