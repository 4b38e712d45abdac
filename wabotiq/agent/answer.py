"""What an agent tier is given for a turn and what it answers: the same for the language-model
tier and the offline tier, so the responder treats them alike and can fall back from one to the
other mid-turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wabotiq.agent.tools.items import Item


@dataclass(frozen=True, slots=True)
class Said:
    """One earlier message: who said it ("customer", "bot", "human") and what."""

    author: str
    text: str


@dataclass(frozen=True, slots=True)
class AgentInput:
    """A turn: the customer's new text (messages that came together, joined by newlines), the
    conversation so far, the register to answer in when the message does not say, and the list
    the customer was last shown (what "number 2" means)."""

    text: str
    history: Sequence[Said]
    language: str  # en | sw | sheng: the conversation's register so far
    customer_name: str
    shop_name: str
    now: datetime
    last_list: Sequence[Item] = ()
    misunderstood: int = 0  # turns in a row the assistant could not understand, before this

    @property
    def customer_history(self) -> list[str]:
        return [said.text for said in self.history if said.author == "customer"]


@dataclass(frozen=True, slots=True)
class AgentAnswer:
    """Texts to send (in order), whether a person takes over after them, the register the
    conversation goes on in, what the turn was understood to want, and for the record which
    tier, provider and model answered, at what cost."""

    texts: Sequence[str]
    language: str
    intent: str
    understood: bool = True
    handoff: bool = False
    tier: str = "offline"
    provider: str = "offline"
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    hops: Sequence[dict[str, Any]] = field(default=())


class TierUnavailable(Exception):
    """A tier could not answer this turn (no provider answered, or its answer failed a check):
    the responder undoes what it did and asks the next tier."""
