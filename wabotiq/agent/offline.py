"""The offline agent: deterministic, multilingual, no network. The embedded default when no
language model is configured, and the last tier of the failover chain.

It reads a message with `understanding` (register, intent by nearest labelled examples, budget,
quantity, Swahili time, references to the last list), acts through the same tools a language
model calls, and writes the reply from the tools' results in the customer's register. Nothing in
here knows a product, a shop or a sample line: the catalog is only ever reached by search.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from wabotiq.agent.answer import AgentAnswer, AgentInput
from wabotiq.agent.replies.format import clip, money, numbered, when
from wabotiq.agent.replies.phrases import day_name, order_status, say
from wabotiq.agent.tools import booking, catalog, shopping
from wabotiq.agent.tools.items import Item
from wabotiq.agent.tools.registry import Toolbox
from wabotiq.agent.understanding.intents import Intent, IntentClassifier
from wabotiq.agent.understanding.language import Register
from wabotiq.agent.understanding.message import Understanding, understand
from wabotiq.agent.understanding.slots import Reference, ShownItem
from wabotiq.domain.bookings.schedule import business_hours

LIST_SIZE = 5
MISUNDERSTOOD_LIMIT = 2  # turns in a row not understood before a person takes over

# Words that ask about opening hours, in the three registers.
_HOURS = re.compile(
    r"\b(open|opening|close|closing|hours|fungua|mnafungua|funga|mnafunga|saa\s+ngapi|mko\s+open"
    r"|working\s+hours|saa\s+za\s+kazi)\b",
    re.IGNORECASE,
)
# Conjunctions that join several items in one request ("cover ya A54 na screen protector").
_AND = re.compile(r"\s*(?:,|&|\+|\bna\b|\band\b|\bplus\b|\bpamoja\s+na\b)\s*", re.IGNORECASE)


def slot_key(item: Item) -> str:
    """A slot's own key in a shown list (slots of one service share its id)."""
    return f"{item.id}@{item.starts_at.isoformat()}" if item.starts_at else item.id


def _shown(items: Sequence[Item]) -> tuple[ShownItem, ...]:
    return tuple(
        ShownItem(id=slot_key(i), name=i.name, price=i.price, brand=i.brand) for i in items
    )


@dataclass
class _Turn:
    """One turn being answered: what was read, the tools, and the reply being built."""

    given: AgentInput
    box: Toolbox
    read: Understanding
    language: str
    texts: list[str] = field(default_factory=list)
    handoff: bool = False
    understood: bool = True
    acted_as: Intent | None = None  # what the turn turned out to be, when not what was read

    @property
    def ctx(self) -> booking.ToolContext:
        return self.box.ctx

    def say(self, key: str, **values: object) -> str:
        return say(key, self.language, **values)

    def reply(self, *parts: str) -> None:
        self.texts.append(clip("\n".join(part for part in parts if part)))

    def show(self, items: Sequence[Item]) -> None:
        self.box.remember(list(items))

    def referenced(self) -> Item | None:
        ref = self.read.reference
        if ref is None or ref.item is None:
            return None
        by_key = {slot_key(item): item for item in self.given.last_list}
        return by_key.get(ref.item.id)

    # Lines of a list -----------------------------------------------------------------------

    def item_line(self, item: Item) -> str:
        parts = [item.name]
        if item.price is not None:
            parts.append(money(item.price, item.currency))
        if item.kind == "slot" and item.starts_at is not None:
            return when(item.starts_at, self.language)
        if item.stock is not None:
            parts.append(
                self.say("stock_count", count=item.stock)
                if item.stock > 0
                else self.say("sold_out")
            )
        elif item.duration_minutes:
            parts.append(self.say("minutes", minutes=item.duration_minutes))
        return " — ".join(parts)


Handler = Callable[[_Turn], Awaitable[None]]


