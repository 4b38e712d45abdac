"""One call that reads a customer's message for the offline agent: register, intent, slots.

It is a coroutine only because the embedder runs its model in a worker thread (the event loop
keeps serving meanwhile); given the same inputs it always gives the same answer, and it makes no
network call. Everything but the one embedding takes well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

from wabotiq.agent.understanding.intents import IntentClassifier, IntentGuess
from wabotiq.agent.understanding.language import (
    Register,
    RegisterReading,
    detect_register,
    load_detector,
)
from wabotiq.agent.understanding.slots import (
    Reference,
    ShownItem,
    read_budget,
    read_quantity,
    resolve_reference,
)
from wabotiq.agent.understanding.times import TimeAsked, parse_time
from wabotiq.search.embedders.offline import OfflineEmbedder
from wabotiq.search.prices import PriceRange
from wabotiq.search.understanding import UnderstoodQuery
from wabotiq.search.understanding import understand as understand_query


@dataclass(frozen=True, slots=True)
class Understanding:
    """Everything the offline agent reads from one message.

    `query` is the message as search reads it (catalog words, price filter, category), with the
    customer's earlier messages filling in the product when this one names none.
    """

    register: RegisterReading
    intent: IntentGuess
    budget: PriceRange | None
    quantity: int | None
    time: TimeAsked | None
    reference: Reference | None
    query: UnderstoodQuery


@cache
def default_classifier() -> IntentClassifier:
    """The process's classifier: the bundled offline embedder (no network), examples cached
    on disk so a restart does not embed them again."""
    cache_dir = Path(platformdirs.user_cache_dir("wabotiq", appauthor=False))
    return IntentClassifier(OfflineEmbedder(), cache_dir=cache_dir / "agent")


async def warm_up(classifier: IntentClassifier | None = None) -> None:
    """Load the models and the example matrix now (a worker's start), not on a customer's
    first message: together they take seconds."""
    load_detector()
    await (classifier or default_classifier()).classify("warm up")


async def understand(
    text: str,
    *,
    previous_register: Register | None,
    last_list: Sequence[ShownItem],
    now: datetime,
    tz: ZoneInfo,
    history: Sequence[str] = (),
    classifier: IntentClassifier | None = None,
) -> Understanding:
    """Read `text`; `history` holds the customer's earlier messages, oldest first."""
    classifier = classifier or default_classifier()
    return Understanding(
        register=detect_register(text, previous_register),
        intent=await classifier.classify(text),
        budget=read_budget(text),
        quantity=read_quantity(text),
        time=parse_time(text, now=now, tz=tz),
        reference=resolve_reference(text, tuple(last_list)),
        query=understand_query(text, history),
    )
