"""WhatsApp formatting: amounts, lists, times in the customer's words, the length bound."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wabotiq.agent.replies.format import MAX_CHARS, clip, money, numbered, when
from wabotiq.agent.replies.phrases import LANGUAGES, PHRASES, say

NAIROBI = ZoneInfo("Africa/Nairobi")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("48000"), "KES 48,000"),
        (Decimal("48000.00"), "KES 48,000"),
        (Decimal("1250.5"), "KES 1,250.50"),
        (Decimal("999"), "KES 999"),
        (Decimal("1234567"), "KES 1,234,567"),
    ],
)
def test_amounts_are_written_with_thousands_separators_and_no_needless_decimals(amount, text):
    assert money(amount) == text


def test_lists_are_numbered_from_one():
    assert numbered(["a", "b"]) == "1. a\n2. b"


@pytest.mark.parametrize(
    ("hour", "minute", "words"),
    [
        (10, 0, "saa nne asubuhi (10:00)"),
        (7, 0, "saa moja asubuhi (07:00)"),
        (12, 30, "saa sita na nusu mchana (12:30)"),
        (17, 0, "saa kumi na moja jioni (17:00)"),
        (20, 15, "saa mbili na dakika 15 usiku (20:15)"),
    ],
)
def test_swahili_time_counts_from_six_in_the_morning(hour, minute, words):
    moment = datetime(2026, 12, 5, hour, minute, tzinfo=NAIROBI)  # a Saturday
    assert when(moment, "sw") == f"Jumamosi 5 Desemba, {words}"
    assert when(moment, "en") == f"Sat 5 Dec, {hour:02d}:{minute:02d}"


def test_a_long_reply_loses_list_lines_but_keeps_its_opening_and_closing_question():
    lines = ["Here is what we have:", *[f"{n}. item {'x' * 80}" for n in range(1, 30)], "Which?"]
    clipped = clip("\n".join(lines))
    assert len(clipped) <= MAX_CHARS
    assert clipped.startswith("Here is what we have:\n1. ") and clipped.endswith("…\nWhich?")
    assert clip("short") == "short"


def test_a_reply_without_lines_is_cut_hard_only_as_a_last_resort():
    assert len(clip("y" * 5000)) == MAX_CHARS


def test_every_phrase_exists_in_every_language_with_the_same_placeholders():
    import string

    for key, texts in PHRASES.items():
        assert len(texts) == len(LANGUAGES), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in texts]
        assert all(f == fields[0] for f in fields), key
    assert say("price", "sheng", name="Fridge", price="KES 30,000") == "Fridge ni KES 30,000."
