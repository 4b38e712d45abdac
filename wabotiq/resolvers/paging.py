"""Page arguments shared by every connection field."""

from __future__ import annotations

from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import int_key_from_cursor, offset_from_cursor
from wabotiq.resolvers.context import Info


def page_size(info: Info, first: int) -> int:
    limit = info.context.runtime.settings.max_page_size
    if not 1 <= first <= limit:
        raise coded_error(f"`first` must be between 1 and {limit}.", "BAD_USER_INPUT")
    return first


def offset_page(info: Info, first: int, after: str | None) -> tuple[int, int]:
    """`(offset, limit)` for offset-cursor connections."""
    try:
        offset = offset_from_cursor(after)
    except ValueError as exc:
        raise coded_error(str(exc), "BAD_USER_INPUT") from exc
    return offset, page_size(info, first)


def int_key_page(info: Info, first: int, after: str | None) -> tuple[int | None, int]:
    """`(key after which to continue, limit)` for keyset-cursor connections over integer keys."""
    try:
        key = int_key_from_cursor(after) if after else None
    except ValueError as exc:
        raise coded_error(str(exc), "BAD_USER_INPUT") from exc
    return key, page_size(info, first)