class OfflineAgent:
    """Answers a turn without any network: see the module's docstring."""

    def __init__(self, classifier: IntentClassifier | None = None) -> None:
        self.classifier = classifier

    async def answer(self, given: AgentInput, toolbox: Toolbox) -> AgentAnswer:
        previous = Register(given.language) if given.language in set(Register) else None
        read = await understand(
            given.text,
            previous_register=previous,
            last_list=_shown(given.last_list),
            now=given.now,
            tz=toolbox.ctx.zone,
            history=given.customer_history,
            classifier=self.classifier,
        )
        reply_in = read.register.reply.value
        language = reply_in if reply_in in ("en", "sw", "sheng") else "en"
        turn = _Turn(given=given, box=toolbox, read=read, language=language)
        intent = read.intent.intent
        picked = turn.referenced()
        if picked is not None and picked.kind == "slot":
            await _take_slot(turn, picked)
            intent = Intent.BOOK_SERVICE if not picked.parent_id else Intent.RESCHEDULE_BOOKING
        elif read.intent.understood:
            await HANDLERS.get(intent, _not_understood)(turn)
        else:  # like no example: perhaps a bare product name, else not understood
            intent = await _unclear(turn)
        intent = turn.acted_as or intent
        if not turn.understood and given.misunderstood + 1 >= MISUNDERSTOOD_LIMIT:
            turn.texts = [turn.say("stuck")]
            turn.handoff = True
        return AgentAnswer(
            texts=turn.texts,
            language=language,
            intent=intent.value,
            understood=turn.understood,
            handoff=turn.handoff or toolbox.handoff,
        )


# Handlers, one per intent --------------------------------------------------------------------


async def _greeting(turn: _Turn) -> None:
    name = turn.given.customer_name.split()[0] if turn.given.customer_name.strip() else ""
    turn.reply(turn.say("greeting", name=f" {name}" if name else "", shop=turn.given.shop_name))


async def _thanks(turn: _Turn) -> None:
    turn.reply(turn.say("thanks"))


async def _handoff(turn: _Turn) -> None:
    turn.box.record("handoff")
    turn.reply(turn.say("handoff"))
    turn.handoff = True


async def _complaint(turn: _Turn) -> None:
    turn.box.record("handoff")
    turn.reply(turn.say("complaint"))
    turn.handoff = True


async def _not_understood(turn: _Turn) -> None:
    turn.understood = False
    turn.reply(turn.say("not_understood"))


async def _unclear(turn: _Turn) -> Intent:
    """A message like none of the examples: if the shop has what it names, show that;
    otherwise say so, and count it towards a handover."""
    found = await _search(turn)
    if found.no_match:
        await _not_understood(turn)
        return Intent.OTHER
    turn.show(found.items)
    turn.reply(
        turn.say("found"),
        numbered([turn.item_line(i) for i in found.items]),
        turn.say("pick_item"),
    )
    return Intent.PRODUCT_SEARCH


async def _search(turn: _Turn, *, kinds: Sequence[catalog.Kind] | None = None) -> catalog.Found:
    found = await catalog.search(
        turn.ctx,
        turn.given.text,
        context=turn.given.customer_history,
        kinds=kinds,
        first=LIST_SIZE,
    )
    turn.box.record("search_catalog")
    return found


def _no_match(turn: _Turn, found: catalog.Found) -> None:
    what = found.understood.text if found.understood else ""
    if what and len(what) <= 30:
        turn.reply(turn.say("no_match", what=what))
    else:
        turn.reply(turn.say("no_match_plain"))


async def _list_found(turn: _Turn) -> None:
    found = await _search(turn)
    if found.no_match:
        _no_match(turn, found)
        return
    understood = found.understood
    if understood is not None and understood.service and found.items[0].kind == "service":
        turn.acted_as = Intent.BOOK_SERVICE  # a repair or treatment wanted: when?
        await _book_service(turn, found.items[0])
        return
    budget = turn.read.budget
    if budget is not None and budget.high is not None and understood and not understood.cheap:
        intro = turn.say("found_budget", budget=money(budget.high, turn.ctx.currency))
    elif all(item.kind == "service" for item in found.items):
        intro = turn.say("found_services")
    else:
        intro = turn.say("found")
    turn.show(found.items)
    turn.reply(intro, numbered([turn.item_line(i) for i in found.items]), turn.say("pick_item"))


async def _one_item(turn: _Turn) -> tuple[Item | None, catalog.Found | None]:
    """The item the message is about: one pointed at in the last list, else the best hit."""
    picked = turn.referenced()
    if picked is not None and picked.kind in ("product", "service", "variant"):
        fresh = await catalog.details(turn.ctx, picked.parent_id or picked.id)
        return fresh or picked, None
    found = await _search(turn)
    if found.no_match:
        return None, found
    return found.items[0], found


