"""Literals for our scalars: valid values, their edges, and things of the wrong shape, since
the point is to see every one accepted or refused cleanly. (Schemathesis brings Date, Time and
DateTime strategies of its own, valid values only; ours replace them.)"""

from __future__ import annotations

from datetime import timedelta, timezone

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

_NAMES = st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,15}\Z")
_FINITE = st.floats(allow_nan=False, allow_infinity=False)
_GARBAGE = st.text(max_size=30)


def _or_garbage(valid: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(valid, _GARBAGE).map(nodes.String)


_OFFSETS = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
).map(lambda delta: timezone(delta - timedelta(microseconds=delta.microseconds)))
# With and without a UTC offset (DateTime needs one), out to the years 1 and 9999.
DATETIMES = _or_garbage(
    st.one_of(st.datetimes(timezones=_OFFSETS), st.datetimes()).map(lambda d: d.isoformat())
)
DATES = _or_garbage(st.dates().map(str))
TIMES = _or_garbage(st.times().map(str))

# Any string may come as a Decimal: the scalar must refuse what is no finite number it holds.
DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str).map(nodes.String),
    st.sampled_from(["1e999999", "-1E-999999", "sNaN", "0x10", "1_000", " 7 ", ""]).map(
        nodes.String
    ),
    _GARBAGE.map(nodes.String),
    st.integers().map(nodes.Int),
    _FINITE.map(nodes.Float),
)


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


_JSON_LEAVES = st.one_of(
    st.just(nodes.Null),
    st.booleans().map(nodes.Boolean),
    st.integers().map(nodes.Int),
    _FINITE.map(nodes.Float),
    st.text(max_size=30).map(nodes.String),
)
JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(nodes.List),
        st.dictionaries(_NAMES, inner, max_size=4).map(
            lambda fields: nodes.Object([_field(k, v) for k, v in fields.items()])
        ),
    ),
    max_leaves=12,
)

# A file comes only through a multipart request; any literal in its place must be refused.
UPLOADS = st.one_of(_GARBAGE.map(nodes.String), st.just(nodes.Null))


def register() -> None:
    """Teach schemathesis our scalars (its registry is process-wide; registering is idempotent)."""
    schemathesis.graphql.scalar("DateTime", DATETIMES)
    schemathesis.graphql.scalar("Date", DATES)
    schemathesis.graphql.scalar("Time", TIMES)
    schemathesis.graphql.scalar("Decimal", DECIMALS)
    schemathesis.graphql.scalar("JSON", JSON_VALUES)
    schemathesis.graphql.scalar("Upload", UPLOADS)
