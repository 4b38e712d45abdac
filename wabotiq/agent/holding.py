"""The answer while no assistant is configured: tell the customer once that a person will
answer, and hand the conversation to people (who answer from the inbox or their own app)."""

from __future__ import annotations

from wabotiq.agent.turn import Reply, Turn

_HOLDING = {
    "en": "Thanks for your message! A member of our team will answer you here shortly.",
    "sw": "Asante kwa ujumbe wako! Mmoja wa timu yetu atakujibu hapa hivi punde.",
    "sheng": "Asante kwa message! Mtu wa team yetu atakujibu hapa saa hii.",
}


class HoldingResponder:
    """A responder with no intelligence: one polite holding reply, then a person's turn."""

    async def respond(self, turn: Turn) -> Reply:
        language = turn.language if turn.language in _HOLDING else "en"
        return Reply(texts=[_HOLDING[language]], handoff=True, language=language)
