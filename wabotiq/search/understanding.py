"""Turn a customer's message into what search needs: catalog words, a price range, filters.

Customers write English, Swahili, Sheng or a mix ("niko na 15 thao, simu gani poa?") and often
name the product in an earlier message ("Niaje, una laptop ngapi?" then "Gaming, budget ni
50K"). Retrieval works on catalog vocabulary, so the message is rewritten into the catalog's
words (keeping its own product words, brands and models), its budget becomes a price filter, and
the product it is about is taken from the conversation when the message does not name one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from wabotiq.search.lexicon import (
    BRANDS,
    NOISE,
    PHRASES_BY_FIRST_WORD,
    SENSES,
    VOCABULARY,
    Sense,
    exact_forms,
    inflected,
    tokenize,
)
from wabotiq.search.prices import PriceRange, extract_prices, spell_swahili_numbers

# Only explicit requests filter by stock: "Chromebook iko?" asks whether it is there, and the
# answer "out of stock" needs the Chromebook found.
_IN_STOCK = re.compile(
    r"(?<![a-z])(?P<negated>(?:not|no|isn't|aren't|si|sio|haiko|haziko)\s+)?"
    r"(?:in[\s-]?stock|available\s+(?:now|today)|now\s+available|currently\s+available"
    r"|ready\s+stock|(?:iko|ziko|kwa)\s+stock|zilizopo|zilizoko|zinazopatikana)(?![a-z])"
)
# Times and dates belong to bookings, not retrieval: "saa nne asubuhi", "10am", "tarehe 5".
_TIMES = re.compile(
    r"(?<![a-z0-9])(?:saa\s+(?:\d{1,2}(?:[:.]\d{2})?|moja|mbili|tatu|nne|tano|sita|saba|nane"
    r"|tisa|kumi(?:\s+na\s+(?:moja|mbili))?)|\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|hrs)"
    r"|\d{1,2}:\d{2}|tarehe\s+\d{1,2}|saa\s+ngapi|what\s+time)(?![a-z0-9])"
)
_MODEL = re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]+")  # "a54", "13c", "ps5"
_MEASURE = re.compile(r"\d+(?:gb|tb|mb|g|mah|w|hz|mp|kg|l|ml|mm|cm|m|k|am|pm|th|st|nd|rd|x|v)")
_CONTEXT_MESSAGES = 4
_MAX_QUANTITY = 10


@dataclass(frozen=True, slots=True)
class UnderstoodQuery:
    """A message read for retrieval.

    `text` is in catalog vocabulary with noise words removed and translations added; `terms` is
    the same as lowercase tokens. `category` is a slug of a catalog category name ("laptops",
    "home-appliances") when the message clearly points at one. `cheap` asks for low prices
    without naming one, so a caller may sort by price. `service` says the customer wants
    something done (a treatment, a repair, an installation) rather than an item; `brands` and
    `exact` (model numbers and sizes, as `lexicon.exact_forms` spells them) are what a fitting
    item must name.
    """

    text: str
    terms: tuple[str, ...]
    price_min: Decimal | None
    price_max: Decimal | None
    in_stock: bool | None
    category: str | None
    cheap: bool
    service: bool = False
    brands: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Reading:
    """One message read on its own, before the conversation fills its gaps."""

    terms: tuple[str, ...]
    subject: tuple[str, ...]  # product nouns, brands and models: what the message is about
    category: str | None
    service: bool  # its strongest phrases ask for something done, not an item
    own: tuple[str, ...]  # the customer's own words (and spelling fixes), not translations
    prices: PriceRange | None
    cheap: bool
    in_stock: bool | None


def understand(message: str, context: Sequence[str] = ()) -> UnderstoodQuery:
    """Read `message` for search; `context` holds the customer's earlier messages, oldest first.

    The current message's product, prices and category win. When it names no product, the
    product words and category of the nearest earlier message that named one are inherited;
    when it gives no budget, the nearest earlier budget carries over unless the two messages
    point at different categories.
    """
    current = _read(message)
    earlier = [_read(line) for line in reversed(context[-_CONTEXT_MESSAGES:])]
    terms, category, service = list(current.terms), current.category, current.service
    own = list(current.own)
    if not current.subject:
        about = next((reading for reading in earlier if reading.subject), None)
        if about is not None:
            terms += [term for term in about.subject if term not in terms]
            own += [word for word in about.own if word in about.subject]
            category = category or about.category
            service = service or about.service
    prices, cheap = current.prices, current.cheap
    if prices is None and not cheap:
        priced = next((reading for reading in earlier if reading.prices or reading.cheap), None)
        if priced is not None and not _different(category, priced.category):
            prices, cheap = priced.prices, priced.cheap
    return UnderstoodQuery(
        text=" ".join(terms),
        terms=tuple(terms),
        price_min=prices.low if prices else None,
        price_max=prices.high if prices else None,
        in_stock=current.in_stock,
        category=category,
        cheap=cheap,
        service=service,
        brands=tuple(dict.fromkeys(word for word in own if word in BRANDS)),
        exact=tuple(sorted(exact_forms(own))),
    )


def _different(category: str | None, other: str | None) -> bool:
    return category is not None and other is not None and category != other


@lru_cache(maxsize=2048)
def _read(message: str) -> _Reading:
    text = _TIMES.sub(" ", _normalise(message))
    in_stock, text = _stock_request(text)
    prices, text = extract_prices(spell_swahili_numbers(text))
    terms, subject, hints, own = _words(tokenize(text))
    return _Reading(
        terms=tuple(terms),
        subject=tuple(subject),
        category=_category(hints),
        service=_service(hints),
        own=tuple(own),
        prices=prices,
        cheap="cheap" in terms,
        in_stock=in_stock,
    )


def _normalise(message: str) -> str:
    text = unicodedata.normalize("NFKD", message.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _stock_request(text: str) -> tuple[bool | None, str]:
    """True for an explicit in-stock request, and the text without it; a negated one is None."""
    match = _IN_STOCK.search(text)
    if match is None:
        return None, text
    remaining = f"{text[: match.start()]} {text[match.end() :]}"
    return (None if match["negated"] else True), remaining


def _lexicon_form(token: str) -> str:
    """The token as the lexicon knows it: "laptops" -> "laptop", unknown words unchanged."""
    if token in NOISE or token in VOCABULARY or not token.endswith("s") or token.endswith("ss"):
        return token
    for singular in (token[:-3] + "y", token[:-2], token[:-1]):
        if len(singular) >= 2 and singular in VOCABULARY:
            return singular
    return token


def _phrases(keys: list[str]) -> Iterator[tuple[int, int, Sense | None]]:
    """Split tokens into lexicon phrases, longest first, and single words the lexicon lacks."""
    i = 0
    while i < len(keys):
        for phrase in PHRASES_BY_FIRST_WORD.get(keys[i], ()):
            if tuple(keys[i : i + len(phrase)]) == phrase:
                yield i, i + len(phrase), SENSES[phrase]
                i += len(phrase)
                break
        else:
            yield i, i + 1, None
            i += 1


def _words(tokens: list[str]) -> tuple[list[str], list[str], list[Sense], list[str]]:
    """Retrieval terms, the subject among them, the senses that hint at what is wanted, and
    the customer's own words (with the spelling fixes of words that name no category)."""
    keys = [_lexicon_form(token) for token in tokens]
    terms: dict[str, None] = {}  # an ordered set
    subject: dict[str, None] = {}
    hints: list[Sense] = []
    own: dict[str, None] = {}
    for start, end, found in _phrases(keys):
        sense = found
        if sense is None and tokens[start] not in NOISE:
            sense = inflected(tokens[start])
        spoken = [w for pair in zip(tokens[start:end], keys[start:end], strict=True) for w in pair]
        said = [word for word in spoken if word not in NOISE]
        words = said + list(sense.adds if sense else ())
        terms.update(dict.fromkeys(words))
        plain = sense is None or (sense.category is None and not sense.service)
        own.update(dict.fromkeys(words if plain else said))
        if (
            sense is not None
            and sense.category is not None
            and _quantity(tokens[start - 1 : start])
        ):
            own.pop(tokens[start - 1], None)  # "2 phones" counts phones, it names no model
        if sense is not None and (sense.category is not None or sense.service):
            hints.append(sense)
        if sense is not None and sense.category is not None:
            subject.update(dict.fromkeys(words))
        elif sense is None and _names_product(tokens[start], tokens[start - 1 : start], subject):
            subject[tokens[start]] = None
    return list(terms), list(subject), hints, list(own)