async def _price(turn: _Turn) -> None:
    item, found = await _one_item(turn)
    if item is None:
        _no_match(turn, found) if found else turn.reply(turn.say("which_item"))
        return
    if item.kind == "service":
        first = turn.say(
            "service_price",
            name=item.name,
            price=money(item.price, item.currency),
            minutes=item.duration_minutes or "?",
        )
    else:
        first = turn.say("price", name=item.name, price=money(item.price, item.currency))
    others = [i for i in (found.items if found else []) if i.id != item.id][: LIST_SIZE - 1]
    shown = [item, *others]
    turn.show(shown)
    if others:
        turn.reply(first, numbered([turn.item_line(i) for i in shown]), turn.say("pick_item"))
    else:
        turn.reply(first, turn.say("pick_item"))


async def _stock(turn: _Turn) -> None:
    item, found = await _one_item(turn)
    if item is None:
        _no_match(turn, found) if found else turn.reply(turn.say("which_item"))
        return
    price = money(item.price, item.currency)
    if item.in_stock is False:
        alternatives = [
            i for i in (found.items if found else []) if i.id != item.id and i.in_stock
        ][: LIST_SIZE - 1]
        turn.show([item, *alternatives])
        lines = [turn.say("out_of_stock", name=item.name)]
        if alternatives:
            lines += [
                turn.say("alternatives"),
                "\n".join(f"{n}. {turn.item_line(i)}" for n, i in enumerate(alternatives, 2)),
            ]
        turn.reply(*lines)
        return
    turn.show([item])
    if item.kind == "service" or item.stock is None:
        await _price(turn)
        return
    turn.reply(
        turn.say("in_stock", name=item.name, count=item.stock, price=price), turn.say("pick_item")
    )


async def _details(turn: _Turn) -> None:
    item, found = await _one_item(turn)
    if item is None:
        _no_match(turn, found) if found else turn.reply(turn.say("which_item"))
        return
    turn.show([item])
    turn.reply(
        f"*{item.name}* — {money(item.price, item.currency)}",
        item.description,
        turn.item_line(item) if item.stock is not None else "",
    )


async def _compare(turn: _Turn) -> None:
    found = await _search(turn, kinds=["product"])
    if found.no_match:
        _no_match(turn, found)
        return
    pair = found.items[:2]
    turn.show(pair)
    turn.reply(
        turn.say("compare"),
        numbered([f"{turn.item_line(i)}\n   {i.description}".rstrip() for i in pair]),
        turn.say("pick_item"),
    )


async def _product_search(turn: _Turn) -> None:
    # A name in a search ("gaming", "the Samsung ones") is more to search for, not a pick.
    picked = turn.referenced()
    ref = turn.read.reference
    if (
        picked is not None
        and ref is not None
        and ref.kind != "name"
        and picked.kind in ("product", "service", "variant")
    ):
        await _details(turn)
        return
    await _list_found(turn)


# Cart and checkout ---------------------------------------------------------------------------


def _cart_lines(turn: _Turn, cart: shopping.CartView) -> str:
    """The cart as a numbered list, which becomes the list "number 2" points into."""
    turn.show(
        [Item(id=line.product_id, kind="product", name=line.name, code=line.code,
              price=line.unit_price, currency=cart.currency) for line in cart.lines]
    )  # fmt: skip
    return numbered(
        [
            f"{line.quantity} × {line.name} — {money(line.line_total, cart.currency)}"
            for line in cart.lines
        ]
    )


async def _add(turn: _Turn, items: Sequence[Item]) -> None:
    quantity = turn.read.quantity or 1
    added: list[str] = []
    cart: shopping.CartView | None = None
    for item in items:
        turn.box.record("add_to_cart")
        change = await shopping.add_to_cart(turn.ctx, item, quantity)
        if change.choices:
            turn.show(change.choices)
            turn.reply(
                *added,
                turn.say("choose_variant", name=item.name),
                numbered([turn.item_line(i) for i in change.choices]),
            )
            return
        if change.error:
            added.append(turn.say("cannot_add", name=item.name, reason=change.message))
            continue
        cart = change.cart
        added.append(turn.say("added", quantity=quantity, name=item.name))
    if cart is not None:
        added.append(turn.say("cart_total", total=money(cart.subtotal, cart.currency)))
    turn.reply(*added)


