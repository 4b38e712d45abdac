"""Scalars with the descriptions our contract promises."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.types.scalar import ScalarDefinition

# Digits allowed on either side of the point: the widest DECIMAL most SQL databases hold, far
# past any amount of money, and within what a double (Elasticsearch's price) can carry.
DECIMAL_DIGITS = 38


def parse_instant(value: str) -> datetime:
    """An ISO 8601 date and time with its UTC offset, and one that exists in UTC too: asyncpg
    sends instants as UTC, and 9999-12-31T23:59:59-14:00 is past the last one Python holds."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs a UTC offset, e.g. 2026-11-25T09:00:00+03:00")
    try:
        parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("DateTime out of range: years 1 to 9999, in UTC") from exc
    return parsed


DateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date and time with its UTC offset, e.g. 2026-11-25T09:00:00+03:00.",
    serialize=lambda value: value.isoformat(),
    parse_value=parse_instant,
)


def parse_decimal(value: object) -> Decimal:
    """A finite number with at most 38 digits before and 38 after the point. Strawberry's
    Decimal takes anything `decimal.Decimal` does: NaN, infinities and `1e999999` then failed
    in the database (asyncpg cannot encode them) or matched nothing without saying why."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('Decimal takes a number or a string such as "1250.50"')
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ValueError('Decimal takes a number such as "1250.50"') from None
    if not parsed.is_finite():
        raise ValueError("Decimal takes finite numbers only")
    exponent = parsed.as_tuple().exponent
    if parsed.adjusted() >= DECIMAL_DIGITS or int(exponent) < -DECIMAL_DIGITS:
        raise ValueError(
            f"Decimal takes at most {DECIMAL_DIGITS} digits before and {DECIMAL_DIGITS} after"
            " the point"
        )
    return parsed


FixedPoint = strawberry.scalar(
    name="Decimal",
    description="Decimal (fixed-point)",
    serialize=str,
    parse_value=parse_decimal,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DateTime, Decimal: FixedPoint}
