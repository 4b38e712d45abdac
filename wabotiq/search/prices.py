"""Prices and budgets in a customer's message, read as a range: "chini ya 40k", "15 thao".

Numbers in shopping messages are mostly model names and sizes ("Samsung A54", "iPhone 13", "TV ya
inchi 43", "13kg"), so a number counts as a price only when it says so: a currency ("KES",
"bob", "/="), a thousands word or suffix ("k", "thao", "elfu"), digit grouping ("40,000"), or a
price cue right before it ("under", "chini ya", "budget ni", "niko na").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_SW_UNITS = {
    "moja": 1, "mbili": 2, "tatu": 3, "nne": 4, "tano": 5,
    "sita": 6, "saba": 7, "nane": 8, "tisa": 9,
}  # fmt: skip
_SW_TENS = {
    "kumi": 10, "ishirini": 20, "thelathini": 30, "arobaini": 40, "hamsini": 50,
    "sitini": 60, "sabini": 70, "themanini": 80, "tisini": 90,
}  # fmt: skip
# Swahili and Sheng scale words; "ngiri" and "thao" are Sheng for a thousand, "soo" a hundred.
_SW_SCALES = {"laki": 100_000, "elfu": 1000, "ngiri": 1000, "thao": 1000, "mia": 100, "soo": 100}
_SW_COUNT = "|".join([r"\d+", *_SW_UNITS, *_SW_TENS])
_SW_SCALE = "|".join(_SW_SCALES)
# "elfu kumi na tano", "laki moja na elfu ishirini", "thao 15", "mia tano".
_SW_NUMBER = re.compile(
    rf"(?<![a-z0-9])(?:{_SW_SCALE})\s+(?:{_SW_COUNT})"
    rf"(?:\s+(?:na\s+)?(?:{_SW_SCALE}|{_SW_COUNT}))*(?![a-z0-9]|[.,]\d)"
)

_MULTIPLIERS = {
    "k": 1000, "thao": 1000, "thou": 1000, "thousand": 1000, "elfu": 1000, "ngiri": 1000,
    "million": 1_000_000, "milioni": 1_000_000,
}  # fmt: skip
# Units after a bare number make it a measurement or a time, not a price.
_UNITS = (
    r"inch(?:es)?|inchi|in|\"|kg|g|gb|tb|mb|mah|wh|w|watts?|v|volts?|l|ltrs?|litres?|liters?"
    r"|lita|ml|mm|cm|m|metres?|meters?|hz|mhz|ghz|mp|mpx|fps|hrs?|hours?|mins?|minutes?|dakika"
    r"|am|pm|gen|th|st|nd|rd|pcs|pieces|pc|x|%|dpi|seater|burners?|slices?|ports?|fans?|days?"
    r"|siku|months?|miezi|years?|miaka|core|cores"
)
_AMOUNT = re.compile(
    rf"""
    (?<![\w.,])
    (?:(?P<cur>kes\.?|kshs?\.?|shs?\.?|bob|shillings?|shilingi)\s*)?
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:
        \s?(?P<mult>{"|".join(_MULTIPLIERS)})(?![a-z0-9])
      | (?![\w.]|,\d|\s*-?\s*(?:{_UNITS})(?![a-z]))
    )
    (?:\s*(?P<cur2>/=|/-|bob|kes|kshs?|shs?|shillings?|shilingi)(?![a-z]))?
    """,
    re.VERBOSE,
)
_MAX_CUES = (
    r"under|below|beneath|less\s+than|cheaper\s+than|(?:not|no)\s+more\s+than"
    r"|not\s+(?:above|over)|at\s+most|up\s*to|max(?:imum)?|within|budget|bajeti|chini\s+ya"
    r"|isizidi|isizide|isipite|sizidi|(?:si|sio|sina|bila)\s+zaidi\s+ya|hadi|mpaka"
    r"|niko\s+na|nko\s+na|nikona|nina|i\s+(?:only\s+)?(?:have|got)(?:\s+got)?|i've\s+got"
    r"|i\s+can\s+(?:only\s+)?(?:afford|pay)|pesa\s+yangu|nimebaki\s+na|<=?"
)
_MIN_CUES = r"over|above|more\s+than|at\s+least|min(?:imum)?|juu\s+ya|zaidi\s+ya|>=?"
_FROM_CUES = r"from|starting\s+(?:from|at)|kuanzia|kutoka"
_BETWEEN_CUES = r"between|kati\s+ya"
_AROUND_CUES = r"around|about|approx(?:imately)?|roughly|karibu(?:\s+na)?|takriban|kama|~"
_FILLERS = r"ni|is|of|ya|yangu|my|only|just|tu|like|around|about|kama|roughly|approximately"
_CUE_BEFORE = re.compile(
    rf"(?<![a-z'])(?:(?P<max>{_MAX_CUES})|(?P<min>{_MIN_CUES})|(?P<from>{_FROM_CUES})"
    rf"|(?P<between>{_BETWEEN_CUES})|(?P<around>{_AROUND_CUES}))"
    rf"(?:\s+(?:{_FILLERS}))*\s*[:=]?\s*$"
)
_CUE_AFTER = re.compile(
    r"\s*(?:(?P<max>(?:max(?:imum)?|tops|(?:or|and)\s+(?:less|below|under)|na\s+chini"
    r"|kwenda\s+chini|kushuka(?:\s+chini)?|kurudi\s+chini)(?![a-z]))"
    r"|(?P<min>\+|(?:(?:and|or)\s+(?:above|more|up)|na\s+juu|kwenda\s+juu|kupanda|upwards"
    r"|plus)(?![a-z]))"
    r"|(?P<around>(?:-?ish|or\s+so|(?:au|ama)\s+hivi|hivi)(?![a-z])))"
)
_JOINER = re.compile(r"\s*(?:-|–|—|to|hadi|mpaka|till|until)\s*$")
_SOFT_JOINER = re.compile(r"\s*(?:and|na|&)\s*$")
# With these in the message, "4k" is a screen resolution rather than 4,000 shillings.
_DISPLAY = re.compile(r"(?<![a-z])(?:tv|tvs|television|runinga|monitor|screen|display|uhd|inch)")
_SMALLEST_BARE_PRICE = 100
_LARGEST_PRICE = Decimal(100_000_000)
_AROUND = Decimal("0.2")


@dataclass(frozen=True, slots=True)
class PriceRange:
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True, slots=True)
class _Amount:
    start: int
    end: int
    value: Decimal
    scale: int  # the thousands multiplier written with it, 1 for none
    explicit: bool  # a currency, a multiplier or digit grouping says it is money
    resolution: bool  # "4k" beside a TV or a screen


def _swahili_value(words: list[str]) -> int:
    total, i = 0, 0
    while i < len(words):
        word = words[i]
        if word == "na":
            i += 1
        elif word in _SW_SCALES:
            count, i = _swahili_count(words, i + 1)
            total += _SW_SCALES[word] * (count or 1)
        else:
            count, i = _swahili_count(words, i)
            total += count
    return total


def _swahili_count(words: list[str], i: int) -> tuple[int, int]:
    """A count of at most two words at `i` ("tano", "kumi na tano", "15"), and where it ends."""
    if i >= len(words) or words[i] in _SW_SCALES or words[i] == "na":
        return 0, i
    word = words[i]
    value = int(word) if word.isdigit() else _SW_UNITS.get(word) or _SW_TENS[word]
    if word in _SW_TENS and words[i + 1 : i + 2] == ["na"] and words[i + 2 : i + 3]:
        unit = _SW_UNITS.get(words[i + 2])
        if unit:
            return value + unit, i + 3
    return value, i + 1


def spell_swahili_numbers(text: str) -> str:
    """Rewrite Swahili money words as digits: "elfu kumi na tano" -> "kes 15000"."""
    return _SW_NUMBER.sub(lambda m: f"kes {_swahili_value(m.group().split())}", text)


def _amounts(text: str) -> list[_Amount]:
    display = _DISPLAY.search(text) is not None
    found = []
    for match in _AMOUNT.finditer(text):
        num, mult = match["num"], match["mult"]
        currency = bool(match["cur"] or match["cur2"])
        if not (currency or mult or "," in num) and len(num) > 1 and num.startswith("0"):
            continue  # a phone number or a code, never a price
        scale = _MULTIPLIERS[mult] if mult else 1
        value = Decimal(num.replace(",", "")) * scale
        if not 0 < value <= _LARGEST_PRICE:
            continue
        resolution = display and mult == "k" and num in ("4", "8") and not currency
        explicit = currency or bool(mult) or "," in num
        found.append(_Amount(match.start(), match.end(), value, scale, explicit, resolution))
    return found


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _range_of(text: str, first: _Amount, second: _Amount, cue: str | None) -> PriceRange | None:
    """The range two amounts make ("20k-40k", "kati ya 20k na 40k"), if they make one."""
    gap = text[first.end : second.start]
    joined = _JOINER.match(gap) or (cue in ("between", "from") and _SOFT_JOINER.match(gap))
    if not joined or not (first.explicit or second.explicit or cue):
        return None
    low = first.value
    if first.scale == 1 and second.scale > 1 and low * second.scale <= second.value:
        low *= second.scale  # "20-40k" means 20,000 to 40,000
    low, high = sorted((low, second.value))
    return PriceRange(_whole(low), _whole(high))


def _single(amount: _Amount, cue: str | None) -> PriceRange | None:
    if amount.resolution and cue is None:
        return None
    if not amount.explicit and (cue is None or amount.value < _SMALLEST_BARE_PRICE):
        return None
    value = _whole(amount.value)
    if cue in ("min", "from"):
        return PriceRange(low=value)
    if cue in ("around", "between"):
        return PriceRange(_whole(value * (1 - _AROUND)), _whole(value * (1 + _AROUND)))
    return PriceRange(high=value)  # a budget, an upper cue, or a bare price mention


def _narrow(current: PriceRange, new: PriceRange) -> PriceRange:
    low = max((v for v in (current.low, new.low) if v is not None), default=None)
    high = min((v for v in (current.high, new.high) if v is not None), default=None)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return PriceRange(low, high)


def extract_prices(text: str) -> tuple[PriceRange | None, str]:
    """The price range a lowercased message asks for, and the message with those words blanked.

    An amount with no direction ("KES 3,500", "budget ni 50K", "niko na 15 thao") is a maximum.
    """
    amounts = _amounts(text)
    found: PriceRange | None = None
    spans: list[tuple[int, int]] = []
    i, last_end = 0, 0
    while i < len(amounts):
        amount = amounts[i]
        before = _CUE_BEFORE.search(text, last_end, amount.start)
        cue = before.lastgroup if before else None
        start = before.start() if before else amount.start
        following = amounts[i + 1] if i + 1 < len(amounts) else None
        pair = _range_of(text, amount, following, cue) if following else None
        if pair and following:
            found = _narrow(found or PriceRange(), pair)
            spans.append((start, following.end))
            i, last_end = i + 2, following.end
            continue
        after = _CUE_AFTER.match(text, amount.end)
        if cue is None and after:
            cue = after.lastgroup
        single = _single(amount, cue)
        if single:
            found = _narrow(found or PriceRange(), single)
            spans.append((start, after.end() if after else amount.end))
            last_end = amount.end
        i += 1
    return found, _blank(text, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in reversed(spans):
        text = f"{text[:start]} {text[end:]}"
    return text
