"""Plans of the fast executor: which fields of an object selection need no graphql-core.

A plan is made once per selection (and return type). It is shared between requests when
nothing in its selection depends on variables: no directives, no fragment arguments, no defer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    InlineFragmentNode,
)
from graphql.pyutils import Undefined
from strawberry import Info as StrawberryInfo
from strawberry.execution.is_awaitable import optimized_is_awaitable


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


LEAF, LEAF_LIST, TYPENAME, OBJECT, OBJECT_LIST, DELEGATE, RESOLVED = range(7)

# Scalars whose output coercion returns a value of exactly this Python type unchanged.
IDENTITY: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
INT_RANGE = (-(2**31), 2**31 - 1)


@dataclass(slots=True)
class Step:
    kind: int
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


def plain_nodes(details: Iterable[Any]) -> bool:
    """No arguments, directives or fragment variables on any node of the field."""
    return all(
        not d.node.arguments and not d.node.directives and not d.fragment_variable_values
        for d in details
    )


def is_plain(field_def: Any, details: Any) -> bool:
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return False
    return plain_nodes(details)


def prefetched_attr(field_def: Any, details: Any) -> str | None:
    """The attribute a resolver field may be read from (see `prefetched`), if it is safe to:
    no arguments, directives or field extensions (permission classes become one)."""
    definition = field_def.extensions.get("strawberry-definition")
    attr = getattr(definition, "metadata", None) and definition.metadata.get(PREFETCHED_KEY)
    if not attr or field_def.args or definition.extensions or not plain_nodes(details):
        return None
    return str(attr)


def is_static(details: Any, fragments: Any) -> bool:
    """Whether collecting the sub-fields of `details` depends on nothing but the document."""
    if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
        return False
    return all(
        d.node.selection_set is None or _static_selections(d.node.selection_set, fragments, set())
        for d in details
    )


def _static_selections(selection_set: Any, fragments: Any, seen: set[str]) -> bool:
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FieldNode):
            continue
        if isinstance(selection, InlineFragmentNode):
            inner = selection.selection_set
        elif isinstance(selection, FragmentSpreadNode):
            if getattr(selection, "arguments", None):
                return False
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            found = fragments.get(name)
            definition = getattr(found, "definition", None)
            if definition is None or definition.directives or definition.variable_definitions:
                return False
            inner = definition.selection_set
        else:
            return False
        if not _static_selections(inner, fragments, seen):
            return False
    return True


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


def direct_call(field_def: Any) -> Callable[[Any, Any], Any] | None:
    """Call a plain method resolver `def f(self[, info])` without Strawberry's per-call
    argument conversion and extension chain, which it has nothing to do for here. Fields
    with arguments, field extensions (permission classes become one), root/parent
    parameters or async resolvers keep the full path. (The schema sets no field exception
    handlers, which would also need the full path.)"""
    field = field_def.extensions.get("strawberry-definition")
    resolver = getattr(field, "base_resolver", None)
    if resolver is None or field.extensions or field.arguments or resolver.is_async:
        return None
    if not resolver.self_parameter or resolver.parent_parameter or resolver.root_parameter:
        return None
    func = resolver.wrapped_func
    info_parameter = resolver.info_parameter
    if info_parameter is None:
        return lambda source, _info: func(source)
    name = info_parameter.name

    def call(source: Any, info: Any) -> Any:
        return func(source, **{name: StrawberryInfo(_raw_info=info, _field=field)})

    return call


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
        coerced = step.leaf.coerce_output_value(value)  # type: ignore[union-attr]
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