async def _add_to_cart(turn: _Turn) -> None:
    picked = turn.referenced()
    ref: Reference | None = turn.read.reference
    if picked is not None and picked.kind in ("product", "variant"):
        await _add(turn, [picked])
        return
    if ref is not None and ref.item is None and ref.kind != "name":
        turn.reply(turn.say("which_item"))
        return
    items: list[Item] = []
    for part in _AND.split(turn.given.text):
        if len(part.strip()) < 2:
            continue
        found = await catalog.search(turn.ctx, part, kinds=["product"], first=1)
        if not found.no_match and _names(found, found.items[0]):
            if found.items[0].id not in {i.id for i in items}:
                items.append(found.items[0])
    turn.box.record("search_catalog")
    if not items:
        await _add_unnamed(turn)
        return
    turn.show(items)
    await _add(turn, items)


_WORD = re.compile(r"[a-z0-9]+")


def _names(found: catalog.Found, item: Item) -> bool:
    """Whether the words searched for (in catalog vocabulary) name `item`: "add it to the
    cart" names nothing, and must not add whatever search ranks first."""
    if found.understood is None:
        return False
    own = set(_WORD.findall(f"{item.name} {item.code} {item.description}".lower()))
    asked = {term for term in found.understood.terms if len(term) >= 2}
    return bool(asked & own)


async def _add_unnamed(turn: _Turn) -> None:
    """ "Put it in my cart" naming nothing: the one item just shown, else ask which."""
    shown = [i for i in turn.given.last_list if i.kind in ("product", "variant")]
    if len(shown) == 1:
        await _add(turn, shown)
        return
    if shown:
        turn.show(shown)
        turn.reply(turn.say("which_item"), numbered([turn.item_line(i) for i in shown]))
        return
    turn.reply(turn.say("what_to_add"))


async def _remove_from_cart(turn: _Turn) -> None:
    cart = await shopping.view_cart(turn.ctx)
    turn.box.record("view_cart")
    if cart.empty:
        turn.reply(turn.say("cart_empty"))
        return
    picked = turn.referenced()
    said = set(re.findall(r"[a-z0-9]+", turn.given.text.lower()))
    lines = [
        line
        for line in cart.lines
        if (picked is not None and picked.id in (line.product_id, line.line_id))
        or (picked is None and said & set(re.findall(r"[a-z0-9]+", line.name.lower())))
    ]
    if len(lines) != 1 and len(cart.lines) == 1:
        lines = list(cart.lines)
    if len(lines) != 1:
        turn.reply(turn.say("cart"), _cart_lines(turn, cart), turn.say("which_item"))
        return
    turn.box.record("remove_from_cart")
    change = await shopping.remove_from_cart(turn.ctx, lines[0].line_id)
    after = change.cart or cart
    total = (
        turn.say("cart_total", total=money(after.subtotal, after.currency))
        if after.lines
        else turn.say("cart_empty")
    )
    turn.reply(turn.say("removed", name=lines[0].name), total)


async def _view_cart(turn: _Turn) -> None:
    turn.box.record("view_cart")
    cart = await shopping.view_cart(turn.ctx)
    if cart.empty:
        turn.reply(turn.say("cart_empty"))
        return
    turn.reply(
        turn.say("cart"),
        _cart_lines(turn, cart),
        turn.say("cart_total", total=money(cart.subtotal, cart.currency)),
    )


async def _checkout(turn: _Turn) -> None:
    turn.box.record("checkout")
    result = await shopping.checkout(turn.ctx)
    if result.order_number is None or result.total is None:
        turn.reply(turn.say("cart_empty"))
        return
    payment = result.payment
    if payment is not None and payment.url:
        how = turn.say("pay_link", url=payment.url)
    elif payment is not None and payment.instructions:
        how = turn.say("pay_with", instructions=payment.instructions, reference=payment.reference)
    else:
        how = turn.say("pay_person")
    turn.reply(
        turn.say(
            "order_placed", number=result.order_number, total=money(result.total, result.currency)
        ),
        numbered(
            [
                f"{line.quantity} × {line.name} — {money(line.line_total, result.currency)}"
                for line in result.lines
            ]
        ),
        how,
    )


