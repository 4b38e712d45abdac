"""The tools by name, for a language model: their JSON schemas and one `call` that runs a tool
and answers with its result as JSON. The toolbox remembers what it showed (the list the next
message's "number 2" points into), what was called, and whether a person was asked for."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from wabotiq.agent.llm.types import ToolSpec
from wabotiq.agent.tools import booking, catalog, shopping
from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item, variant_item
from wabotiq.domain.catalog.models import Product, Variant


def _spec(name: str, description: str, **properties: Any) -> ToolSpec:
    required = [key for key, value in properties.items() if not value.pop("optional", False)]
    return ToolSpec(
        name=name,
        description=description,
        parameters={"type": "object", "properties": properties, "required": required},
    )


_ID = {"type": "string", "description": "An item id from an earlier tool result."}
TOOL_SPECS: tuple[ToolSpec, ...] = (
    _spec(
        "search_catalog",
        "Find products, services or shop policies for the customer's words (any language). "
        "Returns items with live prices and stock; show them as a numbered list.",
        query={"type": "string", "description": "What the customer is looking for."},
        kind={"type": "string", "enum": ["product", "service", "passage"], "optional": True},
    ),
    _spec("item_details", "Live price, stock and description of one item.", item_id=_ID),
    _spec(
        "add_to_cart",
        "Put a product (or a variant) in the customer's cart.",
        item_id=_ID,
        quantity={"type": "integer", "minimum": 1, "optional": True},
    ),
    _spec(
        "remove_from_cart",
        "Take a line out of the cart.",
        line_id={"type": "string", "description": "A line_id from view_cart."},
    ),
    _spec("view_cart", "The customer's cart with its lines and subtotal."),
    _spec(
        "checkout",
        "Turn the cart into an order awaiting payment; returns the order number, the total and "
        "how to pay. Only when the customer asks to check out or pay.",
    ),
    _spec(
        "check_availability",
        "Free start times of a service on a day (the shop's local date).",
        service_id=_ID,
        date={"type": "string", "description": "YYYY-MM-DD"},
    ),
    _spec(
        "book_appointment",
        "Book the customer in; refused starts come back with free alternatives.",
        service_id=_ID,
        starts_at={"type": "string", "description": "Local date and time, YYYY-MM-DDTHH:MM"},
    ),
    _spec("my_appointments", "The customer's upcoming booked appointments."),
    _spec(
        "reschedule_appointment",
        "Move one of the customer's appointments.",
        appointment_id={"type": "string"},
        starts_at={"type": "string", "description": "Local date and time, YYYY-MM-DDTHH:MM"},
    ),
    _spec(
        "cancel_appointment",
        "Cancel one of the customer's appointments.",
        appointment_id={"type": "string"},
    ),  # fmt: skip
    _spec("order_status", "The customer's latest orders and their status."),
    _spec(
        "handoff",
        "Hand the conversation to a person: the customer asks for one, complains, or you "
        "cannot help.",
        reason={"type": "string", "optional": True},
    ),
)


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    name: str
    ok: bool
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "error": self.error}


class ToolError(Exception):
    """A call the model got wrong (unknown tool, bad arguments): told back to the model."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Item):
        return value.as_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass
class Toolbox:
    ctx: ToolContext
    shown: list[Item] = field(default_factory=list)
    known: dict[str, Item] = field(default_factory=dict)
    calls: list[ToolCallRecord] = field(default_factory=list)
    handoff: bool = False

    def remember(self, items: list[Item], *, show: bool = True) -> None:
        for item in items:
            self.known[item.id] = item
        if show and items:
            self.shown = list(items)

    def record(self, name: str, *, error: str | None = None) -> None:
        self.calls.append(ToolCallRecord(name=name, ok=error is None, error=error))

    async def call(self, name: str, arguments: dict[str, Any]) -> str:
        """Run the tool `name` for a model; its result (or the mistake) as JSON text."""
        try:
            result = await self._dispatch(name, arguments)
        except ToolError as error:
            self.record(name, error=str(error))
            return json.dumps({"error": str(error)})
        refused = getattr(result, "error", None)
        self.record(name, error=refused if isinstance(refused, str) else None)
        return json.dumps(_jsonable(result), ensure_ascii=False)

    async def _item(self, item_id: Any) -> Item:
        key = str(item_id or "")
        if key in self.known:
            return self.known[key]
        item = await catalog.details(self.ctx, key)
        if item is None:
            variant = await _variant(key)
            if variant is None:
                raise ToolError(f"no item with id {key!r}; search first")
            item = variant
        self.known[item.id] = item
        return item

    def _local(self, text: Any) -> datetime:
        try:
            value = datetime.fromisoformat(str(text))
        except ValueError as error:
            raise ToolError("give starts_at as YYYY-MM-DDTHH:MM") from error
        return value if value.tzinfo else value.replace(tzinfo=self.ctx.zone)

    async def _dispatch(self, name: str, args: dict[str, Any]) -> Any:
        ctx = self.ctx
        if name == "search_catalog":
            kind = args.get("kind")
            kinds = [kind] if kind in ("product", "service", "passage") else None
            found = await catalog.search(ctx, str(args.get("query", "")), kinds=kinds)
            self.remember(found.items)
            return {"items": found.items, "no_match": found.no_match}
        if name == "item_details":
            return await self._item(args.get("item_id"))
        if name == "add_to_cart":
            item = await self._item(args.get("item_id"))
            change = await shopping.add_to_cart(ctx, item, max(1, int(args.get("quantity") or 1)))
            self.remember(change.choices)
            return change
        if name == "remove_from_cart":
            return await shopping.remove_from_cart(ctx, str(args.get("line_id", "")))
        if name == "view_cart":
            return await shopping.view_cart(ctx)
        if name == "checkout":
            return await shopping.checkout(ctx)
        if name == "check_availability":
            service = await self._item(args.get("service_id"))
            try:
                day = date.fromisoformat(str(args.get("date")))
            except ValueError as error:
                raise ToolError("give date as YYYY-MM-DD") from error
            start = datetime.combine(day, time(0), tzinfo=ctx.zone)
            slots = await booking.free_slots(
                ctx, service, start=start, end=start + timedelta(days=1), limit=8
            )
            self.remember(slots)
            return {"slots": slots}
        if name == "book_appointment":
            service = await self._item(args.get("service_id"))
            booked = await booking.book(ctx, service, self._local(args.get("starts_at")))
            self.remember(booked.alternatives)
            return booked
        if name == "my_appointments":
            return {"appointments": await booking.upcoming(ctx)}
        if name == "reschedule_appointment":
            return await booking.reschedule(
                ctx, str(args.get("appointment_id", "")), self._local(args.get("starts_at"))
            )
        if name == "cancel_appointment":
            cancelled = await booking.cancel(ctx, str(args.get("appointment_id", "")))
            if cancelled is None:
                raise ToolError("no such booked appointment")
            return cancelled
        if name == "order_status":
            return {"orders": await shopping.recent_orders(ctx)}
        if name == "handoff":
            self.handoff = True
            return {"handed_over": True}
        raise ToolError(f"unknown tool {name!r}")


async def _variant(key: str) -> Item | None:
    try:
        variant = await Variant.get_or_none(id=uuid.UUID(key), archived_at=None, active=True)
    except ValueError:
        return None
    if variant is None:
        return None
    product = await Product.get(id=variant.product_id)
    return variant_item(product, variant)
