"""One turn of a conversation, as the assistant sees it, and the interface of whatever answers
it. The drain task builds a `Turn` from the customer's new messages and asks a `Responder`;
the real agent is one, `MediaAwareResponder` wraps any of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TurnMessage:
    """One message of the conversation, either way."""

    direction: str  # inbound | outbound
    author: str  # customer | bot | human
    kind: str  # text | image | audio | video | document | location | template | other
    text: str
    at: datetime
    media_url: str | None = None
    media_type: str | None = None
    id: str | None = None

    @property
    def is_text(self) -> bool:
        return self.kind == "text" and bool(self.text.strip())


@dataclass(frozen=True, slots=True)
class TurnCustomer:
    id: str
    name: str
    preferred_language: str


@dataclass(frozen=True, slots=True)
class TurnConversation:
    id: str
    channel_id: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Turn:
    """The customer's new messages (oldest first, answered together) and what came before."""

    tenant_id: str
    conversation: TurnConversation
    customer: TurnCustomer
    messages: Sequence[TurnMessage]
    history: Sequence[TurnMessage] = ()

    @property
    def language(self) -> str:
        """The conversation's language, else the customer's preference."""
        return self.conversation.language or self.customer.preferred_language or "en"


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back: texts in order (none: stay silent), whether a person takes over
    after them, and the language the conversation goes on in."""

    texts: Sequence[str] = ()
    handoff: bool = False
    language: str | None = None


class Responder(Protocol):
    async def respond(self, turn: Turn) -> Reply: ...


# Answers to a turn of only media, per language; Sheng speakers read Swahili too.
_MEDIA_ONLY = {
    "en": "I can read text for now — could you describe the item in a message?",
    "sw": "Kwa sasa ninaweza kusoma maandishi tu — tafadhali eleza bidhaa hiyo kwa ujumbe?",
    "sheng": "Kwa sasa nasoma text pekee — nieleze hiyo item kwa message?",
}
_LOCATION_ONLY = {
    "en": "Thanks, I have your location. What can I help you with?",
    "sw": "Asante, nimepokea mahali ulipo. Nikusaidie na nini?",
    "sheng": "Poa, location nimeipata. Nikusaidie na nini?",
}


@dataclass
class MediaAwareResponder:
    """Answers a turn without any text itself (a photo, a voice note, a document, a location)
    in the customer's language, and hands every turn with text to `inner`: the assistant reads
    text only, and a media message must get an answer, not silence."""

    inner: Responder
    media_replies: dict[str, str] = field(default_factory=lambda: dict(_MEDIA_ONLY))
    location_replies: dict[str, str] = field(default_factory=lambda: dict(_LOCATION_ONLY))

    async def respond(self, turn: Turn) -> Reply:
        if any(message.is_text for message in turn.messages):
            return await self.inner.respond(turn)
        kinds = {message.kind for message in turn.messages} - {"other"}
        if not kinds:  # only reactions and kinds we do not know: nothing to answer
            return Reply()
        replies = self.location_replies if kinds == {"location"} else self.media_replies
        language = turn.language if turn.language in replies else "en"
        return Reply(texts=[replies[language]], language=language)
