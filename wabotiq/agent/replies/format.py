"""WhatsApp formatting: amounts as `KES 48,000`, numbered lists, times in the customer's words,
and a length bound (a long list loses its tail, never its first lines or its question)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

MAX_CHARS = 1000

_SW_DAYS = ("Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili")
_SW_MONTHS = (
    "Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba",
    "Oktoba", "Novemba", "Desemba",
)  # fmt: skip
_SW_HOURS = (
    "sita",
    "saba",
    "nane",
    "tisa",
    "kumi",
    "kumi na moja",
    "kumi na mbili",
    "moja",
    "mbili",
    "tatu",
    "nne",
    "tano",
)  # index: hour % 12 (0 → saa sita)


def money(amount: Decimal | None, currency: str = "KES") -> str:
    """`KES 48,000`, `KES 1,250.50`: whole amounts without decimals."""
    if amount is None:
        return ""
    value = Decimal(amount)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{currency} {text}"


def numbered(lines: Sequence[str]) -> str:
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def _swahili_clock(moment: datetime) -> str:
    """Swahili time counts from 06:00: 10:00 is "saa nne asubuhi"."""
    hour = moment.hour
    period = (
        "asubuhi" if 5 <= hour < 12 else "mchana" if hour < 16 else "jioni" if hour < 19
        else "usiku"
    )  # fmt: skip
    words = _SW_HOURS[hour % 12]
    minutes = "" if moment.minute == 0 else " na nusu" if moment.minute == 30 else (
        f" na dakika {moment.minute}"
    )  # fmt: skip
    return f"saa {words}{minutes} {period}"


def when(moment: datetime, language: str) -> str:
    """A local time as the customer says it: "Sat 12 Dec, 10:00" or "Jumamosi 12 Desemba,
    saa nne asubuhi (10:00)"."""
    if language in ("sw", "sheng"):
        day = f"{_SW_DAYS[moment.weekday()]} {moment.day} {_SW_MONTHS[moment.month - 1]}"
        return f"{day}, {_swahili_clock(moment)} ({moment:%H:%M})"
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """At most `limit` characters: whole lines dropped from the middle of the longest block
    (a list), keeping the opening and the closing question; cut hard only as a last resort."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    tail = lines[-1:] if len(lines) > 2 else []
    body = lines[: len(lines) - len(tail)]
    while body and len("\n".join(body + ["…"] + tail)) > limit:
        body.pop()
    clipped = "\n".join(body + ["…"] + tail)
    if not body or len(clipped) > limit:
        return text[: limit - 1] + "…"
    return clipped
