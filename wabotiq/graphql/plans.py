"""Plans of the fast executor: which fields of an object selection need no graphql-core.

A plan is made once per selection (and return type). It is shared between requests when
nothing in its selection depends on variables: no directives, no fragment arguments, no defer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
)
from graphql.pyutils import Undefined

from wabotiq.graphql.internals import optimized_is_awaitable, plain_nodes, strawberry_field


class Fallback(Exception):
    """This value needs graphql-core's general path."""


class _NotPrefetched:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_PREFETCHED"


# A resolver field declared with `metadata=prefetched("attr")` promises: while the object's
# `attr` is not NOT_PREFETCHED, the resolver would return exactly that value, so the fast
# executor may read it instead of calling the resolver.
NOT_PREFETCHED: Any = _NotPrefetched()
PREFETCHED_KEY = "wabotiq.prefetched"


def prefetched(attr: str) -> dict[str, str]:
    """Field metadata naming the attribute that may hold the resolver's value in advance."""
    return {PREFETCHED_KEY: attr}


class StepKind(Enum):
    """How the fast executor completes one field of a plan."""

    LEAF = "leaf"  # a scalar or enum read from an attribute
    LEAF_LIST = "leaf list"  # a list of them
    TYPENAME = "typename"  # `__typename`
    OBJECT = "object"  # a plain or prefetched object, completed by the child plan
    OBJECT_LIST = "object list"  # a list of them
    DELEGATE = "delegate"  # anything else: graphql-core's `execute_field`
    RESOLVED = "resolved"  # resolver called here, its object(s) completed by the child plan


# Module-level names for the hot loops, which compare kinds with `is`.
LEAF = StepKind.LEAF
LEAF_LIST = StepKind.LEAF_LIST
TYPENAME = StepKind.TYPENAME
OBJECT = StepKind.OBJECT
OBJECT_LIST = StepKind.OBJECT_LIST
DELEGATE = StepKind.DELEGATE
RESOLVED = StepKind.RESOLVED

# Scalars whose output coercion returns a value of exactly this Python type unchanged.
IDENTITY: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
INT_RANGE = (-(2**31), 2**31 - 1)


@dataclass(slots=True)
class Step:
    kind: StepKind
    name: str
    attr: str = ""
    non_null: bool = False
    item_non_null: bool = False
    leaf: GraphQLLeafType | None = None
    object_type: GraphQLObjectType | None = None
    field_type: GraphQLOutputType | None = None
    details: Any = None
    same_type: type | None = None
    is_int: bool = False
    field_def: Any = None
    is_list: bool = False
    direct: Callable[[Any, Any], Any] | None = None
    prefetched: bool = False
    child: Plan | None = None  # set for OBJECT / OBJECT_LIST when the child plan is shared


@dataclass(slots=True)
class Plan:
    type_name: str
    pure: list[Step] = field(default_factory=list)
    rest: list[Step] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    shared: bool = False
    # The whole sub-tree completed by one generated function (see `compiled.py`), when every
    # field below is plain or prefetched and the plan is shared.
    compiled: Callable[[Any], dict[str, Any]] | None = None


def prefetched_attr(field_def: Any, details: Any) -> str | None:
    """The attribute a resolver field may be read from (see `prefetched`), if it is safe to:
    no arguments, directives or field extensions (permission classes become one)."""
    definition = strawberry_field(field_def)
    attr = getattr(definition, "metadata", None) and definition.metadata.get(PREFETCHED_KEY)
    if not attr or field_def.args or definition.extensions or not plain_nodes(details):
        return None
    return str(attr)


def unwrap(gql_type: Any) -> tuple[bool, bool, bool, Any]:
    """(non_null, is_list, item_non_null, named) for T, T!, [T], [T!], [T]!, [T!]!; else None."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if non_null else gql_type
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        named = item.of_type if item_non_null else item
        if isinstance(named, GraphQLList | GraphQLNonNull):
            return non_null, True, item_non_null, None
        return non_null, True, item_non_null, named
    return non_null, False, False, inner


def leaf(step: Step, value: Any) -> Any:
    """The serialized value of a leaf field, or Fallback when graphql-core would report an
    error (or await the value)."""
    if type(value) is step.same_type:
        return value
    if step.is_int and type(value) is int and INT_RANGE[0] <= value <= INT_RANGE[1]:
        return value
    if value is None or value is Undefined:
        if step.non_null:
            raise Fallback
        return None
    if isinstance(value, Exception) or optimized_is_awaitable(value):
        raise Fallback
    try:
        coerced = step.leaf.coerce_output_value(value)  # type: ignore[union-attr]  # set on leaf steps
    except Exception as exc:  # noqa: BLE001 - graphql-core reports it properly
        raise Fallback from exc
    if coerced is None or coerced is Undefined:
        raise Fallback
    return coerced


def leaf_list(step: Step, value: Any) -> Any:
    if value is None:
        if step.non_null:
            raise Fallback
        return None
    if not isinstance(value, list | tuple):
        raise Fallback
    item = Step(
        LEAF,
        step.name,
        non_null=step.item_non_null,
        leaf=step.leaf,
        same_type=step.same_type,
        is_int=step.is_int,
    )
    return [leaf(item, v) for v in value]
