"""`MediaAwareResponder`: turns without text are answered in the customer's language; every
turn with text goes to the inner responder, untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from wabotiq.agent.turn import (
    MediaAwareResponder,
    Reply,
    Turn,
    TurnConversation,
    TurnCustomer,
    TurnMessage,
)

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class Inner:
    def __init__(self) -> None:
        self.turns: list[Turn] = []

    async def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        return Reply(texts=["inner"])


def _turn(*messages: tuple[str, str], language: str | None = None, preferred: str = "en") -> Turn:
    return Turn(
        tenant_id="0123456789ab",
        conversation=TurnConversation(id="c", channel_id="ch", language=language),
        customer=TurnCustomer(id="cu", name="Wanjiku", preferred_language=preferred),
        messages=[TurnMessage("inbound", "customer", kind, text, NOW) for kind, text in messages],
    )


async def test_a_photo_alone_gets_the_media_answer_and_the_inner_responder_is_not_asked():
    inner = Inner()
    reply = await MediaAwareResponder(inner=inner).respond(_turn(("image", "")))
    assert reply.texts == ["I can read text for now — could you describe the item in a message?"]
    assert inner.turns == []


async def test_the_media_answer_follows_the_conversation_then_the_customer_language():
    responder = MediaAwareResponder(inner=Inner())
    swahili = await responder.respond(_turn(("audio", ""), preferred="sw"))
    sheng = await responder.respond(_turn(("document", ""), language="sheng", preferred="sw"))
    unknown = await responder.respond(_turn(("image", ""), preferred="fr"))
    assert swahili.texts[0].startswith("Kwa sasa ninaweza kusoma maandishi tu")
    assert sheng.texts[0].startswith("Kwa sasa nasoma text pekee")
    assert unknown.texts[0].startswith("I can read text for now")
    assert (swahili.language, sheng.language, unknown.language) == ("sw", "sheng", "en")


async def test_a_location_alone_is_acknowledged():
    reply = await MediaAwareResponder(inner=Inner()).respond(_turn(("location", "")))
    assert reply.texts == ["Thanks, I have your location. What can I help you with?"]


async def test_any_text_in_the_turn_goes_to_the_inner_responder_with_every_message():
    inner = Inner()
    turn = _turn(("image", ""), ("text", "how much is this one?"))
    reply = await MediaAwareResponder(inner=inner).respond(turn)
    assert reply.texts == ["inner"]
    assert inner.turns == [turn]


async def test_a_reaction_alone_gets_no_answer():
    inner = Inner()
    reply = await MediaAwareResponder(inner=inner).respond(_turn(("other", "")))
    assert (reply.texts, inner.turns) == ((), [])
