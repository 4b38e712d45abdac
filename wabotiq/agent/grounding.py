"""Money in a model's reply, checked against the tool results of the turn, and written the house
way.

A language model can state a price it never looked up, or do sums of its own; the customer
would take either as the shop's word. So every amount in a reply must be a number some tool
returned in this turn (a price, a line total, a subtotal, an order total): `ungrounded` lists
those that are not, and the reply is then not sent. What counts as an amount is what a customer
would read as money: a figure with a currency ("KES 12,345", "Ksh 12345", "12,345/=", "500
bob"), with a thousands multiplier ("48k", "15 thao"), written with digit grouping ("48,000"),
or spelt in Swahili ("elfu arobaini na nane"). Times, dates, quantities and model numbers
("A54", "2 pcs", "10:00") are not. Even the customer's own budget does not pass: a model that
repeats "50K" back can as well confirm a price the customer heard elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from wabotiq.agent.replies.format import money
from wabotiq.search.prices import spell_swahili_numbers

_MULTIPLIERS = {"k": 1000, "thao": 1000, "elfu": 1000, "ngiri": 1000}
_BEFORE = ("kshs", "ksh", "kes", "shs", "sh", "shilingi")
_AFTER = ("/=", "/-", "kshs", "ksh", "kes", "bob", "shillings", "shilling", "shilingi")
# Every number in a tool's JSON, inside strings too ("48000.00", "Till 123456"); digits that
# belong to an id ("3f2a-4000-...") or a unit ("512GB") are not amounts anyone was quoted.
_RESULT_NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w-])")
# With a TV or a screen in the sentence "4k" and "8k" are resolutions, not shillings.
_RESOLUTIONS = {"4", "8"}


@dataclass(frozen=True, slots=True)
class Figure:
    """An amount as written in a reply, where it is, and its value in currency units."""

    start: int
    end: int
    written: str
    value: Decimal
    marked: bool  # written with a currency or a multiplier, so rewritten the house way


@cache
def _pattern(currency: str) -> re.Pattern[str]:
    """Amounts, with the shop's own currency code among the markers."""
    before = "|".join(re.escape(word) for word in {*_BEFORE, currency.lower()} if word)
    after = "|".join(re.escape(word) for word in {*_AFTER, currency.lower()} if word)
    return re.compile(
        rf"""
        (?<![\w.,])
        (?:(?P<cur>{before})\.?\s*)?
        (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d+(?:\.\d{{1,2}})?)
        (?![\d,]\d)
        (?:\s?(?P<mult>{"|".join(_MULTIPLIERS)})(?![a-z0-9]))?
        (?:\s*(?P<cur2>{after})(?![a-z]))?
        """,
        re.VERBOSE | re.IGNORECASE,
    )


def figures(text: str, *, currency: str = "KES") -> list[Figure]:
    """The amounts of money `text` states, in order."""
    found = []
    for match in _pattern(currency).finditer(text):
        num, mult = match["num"], (match["mult"] or "").lower()
        currency_given = bool(match["cur"] or match["cur2"])
        if not (currency_given or mult or "," in num):
            continue
        if mult == "k" and not currency_given and num in _RESOLUTIONS:
            continue
        value = Decimal(num.replace(",", "")) * _MULTIPLIERS.get(mult, 1)
        marked = currency_given or bool(mult)
        found.append(Figure(match.start(), match.end(), match.group(), value, marked))
    return found


def _spelt(text: str) -> list[Decimal]:
    """Amounts spelt in Swahili words ("elfu arobaini na nane" is 48,000). The speller writes
    them as "kes N"; a "kes" already in the text is hidden from it first."""
    spelt = spell_swahili_numbers(text.lower().replace("kes", "\x00"))
    return [Decimal(value) for value in re.findall(r"kes (\d+)", spelt)]


def numbers_in(results: Iterable[str]) -> set[Decimal]:
    """Every number the tool results hold, as values ("48000.00" and "48,000" alike)."""
    values: set[Decimal] = set()
    for result in results:
        for number in _RESULT_NUMBER.findall(result):
            try:
                values.add(Decimal(number.replace(",", "")))
            except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
                continue
    return values


def ungrounded(text: str, results: Iterable[str], *, currency: str = "KES") -> list[str]:
    """The amounts in `text` that no tool result of the turn contains, as written."""
    known = numbers_in(results)
    missing = [f.written for f in figures(text, currency=currency) if f.value not in known]
    return missing + [f"{value} (in words)" for value in _spelt(text) if value not in known]


def house_prices(text: str, *, currency: str = "KES") -> str:
    """Amounts written with a currency or a multiplier, the house way: `KES 48,000`."""
    parts: list[str] = []
    at = 0
    for figure in figures(text, currency=currency):
        if not figure.marked:
            continue
        parts.append(text[at : figure.start])
        parts.append(money(figure.value, currency.upper()))
        at = figure.end
    parts.append(text[at:])
    return "".join(parts)
