"""Scalars with the descriptions our contract promises."""

from __future__ import annotations

from datetime import datetime

import strawberry


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs a UTC offset, e.g. 2026-11-25T09:00:00+03:00")
    return parsed


DateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date and time with its UTC offset, e.g. 2026-11-25T09:00:00+03:00.",
    serialize=lambda value: value.isoformat(),
    parse_value=_parse_datetime,
)

SCALAR_MAP = {datetime: DateTime}