def _quantity(previous: list[str]) -> bool:
    """A small bare number before a product word: how many, not which."""
    return bool(previous) and previous[0].isdigit() and int(previous[0]) < _MAX_QUANTITY


def _names_product(token: str, previous: list[str], subject: dict[str, None]) -> bool:
    """A brand, a model ("a54", "13c") or a number right after one ("iphone 13")."""
    if token in BRANDS:
        return True
    if _MODEL.fullmatch(token):
        return not _MEASURE.fullmatch(token)
    return token.isdigit() and bool(previous) and previous[0] in subject


def _category(hints: list[Sense]) -> str | None:
    """The category the highest-ranked phrases agree on: "cover ya simu" is an accessory."""
    named = [sense for sense in hints if sense.category is not None]
    if not named:
        return None
    top = max(sense.rank for sense in named)
    categories = {sense.category for sense in named if sense.rank == top}
    return categories.pop() if len(categories) == 1 else None


def _service(hints: list[Sense]) -> bool:
    """Whether the highest-ranked phrases all ask for something done: "screen ya simu
    imevunjika" wants the repair, "kinyozi" the haircut, "clipper ya kinyozi" is undecided."""
    if not hints:
        return False
    top = max(sense.rank for sense in hints)
    return all(sense.service for sense in hints if sense.rank == top)
