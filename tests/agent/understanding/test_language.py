from __future__ import annotations

import pytest

from wabotiq.agent.understanding.language import Register, detect_register
from wabotiq.agent.understanding.words import sheng_lexicon

EN, SW, SHENG, MIXED = Register.ENGLISH, Register.SWAHILI, Register.SHENG, Register.MIXED


@pytest.mark.parametrize(
    ("text", "register"),
    [
        ("Good evening, I am looking for a laptop for my daughter", EN),
        ("Could you tell me whether the blender comes with a warranty?", EN),
        ("Please send me the payment details", EN),
        ("Habari, ninatafuta jiko la gesi la bei nafuu", SW),
        ("Naomba kujua kama mnaleta mzigo hadi Kisumu", SW),
        ("Asanteni kwa huduma nzuri", SW),
        ("Niaje msee, kuna foni poa za 10 thao?", SHENG),
        ("Manze hiyo lapi ni noma, iko aje?", SHENG),
        ("Sasa buda, nadai njumu za Vans", SHENG),
        ("Nataka kujua kama mnaweza deliver today or tomorrow morning", MIXED),
    ],
)
def test_a_new_customer_is_read_from_the_message_alone(text: str, register: Register) -> None:
    reading = detect_register(text, None)
    assert reading.register == register
    assert 0.5 <= reading.confidence <= 1.0


@pytest.mark.parametrize("previous", [SHENG, SW, EN])
@pytest.mark.parametrize("text", ["Checkout", "PS5?", "2", "ok"])
def test_a_message_with_little_of_its_own_keeps_the_customers_register(
    text: str, previous: Register
) -> None:
    reading = detect_register(text, previous)
    assert reading.register == previous
    assert reading.reply == previous


def test_a_clear_sentence_moves_the_register_away_from_the_last_one() -> None:
    reading = detect_register("Actually, can you tell me how long the delivery takes?", SW)
    assert reading.register == EN
    assert reading.reply == EN
    back = detect_register("Sawa, nitasubiri mzigo wangu ufike kesho asubuhi", EN)
    assert back.register == SW


def test_the_last_choice_weighs_more_than_one_word_of_another_language() -> None:
    # Alone "Sawa, thanks" is not enough to move an English speaker, nor a Swahili one.
    assert detect_register("Sawa, thanks", EN).register == EN
    assert detect_register("Sawa, thanks", SW).register == SW


def test_a_mix_is_answered_in_its_dominant_language() -> None:
    english_led = detect_register("Nataka kujua kama you can deliver it to my office today", None)
    assert english_led.register == MIXED
    assert english_led.reply == EN
    swahili_led = detect_register(
        "Nataka kujua kama mzigo wangu utafika leo ama kesho, please", None
    )
    assert swahili_led.reply in (SW, SHENG)
    assert english_led.confidence > 0


def test_sheng_is_answered_in_sheng_and_swahili_in_swahili() -> None:
    assert detect_register("Niaje wasee, mbogi iko fiti?", None).reply == SHENG
    assert detect_register("Ningependa kujua bei ya friji", None).reply == SW


def test_a_sheng_customer_keeps_sheng_for_plain_swahili_with_a_sheng_word() -> None:
    assert detect_register("Iko aje bei ya hiyo?", SHENG).register == SHENG


def test_the_sheng_lexicon_has_the_common_words_and_sane_weights() -> None:
    lexicon = sheng_lexicon()
    for word in ("niaje", "poa", "msee", "doh", "thao", "mbogi", "fiti", "manze", "sasa", "kuna"):
        assert (word,) in lexicon
    assert ("budget", "ni") in lexicon
    assert all(0 < weight <= 1 for weight in lexicon.values())
