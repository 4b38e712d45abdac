from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wabotiq.domain.catalog.categories import slugify
from wabotiq.domain.catalog.importer import load_demo_catalog
from wabotiq.search.lexicon import SENSES, tokenize
from wabotiq.search.understanding import understand

SAMPLE = Path(__file__).parent / "data" / "conversations_sample.jsonl"
K = Decimal(1000)


def _sample() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines() if line.strip()]


def _catalog_words() -> dict[str, set[str]]:
    """The words of each catalog entry (name, description, tags) by SKU or service code."""
    catalog = load_demo_catalog()
    words = {}
    for item in [*catalog["products"], *catalog["services"]]:
        text = " ".join([item["name"], item["description"], *item["tags"]])
        words[item.get("sku") or item["code"]] = set(tokenize(text))
    return words


@pytest.mark.parametrize(
    ("message", "low", "high"),
    [
        ("50K", None, 50 * K),
        ("simu ya 50k", None, 50 * K),
        ("budget ni 50K", None, 50 * K),
        ("my budget is 50k", None, 50 * K),
        ("niko na 15 thao, simu gani poa?", None, 15 * K),
        ("thao 15 simu", None, 15 * K),
        ("bob 2k earphones", None, 2 * K),
        ("earphones 2k bob", None, 2 * K),
        ("1.5k charger", None, Decimal(1500)),
        ("laptop chini ya 40k", None, 40 * K),
        ("laptop under 40k", None, 40 * K),
        ("laptop below 40,000", None, 40 * K),
        ("laptop less than 40k", None, 40 * K),
        ("laptop isizidi 40k", None, 40 * K),
        ("laptop max 40k", None, 40 * K),
        ("laptop 40k max", None, 40 * K),
        ("simu juu ya 20k", 20 * K, None),
        ("phone over 20k", 20 * K, None),
        ("phone above 20k", 20 * K, None),
        ("phone 20k+", 20 * K, None),
        ("phone between 20k and 40k", 20 * K, 40 * K),
        ("simu kati ya 20k na 40k", 20 * K, 40 * K),
        ("simu 20k-40k", 20 * K, 40 * K),
        ("simu 20-40k", 20 * K, 40 * K),
        ("simu kuanzia 20k hadi 40k", 20 * K, 40 * K),
        ("cover 500-2k", Decimal(500), 2 * K),
        ("KES 3,500", None, Decimal(3500)),
        ("ksh 3500", None, Decimal(3500)),
        ("sh. 3500", None, Decimal(3500)),
        ("Ksh3,500 speaker", None, Decimal(3500)),
        ("3500/= speaker", None, Decimal(3500)),
        ("budget 50,000 laptop", None, 50 * K),
        ("I have 15k", None, 15 * K),
        ("nina 500 ya cover", None, Decimal(500)),
        ("simu ya around 20k", 16 * K, 24 * K),
        ("1.2 million laptop", None, Decimal(1_200_000)),
    ],
)
def test_prices_become_a_range(message: str, low: Decimal | None, high: Decimal | None) -> None:
    query = understand(message)

    assert (query.price_min, query.price_max) == (low, high)


@pytest.mark.parametrize(
    ("message", "high"),
    [
        ("nina elfu kumi", 10 * K),
        ("simu ya elfu kumi na tano", 15 * K),
        ("elfu ishirini na tano", 25 * K),
        ("cover ya elfu mbili mia tano", Decimal(2500)),
        ("laki moja na elfu ishirini", 120 * K),
        ("earphones za mia tano", Decimal(500)),
        ("ngiri tano", 5 * K),
        ("elfu 15 simu", 15 * K),
    ],
)
def test_swahili_number_words_are_prices(message: str, high: Decimal) -> None:
    assert understand(message).price_max == high


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("Samsung A54", "a54"),
        ("Bei ya iPhone 13 ni ngapi?", "13"),
        ("Mko na TV ya inchi 43?", "43"),
        ("mtungi wa gas 13kg", "13kg"),
        ("Jezi size L", "l"),
        ("power bank 20000mAh", "20000mah"),
        ("Do you sell PS5?", "ps5"),
        ("Redmi 13C iko?", "13c"),
        ("Nokia 2660", "2660"),
        ("TV bracket 32-65 inch", "65"),
        ("nina iPhone 13", "13"),
        ("nina 2 simu", "2"),
        ("Samsung 4K TV", "4k"),
        ("laptop ya 8GB RAM", "8gb"),
        ("call me on 0712345678", "0712345678"),
    ],
)
def test_model_numbers_and_sizes_are_not_prices(message: str, kept: str) -> None:
    query = understand(message)

    assert (query.price_min, query.price_max) == (None, None)
    assert kept in query.terms


def test_4k_without_a_screen_word_is_money() -> None:
    assert understand("earphones za 4k").price_max == 4 * K


def test_price_words_leave_the_text() -> None:
    query = understand("I need an office laptop under 40k")

    assert query.terms == ("office", "laptop")


