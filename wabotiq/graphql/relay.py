"""Relay connections, opaque cursors and global IDs."""

from __future__ import annotations

import binascii
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

import strawberry

from wabotiq.core.ids import (
    InvalidGlobalId,
    decode_text,
    encode_text,
    global_id,
    uuid_from_global_id,
)

T = TypeVar("T")
M = TypeVar("M")

FirstArg = Annotated[
    int, strawberry.argument(description="How many items to return (at most the page size limit).")
]
AfterArg = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item.")


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")


@strawberry.type(description="A page of items with the total count.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many items the whole list holds.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def to_global_id(type_name: str, raw_id: object) -> strawberry.ID:
    return strawberry.ID(global_id(type_name, raw_id))


# Offsets and integer keys go to Postgres as bigint; ASCII digits only (`int()` also takes
# signs, spaces, underscores and other scripts' digits, none of which we issue).
BIGINT_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def _cursor_value(cursor: str, kind: str) -> str:
    """What a cursor of `kind` holds; anything else raises ValueError."""
    try:
        found, _, value = decode_text(cursor).partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"Not a valid cursor: {cursor!r}") from exc
    if found != kind or not value:
        raise ValueError(f"Not a valid cursor: {cursor!r}")
    return value


def _bigint(value: str, cursor: str, *, most: int = BIGINT_MAX) -> int:
    if _DIGITS.fullmatch(value) is None or int(value) > most:
        raise ValueError(f"Not a valid cursor: {cursor!r}")
    return int(value)


def offset_cursor(offset: int) -> str:
    return encode_text(f"o:{offset}")


def offset_from_cursor(cursor: str | None) -> int:
    """The offset after `cursor`, 0 when none; a malformed cursor raises ValueError."""
    if cursor is None:
        return 0
    return _bigint(_cursor_value(cursor, "o"), cursor, most=BIGINT_MAX - 1) + 1


def key_cursor(key: object) -> str:
    return encode_text(f"k:{key}")


def key_from_cursor(cursor: str) -> str:
    return _cursor_value(cursor, "k")


def int_key_from_cursor(cursor: str) -> int:
    """The integer key (an id or a sequence: a bigint, not negative) of a keyset cursor."""
    return _bigint(key_from_cursor(cursor), cursor)


def offset_connection(
    rows: Sequence[M], *, offset: int, total: int, convert: Callable[[M], T]
) -> Connection[T]:
    """A connection over one offset page of `rows` out of `total`."""
    edges = [
        Edge(node=convert(row), cursor=offset_cursor(offset + i)) for i, row in enumerate(rows)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(rows) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


def keyset_connection(
    rows: Sequence[M],
    *,
    limit: int,
    continued: bool,
    total: int,
    convert: Callable[[M], T],
    key: Callable[[M], object],
) -> Connection[T]:
    """A keyset page from up to `limit + 1` rows (the extra one only tells that more follow);
    `continued` says the page started after a cursor, `key` gives each row's cursor key."""
    edges = [Edge(node=convert(row), cursor=key_cursor(key(row))) for row in rows[:limit]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            has_previous_page=continued,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


# Stands in for a queried ID that is not one of ours of that type: no row has it.
NO_MATCH = uuid.UUID(int=0)


def query_uuid(global_id: str, type_name: str) -> uuid.UUID:
    """The UUID in a global ID given to a query; an ID of another type names nothing, so a
    lookup of it finds nothing, exactly as for an unknown ID (and reveals nothing)."""
    try:
        return uuid_from_global_id(global_id, type_name)
    except InvalidGlobalId:
        return NO_MATCH


def optional_query_uuid(global_id: str | None, type_name: str) -> uuid.UUID | None:
    return None if global_id is None else query_uuid(global_id, type_name)


def id_or_none(global_id: str, type_name: str) -> uuid.UUID | None:
    """The UUID in a global ID given to a query, or None when it names nothing of that type
    (a lookup of it finds nothing, as for an unknown ID)."""
    try:
        return uuid_from_global_id(global_id, type_name)
    except InvalidGlobalId:
        return None


INPUT = strawberry.argument(description="What to do; see the input type.")
