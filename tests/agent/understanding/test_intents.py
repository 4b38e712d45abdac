from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wabotiq.agent.understanding.cues import cue_boosts
from wabotiq.agent.understanding.intents import (
    Example,
    Intent,
    IntentClassifier,
    load_examples,
)
from wabotiq.agent.understanding.masking import mask_products
from wabotiq.agent.understanding.message import default_classifier
from wabotiq.search.embedders.offline import OfflineEmbedder

# Lines written for these tests, none of them in the examples file.
CASES = [
    ("Mambo vipi wasee", Intent.GREETING),
    ("Good evening team", Intent.GREETING),
    ("Mnauza microwave ndogo?", Intent.PRODUCT_SEARCH),
    ("Do you have any cheap smartwatches?", Intent.PRODUCT_SEARCH),
    ("Vans size 41 ni doh ngapi?", Intent.PRICE_INQUIRY),
    ("How much would a pedicure cost me?", Intent.PRICE_INQUIRY),
    ("Hisense 50 inch bado iko?", Intent.STOCK_CHECK),
    ("Is the Lenovo Legion in stock?", Intent.STOCK_CHECK),
    ("Niwekee mbili za hiyo ya kwanza kwa cart", Intent.ADD_TO_CART),
    ("Ondoa ile spika kwenye kikapu", Intent.REMOVE_FROM_CART),
    ("Can you show me what is in my cart", Intent.VIEW_CART),
    ("Checkout", Intent.CHECKOUT),
    ("Niko tayari, nitumie till number", Intent.CHECKOUT),
    ("Naomba nafasi ya kusukwa Jumapili saa tatu", Intent.BOOK_SERVICE),
    ("Can I move my facial to next Tuesday?", Intent.RESCHEDULE_BOOKING),
    ("Nataka kughairi booking ya kesho", Intent.CANCEL_BOOKING),
    ("Mzigo wangu umefika wapi?", Intent.ORDER_STATUS),
    ("nataka kuongea na mtu", Intent.HANDOFF),
    ("Please get me an agent", Intent.HANDOFF),
    ("The speaker you sold me stopped working, I want a refund", Intent.COMPLAINT),
    ("Do you deliver to Nyeri?", Intent.FAQ),
    ("Asanteni, kwaheri", Intent.THANKS),
]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return default_classifier()


@pytest.mark.parametrize(("text", "intent"), CASES)
async def test_intents_in_every_register(
    classifier: IntentClassifier, text: str, intent: Intent
) -> None:
    guess = await classifier.classify(text)
    assert guess.intent == intent
    assert guess.understood
    assert guess.runner_up != guess.intent
    assert guess.score >= guess.runner_up_score


async def test_the_same_message_gets_the_same_answer(classifier: IntentClassifier) -> None:
    first = await classifier.classify("Bei ya Redmi Note 13 ni ngapi?")
    assert await classifier.classify("Bei ya Redmi Note 13 ni ngapi?") == first


@pytest.mark.parametrize("text", ["asdfgh qwerty", "who is the president of Kenya"])
async def test_junk_is_not_understood(classifier: IntentClassifier, text: str) -> None:
    assert not (await classifier.classify(text)).understood


def test_the_examples_cover_every_intent_in_every_register() -> None:
    examples = load_examples()
    assert len(examples) >= 500
    for intent in Intent:
        langs = {example.lang for example in examples if example.intent == intent}
        assert {"en", "sw", "sheng"} <= langs, intent
    assert len({example.text.lower() for example in examples}) == len(examples)


def test_product_names_are_masked_but_services_and_times_stay() -> None:
    assert mask_products("Bei ya iPhone 13 ni ngapi?") == "bei ya item ni ngapi?"
    assert mask_products("Mna fridge?") == "mna item?"
    assert mask_products("Nipe cover ya A54") == "nipe item ya item"
    assert mask_products("Manicure ni pesa ngapi?") == "manicure ni pesa ngapi?"
    assert mask_products("Jumamosi saa nne asubuhi") == "jumamosi saa nne asubuhi"


def test_cues_need_their_companions() -> None:
    assert "cancel_booking" in cue_boosts("futa booking yangu")
    assert "cancel_booking" not in cue_boosts("futa chaja kwenye cart")
    assert "remove_from_cart" in cue_boosts("futa chaja kwenye cart")
    assert "price_inquiry" not in cue_boosts("nataka simu ya bei rahisi")
    assert "faq" in cue_boosts("how much is delivery to kisumu?")
    assert "price_inquiry" not in cue_boosts("how much is delivery to kisumu?")


async def test_the_example_matrix_is_cached_on_disk_and_read_back(tmp_path: Path) -> None:
    examples = [
        Example("hello there", Intent.GREETING, "en"),
        Example("habari yako", Intent.GREETING, "sw"),
        Example("how much is the fridge", Intent.PRICE_INQUIRY, "en"),
        Example("bei ya friji ni ngapi", Intent.PRICE_INQUIRY, "sw"),
    ]
    embedder = OfflineEmbedder()
    first = IntentClassifier(embedder, examples, cache_dir=tmp_path)
    guess = await first.classify("hi, habari")
    [cached] = list(tmp_path.glob("intents-*.npy"))
    matrix = np.load(cached)
    assert matrix.shape == (4, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    second = IntentClassifier(embedder, examples, cache_dir=tmp_path)
    assert await second.classify("hi, habari") == guess
    assert guess.intent == Intent.GREETING
    # Other examples, another file: a stale matrix is never read for them.
    third = IntentClassifier(embedder, examples[:3], cache_dir=tmp_path)
    await third.classify("hello")
    assert len(list(tmp_path.glob("intents-*.npy"))) == 2