def test_times_are_not_prices_or_terms() -> None:
    query = understand("Nataka kusukwa box braids Jumamosi saa nne asubuhi kesho 10am")

    assert (query.price_min, query.price_max) == (None, None)
    assert not {"saa", "nne", "asubuhi", "jumamosi", "10am", "10", "kesho"} & set(query.terms)


def test_context_gives_the_product_and_the_budget_stays() -> None:
    query = understand("Gaming, budget ni 50K", ["Niaje, una laptop ngapi?"])

    assert query.terms == ("gaming", "laptop")
    assert query.category == "laptops"
    assert query.price_max == 50 * K


def test_own_product_is_not_replaced_by_context() -> None:
    query = understand("Na simu?", ["Niaje, una laptop ngapi?"])

    assert "laptop" not in query.terms
    assert query.category == "phones"


def test_a_brand_or_model_is_a_product_of_its_own() -> None:
    assert "laptop" not in understand("Samsung A54 iko?", ["una laptop?"]).terms
    assert "laptop" not in understand("na A54?", ["una laptop?"]).terms


def test_nearest_earlier_product_is_inherited() -> None:
    query = understand("budget ni 30k", ["una laptop?", "na simu je?", "sawa"])

    assert "phone" in query.terms
    assert "laptop" not in query.terms
    assert query.category == "phones"


def test_budget_from_context_carries_until_replaced() -> None:
    carried = understand("Samsung ipi poa?", ["niko na 15 thao, simu gani poa?"])
    replaced = understand("sawa, budget ni 25k", ["niko na 15 thao, simu gani poa?"])

    assert carried.price_max == 15 * K
    assert replaced.price_max == 25 * K


def test_budget_does_not_follow_a_change_of_category() -> None:
    query = understand("Mna fridge?", ["niko na 15 thao, simu gani poa?"])

    assert query.price_max is None
    assert query.category == "home-appliances"


def test_cheap_carries_like_a_budget() -> None:
    query = understand("na Samsung?", ["Nataka simu ya bei rahisi"])

    assert query.cheap
    assert query.price_max is None


@pytest.mark.parametrize(
    "message",
    [
        "Do you have the Samsung A54 in stock?",
        "simu zilizo in-stock",
        "laptops available now",
        "nionyeshe simu zilizopo",
        "TV ziko stock?",
    ],
)
def test_explicit_stock_requests_filter(message: str) -> None:
    query = understand(message)

    assert query.in_stock is True
    assert "stock" not in query.terms


@pytest.mark.parametrize(
    "message",
    ["Chromebook iko?", "samsng a15 iko?", "Is the A54 available?", "A54 not in stock?"],
)
def test_asking_whether_it_is_there_does_not_filter(message: str) -> None:
    assert understand(message).in_stock is None


def test_chromebook_iko_keeps_the_chromebook() -> None:
    assert "chromebook" in understand("Chromebook iko?").terms


@pytest.mark.parametrize(
    ("message", "expected", "category"),
    [
        ("Nataka simu", {"simu", "phone"}, "phones"),
        ("rununu ya Tecno", {"phone", "tecno"}, "phones"),
        ("kompyuta ndogo", {"laptop"}, "laptops"),
        ("una kompyuta?", {"computer", "laptop"}, "laptops"),
        ("Mnauza mulika mwizi?", {"feature", "phone"}, "phones"),
        ("kabambe iko?", {"feature", "phone"}, "phones"),
        ("Nataka rubbers za Nike", {"sneakers", "shoes", "nike"}, "fashion"),
        ("raba size 42", {"sneakers", "42"}, "fashion"),
        ("jezi ya Gor", {"jersey", "gor"}, "fashion"),
        ("mtungi wa gas full ni ngapi", {"gas", "cylinder", "full"}, "home-appliances"),
        ("Kinyozi ni ngapi?", {"kinyozi", "haircut"}, "hair"),
        ("nataka kusukwa", {"braids"}, "hair"),
        ("kusuka nywele", {"braids", "hair"}, "hair"),
        ("Mambo! Mnauza earphones?", {"earbuds", "headphones", "earphones"}, "audio"),
        ("headphones za Sony", {"earphones", "sony"}, "audio"),
        ("friji ya Hisense", {"fridge", "refrigerator", "hisense"}, "home-appliances"),
        ("runinga ya Samsung", {"tv", "television", "samsung"}, "tvs"),
        ("TV ya inchi 55", {"tv", "inch", "55"}, "tvs"),
        ("Nipe cover ya A54", {"case", "cover", "a54"}, "accessories"),
        ("Nataka power bank kubwa", {"power", "bank", "large"}, "accessories"),
        ("kucha", {"nails", "manicure"}, "nails"),
        ("manicure ni pesa ngapi", {"manicure", "nails"}, "nails"),
        ("Screen ya simu imevunjika, rekebisha", {"screen", "phone", "repair"}, "repairs"),
        ("fundi wa laptop", {"repair", "laptop"}, "repairs"),
        ("pasi ya stima", {"iron", "electric"}, "home-appliances"),
        ("saa ya Samsung", {"watch", "smartwatch"}, "accessories"),
        ("laptops za gaming", {"laptops", "laptop", "gaming"}, "laptops"),
    ],
)
def test_lexicon_bridges_to_catalog_words(
    message: str, expected: set[str], category: str | None
) -> None:
    query = understand(message)

    assert expected <= set(query.terms)
    assert query.category == category


