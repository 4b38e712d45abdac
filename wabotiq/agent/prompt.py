"""What a language model is told for a turn: who the shop is and what time it is there, how to
write for WhatsApp, where prices may come from, the conversation so far and the list the
customer was last shown (so "number 2" has a meaning)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from wabotiq.agent.answer import AgentInput, Said
from wabotiq.agent.llm.types import Message, Role
from wabotiq.agent.replies.format import MAX_CHARS
from wabotiq.agent.tools.items import Item

# Enough of the conversation to follow it; older turns cost tokens and add little.
HISTORY_MESSAGES = 12

_REGISTERS = {
    "en": "English",
    "sw": "Swahili",
    "sheng": "Sheng-flavoured Swahili, the casual Nairobi way (Swahili with English words, "
    '"poa", "sawa", "iko")',
}

_RULES = f"""\
How to answer:
- This is WhatsApp: short messages, plain text, no markdown tables or headings. At most \
{MAX_CHARS} characters.
- Show several items as a numbered list (1., 2., 3.), one item a line, with its price.
- Write prices as {{currency}} 48,000 (the currency code, a space, digits grouped by commas).
- Answer in the customer's register: English, Swahili, or Sheng-flavoured Swahili, as they write.
- Never state a price, a total, stock or a free time that did not come from a tool result in \
this turn. To talk about an item's price or stock, call a tool first (search_catalog, \
item_details, view_cart, check_availability). Do not add up prices yourself: view_cart and \
checkout give the totals. Do not repeat the customer's budget as a figure; say "within your \
budget".
- "number 2", "ya kwanza", "hiyo", "the cheaper one" point into the list the customer was last \
shown (below) or the latest list a tool returned: use that item's id.
- Book, add to cart or check out only when the customer asks for it.
- Call handoff when the customer asks for a person ("agent", "nataka kuongea na mtu") or \
complains; then tell them, in one short message, that a person will answer.
- Times are the shop's local time. Swahili hours count from 06:00: "saa nne asubuhi" is 10:00, \
"saa moja jioni" is 19:00. "Kesho" is tomorrow, "Jumamosi" is Saturday.
- If you cannot help, say so briefly and offer a person."""


def system_prompt(given: AgentInput, *, zone: ZoneInfo, currency: str, register: str) -> str:
    """The instructions for this turn; `register` (en, sw or sheng) is the one to answer in."""
    now = given.now.astimezone(zone)
    answer_in = _REGISTERS.get(register, _REGISTERS["en"])
    lines = [
        f"You are the WhatsApp shop assistant of {given.shop_name}, a shop in Kenya.",
        f"Now it is {_when(now)} ({zone.key}).",
        f"The customer is {given.customer_name or 'a customer'}. Answer this message in "
        f"{answer_in}.",
        "",
        _RULES.replace("{currency}", currency),
    ]
    if given.last_list:
        lines += ["", "The list the customer was last shown:", *_numbered(given.last_list)]
    return "\n".join(lines)


def _when(now: datetime) -> str:
    return f"{now:%A} {now.day} {now:%B %Y}, {now:%H:%M}"


def _numbered(items: Sequence[Item]) -> list[str]:
    """Names and ids only: a price from an earlier turn may be stale, so the model looks it up."""
    return [f"{n}. {item.name} ({item.kind}, id {item.id})" for n, item in enumerate(items, 1)]


def conversation(
    given: AgentInput, *, zone: ZoneInfo, currency: str, register: str
) -> list[Message]:
    """The system prompt, the recent history and the new message, as chat messages. Messages
    from one side in a row are joined: Gemini wants the sides to alternate."""
    history = list(given.history)[-HISTORY_MESSAGES:]
    if history and history[-1].author == "customer" and history[-1].text == given.text:
        history.pop()  # the new message, when the caller already counted it as history
    turns: list[Message] = []
    for said in [*history, Said("customer", given.text)]:
        role: Role = "user" if said.author == "customer" else "assistant"
        text = said.text.strip()
        if not text:
            continue
        if turns and turns[-1].role == role:
            turns[-1] = Message(role=role, content=f"{turns[-1].content}\n{text}")
        else:
            turns.append(Message(role=role, content=text))
    while turns and turns[0].role == "assistant":  # Gemini wants the user to speak first
        turns.pop(0)
    prompt = system_prompt(given, zone=zone, currency=currency, register=register)
    system = Message(role="system", content=prompt)
    return [system, *turns]
