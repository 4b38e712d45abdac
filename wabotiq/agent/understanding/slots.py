"""Quantities and references to the last list shown, read from a customer's message.

Budgets are read by search's own price reader (`wabotiq.search.prices`), the one that filters
results, so the agent and search never disagree about "15 thao".

A reference points into the list the customer was last shown: by position ("number 2", "ya
pili", "the last one"), by price ("the cheaper one", "ya bei rahisi"), by brand or name ("the
Samsung one", "ile ya HP"), or by a bare demonstrative ("hiyo", "that one"), which is only sure
when one item was shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from wabotiq.search.prices import PriceRange, extract_prices, spell_swahili_numbers


@dataclass(frozen=True, slots=True)
class ShownItem:
    """An item as the customer saw it in a list, in the order shown."""

    id: str
    name: str
    price: Decimal | None = None
    brand: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """What a message points at in the last list. `item` is None when the pointer is out of
    range or ambiguous; `candidates` then holds the items it could mean."""

    kind: str  # "position", "cheapest", "priciest", "name", "demonstrative"
    item: ShownItem | None
    candidates: tuple[ShownItem, ...] = field(default=())
    position: int | None = None  # 1-based, for "position"


_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_ORDINALS = {
    "kwanza": 1, "first": 1, "1st": 1, "pili": 2, "second": 2, "2nd": 2, "tatu": 3,
    "third": 3, "3rd": 3, "nne": 4, "fourth": 4, "4th": 4, "tano": 5, "fifth": 5, "5th": 5,
    "sita": 6, "sixth": 6, "6th": 6, "saba": 7, "seventh": 7, "7th": 7, "nane": 8,
    "eighth": 8, "8th": 8, "tisa": 9, "ninth": 9, "9th": 9, "kumi": 10, "tenth": 10,
    "10th": 10,
}  # fmt: skip
_COUNTS = {
    "one": 1, "moja": 1, "mmoja": 1, "two": 2, "mbili": 2, "wawili": 2, "viwili": 2,
    "mawili": 2, "pair": 2, "three": 3, "tatu": 3, "watatu": 3, "vitatu": 3, "matatu": 3,
    "four": 4, "nne": 4, "wanne": 4, "vinne": 4, "manne": 4, "five": 5, "tano": 5,
    "watano": 5, "vitano": 5, "matano": 5, "six": 6, "sita": 6, "ten": 10, "kumi": 10,
    "dozen": 12,
}  # fmt: skip
_COUNT_WORDS = "|".join(sorted(_COUNTS, key=len, reverse=True))
_NUMBER = rf"\d{{1,2}}|{_COUNT_WORDS}"
_POSITION = re.compile(
    rf"{_B}(?:number|namba|nambari|no\.?|item|option|#)\s*(?P<num>\d{{1,2}}|{_COUNT_WORDS}){_E}"
    rf"|{_B}(?:ya|wa|la|cha|za|the|ile|hiyo|hii)\s+(?P<ord>{'|'.join(_ORDINALS)}){_E}"
    rf"|{_B}(?P<eng>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:one|item|option){_E}"
)
_LAST = re.compile(rf"{_B}(?:ya\s+mwisho|the\s+last(?:\s+one)?|last\s+one|wa\s+mwisho){_E}")
_CHEAPEST = re.compile(
    rf"{_B}(?:cheap(?:er|est)|less\s+expensive|lower\s+price|(?:ya\s+)?bei\s+(?:rahisi|nafuu|chini"
    rf"|ya\s+chini|poa)|rahisi(?:\s+zaidi)?|nafuu(?:\s+zaidi)?|chipu){_E}"
)
_PRICIEST = re.compile(
    rf"{_B}(?:(?:more|most)\s+expensive|pricier|priciest|dearer|ghali(?:\s+zaidi)?"
    rf"|(?:ya\s+)?bei\s+(?:ghali|juu)){_E}"
)
# Bare "this" and "that" are left out: "is this shop open?" points at nothing shown.
_DEMONSTRATIVE = re.compile(
    rf"{_B}(?:hiyo|hio|iyo|hii|ile|hizo|izo|that\s+one|this\s+one|it|them|those){_E}"
)
# Quantities: "2 pcs", "x3", "3x", "vipande viwili", "qty 2", "two of", "mbili za", "nipe mbili".
_QUANTITY = re.compile(
    rf"{_B}(?:(?P<a>\d{{1,3}})\s*(?:pcs|pc|pieces?|units?|items?|vipande|pairs?){_E}"
    rf"|x\s*(?P<b>\d{{1,3}}){_E}|(?P<c>\d{{1,3}})\s*x{_E}"
    rf"|(?:qty|quantity|idadi)\s*[:=]?\s*(?P<d>\d{{1,3}}){_E}"
    rf"|(?:vipande|pieces?)\s+(?P<e>{_COUNT_WORDS}|\d{{1,3}}){_E}"
    rf"|(?P<f>{_NUMBER})\s+(?:of\s+(?:them|those|these|the)|za|ya|vya|of){_E}"
    rf"|(?:nipe|niwekee|uniwekee|unipe|nipatie|weka|ongeza|niongeze|add|give\s+me|take|get\s+me"
    rf"|i'?ll\s+take|i\s+want|nataka|nadai|buy)\s+(?P<g>{_NUMBER}){_E}"
    rf"|(?P<h>{_COUNT_WORDS})\s+(?:pieces|units|pairs){_E})"
)


def read_budget(text: str) -> PriceRange | None:
    """The price range a message asks for ("chini ya 40k", "15 thao"), if any."""
    found, _rest = extract_prices(spell_swahili_numbers(text.lower()))
    return found


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word]


def read_quantity(text: str) -> int | None:
    """How many of an item the customer wants, when the message says so."""
    text = _POSITION.sub(" ", text.lower())  # "number 2" is a position, not a count
    text = re.sub(rf"{_B}saa\s+\w+", " ", text)  # "saa mbili" is a time
    match = _QUANTITY.search(text)
    if match is None:
        return None
    word = next(group for group in match.groups() if group is not None)
    quantity = _count(word)
    return quantity if 0 < quantity <= 100 else None


def resolve_reference(text: str, shown: tuple[ShownItem, ...]) -> Reference | None:
    """The item of `shown` that `text` points at, if it points at one."""
    if not shown:
        return None
    text = text.lower()
    match = _POSITION.search(text)
    if match:
        word = match["num"] or match["eng"]
        position = _count(word) if match["num"] else _ORDINALS[match["ord"] or word]
        item = shown[position - 1] if 1 <= position <= len(shown) else None
        return Reference("position", item, position=position)
    if _LAST.search(text):
        return Reference("position", shown[-1], position=len(shown))
    priced = [item for item in shown if item.price is not None]
    if priced and _CHEAPEST.search(text):
        return _extreme("cheapest", priced, min(item.price for item in priced if item.price))
    if priced and _PRICIEST.search(text):
        return _extreme("priciest", priced, max(item.price for item in priced if item.price))
    named = _by_name(text, shown)
    if named is not None:
        return named
    if re.fullmatch(r"\W*\d{1,2}\W*", text):  # a bare "2" answers a list
        position = int(re.sub(r"\D", "", text))
        item = shown[position - 1] if 1 <= position <= len(shown) else None
        return Reference("position", item, position=position)
    if _DEMONSTRATIVE.search(text):
        if len(shown) == 1:
            return Reference("demonstrative", shown[0], candidates=shown)
        return Reference("demonstrative", None, candidates=shown)
    return None


def _extreme(kind: str, priced: list[ShownItem], price: Decimal | None) -> Reference:
    matching = tuple(item for item in priced if item.price == price)
    return Reference(kind, matching[0] if len(matching) == 1 else None, candidates=matching)


_FILLER = frozenset("the and with for of in ya na za wa one new pro plus".split())


def _distinctive_words(item: ShownItem) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", f"{item.brand or ''} {item.name}".lower()))
    return {word for word in words - _FILLER if len(word) >= 2 and not word.isdigit()}


def _by_name(text: str, shown: tuple[ShownItem, ...]) -> Reference | None:
    """The items whose brand or name words the message uses ("the Samsung one", "ile ya HP");
    a word every shown item shares ("laptop") tells them apart from nothing."""
    said = set(re.findall(r"[a-z0-9]+", text))
    words = [_distinctive_words(item) for item in shown]
    common = set.intersection(*words) if words else set()
    hits = [item for item, own in zip(shown, words, strict=True) if (own - common) & said]
    if not hits:
        return None
    best = max(len((_distinctive_words(item) - common) & said) for item in hits)
    top = tuple(item for item in hits if len((_distinctive_words(item) - common) & said) == best)
    return Reference("name", top[0] if len(top) == 1 else None, candidates=top)
