"""The order of search results: retrieval's candidates re-weighed by how well each fits the
request.

Retrieval finds candidates by words and meaning, but it cannot tell a Samsung TV from another
brand's TV that says "TV" more often, an item from the repair a customer describes, or a phone
near a 15,000 budget from a 1,200 one. Here each wish the candidate does not meet multiplies
its fused score by `MISS` — a brand named, a model number or size, a service rather than an
item, the category the words point at, an add-on (a cover, a bracket) when none was asked for —
and a budget weighs candidates by their price. Nothing is filtered out: a category hint lifts
the products of that category above other products and services, it never hides the document
passage or the service that answers the question. Equal scores are ordered by entry id, so the
same request always gives the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from wabotiq.search.lexicon import ADDON_WORDS, exact_forms, tokenize
from wabotiq.search.types import FULLTEXT, TRIGRAM, Kind, SearchHit
from wabotiq.search.understanding import UnderstoodQuery

# The weight of one unmet wish, and the least a price can weigh (a price far from the budget).
MISS = 0.5
PRICE_FLOOR = 0.5
# Entries without a price of the wanted kind, when a price matters: neither near nor far.
PRICE_NEUTRAL = (1 + PRICE_FLOOR) / 2
LEXICAL = frozenset({FULLTEXT, TRIGRAM})


@dataclass(frozen=True, slots=True)
class Budget:
    """The price range the customer stated, or a wish for low prices."""

    low: Decimal | None = None
    high: Decimal | None = None
    cheap: bool = False


def matches_words(query: UnderstoodQuery, hits: Sequence[SearchHit]) -> bool:
    """Whether any candidate shares a word (or a corrected spelling of one) with the query, or
    the query has no words to share (a budget alone, "chini ya 20k").

    Vectors always return nearest neighbours, even for things the shop does not sell: with no
    word in common, the candidates are neighbours of nothing."""
    return not query.terms or any(LEXICAL.intersection(hit.retrievers) for hit in hits)


def rank(
    hits: Sequence[SearchHit],
    query: UnderstoodQuery,
    *,
    category_ids: frozenset[str] = frozenset(),
    budget: Budget | None = None,
) -> list[SearchHit]:
    """`hits` best first by fused score times how well each fits; ties by entry id.

    `category_ids` are the tenant's categories the query's category hint names."""
    wanted: Kind = "service" if query.service else "product"
    fits = {hit.id: _fit(hit, query, category_ids) for hit in hits}
    prices = _price_weights(hits, wanted, fits, budget) if budget else {}
    neutral = PRICE_NEUTRAL if budget else 1.0

    def weighed(hit: SearchHit) -> float:
        return hit.score * fits[hit.id] * prices.get(hit.id, neutral)

    return sorted(hits, key=lambda hit: (-weighed(hit), hit.id))


def _fit(hit: SearchHit, query: UnderstoodQuery, category_ids: frozenset[str]) -> float:
    """The product of MISS over the wishes this hit does not meet (1.0 when it meets all)."""
    fit = 1.0
    if query.service and hit.kind == "product":
        fit *= MISS
    if category_ids and hit.kind == "product" and not category_ids.intersection(hit.category_ids):
        fit *= MISS
    elif category_ids and hit.kind == "service" and not query.service:
        fit *= MISS  # a product named and nothing to be done: "simu chini ya 20k" is no repair
    if hit.kind == "product" and _addon(hit) and not ADDON_WORDS.intersection(query.terms):
        fit *= MISS  # "A15 iko?" asks for the phone; its cover is for it, not it
    if query.brands or query.exact:
        words = set(tokenize(f"{hit.title} {hit.code} {hit.body}"))
        named = exact_forms(words)
        models = {form for form in query.exact if not form.isdigit()}
        # A model number names its brand: "A54 or Redmi 13C" does not demote the A54.
        if query.brands and not (words.intersection(query.brands) or named & models):
            fit *= MISS
        if query.exact:
            share = len(named.intersection(query.exact)) / len(query.exact)
            fit *= 1 - (1 - MISS) * (1 - share)
    return fit


def _addon(hit: SearchHit) -> bool:
    """Whether the hit's name says it is made for another item (a cover, a bracket, a cable)."""
    return not ADDON_WORDS.isdisjoint(tokenize(hit.title))


def _price_weights(
    hits: Sequence[SearchHit], wanted: Kind, fits: dict[str, float], budget: Budget
) -> dict[str, float]:
    """Weights by price for the priced hits of the wanted kind.

    Low prices first when the customer asks for cheap (relative to the cheapest fitting
    candidate); otherwise nearer the budget first: under a maximum the dearest that fits,
    in a range ("around 60k") the middle."""
    priced = [hit for hit in hits if hit.kind == wanted and hit.price is not None]
    weight = _weight(budget, [hit for hit in priced if fits[hit.id] == 1.0] or priced)
    if weight is None:
        return {}
    return {hit.id: weight(hit.price) for hit in priced if hit.price is not None}


def _weight(budget: Budget, pool: list[SearchHit]) -> Callable[[Decimal], float] | None:
    span = 1 - PRICE_FLOOR
    if budget.cheap:
        lowest = min((hit.price for hit in pool if hit.price is not None), default=None)
        if lowest is None:
            return None
        # Misfits cheaper than the cheapest fitting candidate weigh no more than it does.
        return lambda price: PRICE_FLOOR + span * (min(1.0, float(lowest / price)) if price else 1)
    low, high = budget.low, budget.high
    if low is not None and high is not None and high > 0:
        middle = (low + high) / 2
        return lambda price: 1 - span * min(1.0, float(abs(price - middle) / middle))
    if high is not None and high > 0:
        return lambda price: PRICE_FLOOR + span * min(1.0, float(price / high))
    return None