async def _order_status(turn: _Turn) -> None:
    turn.box.record("order_status")
    orders = await shopping.recent_orders(turn.ctx)
    if not orders:
        turn.reply(turn.say("no_orders"))
        return
    turn.reply(
        turn.say("orders"),
        numbered(
            [
                f"{o.number}: {order_status(o.status, turn.language)} — "
                f"{money(o.total, o.currency)}"
                for o in orders
            ]
        ),
    )


# Bookings ------------------------------------------------------------------------------------


async def _service(turn: _Turn) -> Item | None:
    picked = turn.referenced()
    if picked is not None and picked.kind == "service":
        return picked
    found = await _search(turn, kinds=["service"])
    return None if found.no_match else found.items[0]


async def _offer_slots(turn: _Turn, service: Item, slots: list[Item], intro: str) -> None:
    if not slots:  # nobody free (or nobody does it yet): a person arranges a time
        turn.show([service])
        turn.reply(
            turn.say("no_slots", service=service.name,
                     price=money(service.price, service.currency)),
        )  # fmt: skip
        turn.handoff = True
        return
    turn.show(slots)
    turn.reply(intro, numbered([turn.item_line(s) for s in slots]), turn.say("pick_slot"))


async def _book_at(turn: _Turn, service: Item, start: datetime) -> None:
    turn.box.record("book_appointment")
    booked = await booking.book(turn.ctx, service, start)
    if booked.error is None and booked.starts_at is not None:
        turn.show([service])  # "hiyo" next points at what was booked
        turn.reply(
            turn.say(
                "booked",
                service=service.name,
                when=when(booked.starts_at, turn.language),
                staff=booked.staff or "",
                price=money(service.price, service.currency),
            )
        )
        return
    intro = turn.say("slot_unavailable", when=when(start.astimezone(turn.ctx.zone), turn.language))
    await _offer_slots(turn, service, booked.alternatives, intro)


async def _book_service(turn: _Turn, service: Item | None = None) -> None:
    service = service or await _service(turn)
    if service is None:
        found = await catalog.search(turn.ctx, "", kinds=["service"], first=LIST_SIZE)
        turn.show(found.items)
        turn.reply(turn.say("which_service"), numbered([turn.item_line(i) for i in found.items]))
        return
    asked = turn.read.time
    if asked is not None and asked.exact:
        await _book_at(turn, service, asked.start)
        return
    turn.box.record("check_availability")
    start, end = (
        (asked.start, asked.end) if asked else (turn.ctx.now, turn.ctx.now + booking.LOOK_AHEAD)
    )
    slots = await booking.free_slots(turn.ctx, service, start=start, end=end)
    intro = turn.say(
        "when_to_come",
        service=service.name,
        price=money(service.price, service.currency),
        minutes=service.duration_minutes or "?",
    )
    await _offer_slots(turn, service, slots, intro)


async def _take_slot(turn: _Turn, slot: Item) -> None:
    """The customer picked one of the offered times: book it, or move their appointment."""
    assert slot.starts_at is not None
    service = replace(slot, kind="service", starts_at=None, parent_id=None)
    if slot.parent_id:
        await _move(turn, slot.parent_id, service, slot.starts_at)
    else:
        await _book_at(turn, service, slot.starts_at)


async def _move(turn: _Turn, appointment_id: str, service: Item, start: datetime) -> None:
    turn.box.record("reschedule_appointment")
    moved = await booking.reschedule(turn.ctx, appointment_id, start)
    if moved.error is None and moved.starts_at is not None:
        turn.show([moved.service])
        turn.reply(
            turn.say(
                "rescheduled",
                service=moved.service.name,
                when=when(moved.starts_at, turn.language),
                staff=moved.staff or "",
            )
        )
        return
    slots = [_for_appointment(s, appointment_id) for s in moved.alternatives]
    intro = turn.say("slot_unavailable", when=when(start.astimezone(turn.ctx.zone), turn.language))
    await _offer_slots(turn, service, slots, intro)


