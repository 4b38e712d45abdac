"""Scalars with the descriptions our contract promises."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition


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

SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DateTime}