def test_translations_are_added_after_the_original_words() -> None:
    assert understand("Nataka rubbers za Nike").terms == ("rubbers", "sneakers", "shoes", "nike")


@pytest.mark.parametrize("message", ["Sasa, poa?", "Niaje!", "Asante sana!", "Hi, hello"])
def test_greetings_alone_leave_no_text(message: str) -> None:
    assert understand(message).text == ""


def test_noise_goes_and_brands_and_models_stay() -> None:
    query = understand("Niaje, do you have Harambee Stars jezi na PS5 please?")

    assert query.terms == ("harambee", "stars", "jezi", "jersey", "ps5", "playstation", "console")
    assert query.text == " ".join(query.terms)


@pytest.mark.parametrize(
    "message",
    ["Nataka simu ya bei rahisi", "cheap laptop", "affordable earphones", "simu ya bei nafuu"],
)
def test_cheap_words_ask_for_low_prices(message: str) -> None:
    query = understand(message)

    assert query.cheap
    assert "cheap" in query.terms


def test_no_cheap_without_asking() -> None:
    assert not understand("Samsung A54").cheap


@pytest.mark.parametrize(
    "message", ["Samsung A54", "spika ya tv", "Which one has the better camera, A54 or Redmi 13C?"]
)
def test_no_category_when_unclear(message: str) -> None:
    assert understand(message).category is None


def test_lexicon_categories_are_catalog_category_slugs() -> None:
    catalog = load_demo_catalog()
    slugs = {slugify(item["category"]) for item in [*catalog["products"], *catalog["services"]]}

    used = {sense.category for sense in SENSES.values() if sense.category}

    assert used <= slugs


def test_sample_budgets_become_price_max() -> None:
    lines = [line for line in _sample() if "budget_max" in line]

    assert lines
    for line in lines:
        query = understand(line["text"], line.get("prev", ()))
        assert query.price_max == Decimal(line["budget_max"]), line["text"]


def test_every_sample_search_reaches_each_expected_item_in_catalog_words() -> None:
    words = _catalog_words()
    lines = [line for line in _sample() if line.get("expect_any")]

    assert len(lines) > 20
    for line in lines:
        query = understand(line["text"], line.get("prev", ()))
        assert query.text, line["text"]
        for code in line["expect_any"]:
            assert words[code] & set(query.terms), (line["text"], code, query.terms)


def test_sample_greetings_and_thanks_leave_no_text() -> None:
    quiet = [line for line in _sample() if line["intent"] in ("greeting", "thanks")]

    assert quiet
    for line in quiet:
        assert understand(line["text"]).text == "", line["text"]


@pytest.mark.parametrize(
    "message",
    [
        "simu yangu haishiki chaji",  # a negated verb: the thing fails
        "TV haionyeshi picha",
        "kioo cha laptop kimepasuka",  # a verb of damage, any noun class
        "laptop inapata moto sana",
        "my phone is not charging",
        "laptop overheats",
        "mnanyoa ndevu?",  # an inflected treatment verb
        "nataka kupakwa kucha",
        "mnasuka nywele?",
        "mnaweza niwekea windows kwa laptop?",
        "Do you service laptops?",
    ],
)
def test_something_to_be_done_wants_a_service(message: str) -> None:
    assert understand(message).service


@pytest.mark.parametrize(
    "message",
    ["Samsung TV", "laptop yenye windows", "simu haiko?", "clipper ya kinyozi", "mpaka kesho"],
)
def test_items_do_not_want_a_service(message: str) -> None:
    assert not understand(message).service


def test_brands_and_sizes_are_the_customers_own_words() -> None:
    assert understand("Samsung TV ya inchi 55").brands == ("samsung",)
    assert understand("Samsung TV ya inchi 55").exact == ("55",)
    assert understand("samsng a15 iko?").brands == ("samsung",)  # a spelling fix counts
    assert understand("mulika mwizi").brands == ()  # "nokia" is the lexicon's guess
    assert understand("mtungi wa 13 kg").exact == understand("mtungi wa 13kg").exact == ("13",)
    assert understand("Samsung 55 TV").exact == ("55",)
    assert understand("nataka 2 phones").exact == ()  # how many, not which


def test_the_named_product_brings_its_brand_to_a_follow_up() -> None:
    query = understand("ni ngapi?", ["Samsung A54 iko?"])

    assert (query.brands, query.exact) == (("samsung",), ("a54",))