def _for_appointment(slot: Item, appointment_id: str) -> Item:
    """An offered time that would move this appointment rather than book a new one."""
    return replace(slot, parent_id=appointment_id)


async def _reschedule(turn: _Turn) -> None:
    turn.box.record("my_appointments")
    upcoming = await booking.upcoming(turn.ctx)
    if not upcoming:
        turn.reply(turn.say("no_appointment"))
        return
    appointment = upcoming[0]
    service = await booking.service_of(appointment.id)
    asked = turn.read.time
    if service is None:
        turn.reply(turn.say("no_appointment"))
        return
    if asked is not None and asked.exact:
        await _move(turn, appointment.id, service, asked.start)
        return
    if asked is None:
        turn.reply(
            turn.say(
                "reschedule_when",
                service=appointment.service,
                when=when(appointment.starts_at, turn.language),
            )
        )
        return
    turn.box.record("check_availability")
    slots = await booking.free_slots(turn.ctx, service, start=asked.start, end=asked.end)
    intro = turn.say(
        "reschedule_when",
        service=appointment.service,
        when=when(appointment.starts_at, turn.language),
    )
    await _offer_slots(turn, service, [_for_appointment(s, appointment.id) for s in slots], intro)


async def _cancel(turn: _Turn) -> None:
    turn.box.record("my_appointments")
    upcoming = await booking.upcoming(turn.ctx)
    if not upcoming:
        turn.reply(turn.say("no_appointment"))
        return
    turn.box.record("cancel_appointment")
    cancelled = await booking.cancel(turn.ctx, upcoming[0].id)
    if cancelled is None:
        turn.reply(turn.say("no_appointment"))
        return
    turn.reply(
        turn.say(
            "cancelled", service=cancelled.service, when=when(cancelled.starts_at, turn.language)
        )
    )


# Questions about the shop --------------------------------------------------------------------


async def _hours(turn: _Turn) -> bool:
    intervals = await business_hours()
    if not intervals:
        return False
    by_day: dict[int, list[str]] = {}
    for interval in intervals:
        by_day.setdefault(interval.weekday - 1, []).append(
            f"{interval.opens:%H:%M}–{interval.closes:%H:%M}"
        )
    asked = turn.read.time
    if asked is not None and asked.end - asked.start <= timedelta(days=1):
        weekday = asked.start.astimezone(turn.ctx.zone).weekday()
        day = day_name(weekday, turn.language)
        if weekday in by_day:
            turn.reply(turn.say("hours_day", day=day, range=", ".join(by_day[weekday])))
        else:
            turn.reply(turn.say("closed_day", day=day))
        return True
    closed = turn.say("closed")
    lines = [
        f"{day_name(d, turn.language)}: {', '.join(by_day.get(d, [closed]))}" for d in range(7)
    ]
    turn.reply(turn.say("hours"), "\n".join(lines))
    return True


async def _faq(turn: _Turn) -> None:
    if _HOURS.search(turn.given.text) and await _hours(turn):
        return
    found = await _search(turn, kinds=["passage"])
    if not found.no_match:
        passage = found.items[0]
        turn.reply(
            turn.say("from_source", source=passage.source or passage.name),
            passage.description[:600],
        )
        return
    turn.reply(turn.say("faq_person"))
    turn.handoff = True


HANDLERS: dict[Intent, Handler] = {
    Intent.GREETING: _greeting,
    Intent.PRODUCT_SEARCH: _product_search,
    Intent.PRICE_INQUIRY: _price,
    Intent.STOCK_CHECK: _stock,
    Intent.PRODUCT_DETAILS: _details,
    Intent.COMPARE: _compare,
    Intent.ADD_TO_CART: _add_to_cart,
    Intent.REMOVE_FROM_CART: _remove_from_cart,
    Intent.VIEW_CART: _view_cart,
    Intent.CHECKOUT: _checkout,
    Intent.BOOK_SERVICE: _book_service,
    Intent.RESCHEDULE_BOOKING: _reschedule,
    Intent.CANCEL_BOOKING: _cancel,
    Intent.ORDER_STATUS: _order_status,
    Intent.HANDOFF: _handoff,
    Intent.COMPLAINT: _complaint,
    Intent.FAQ: _faq,
    Intent.THANKS: _thanks,
    Intent.OTHER: _not_understood,
}
