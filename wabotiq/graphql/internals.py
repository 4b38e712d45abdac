"""Every graphql-core and Strawberry internal the fast executor relies on, in one place.

The fast executor (`executor.py`, `plans.py`, `compiled.py`) subclasses the execution context
Strawberry hands graphql-core and reads objects neither library documents: the executor's
methods, graphql-core's collected-field details, Strawberry's field definitions and resolvers.
All of them are imported, read or called through this module, and each is declared in
`RELIANCES` with the shape the executor uses. `problems()` compares the declarations with the
installed libraries: `tests/graphql/test_internals.py` names each one, and `require()` runs
the same check when the schema switches the executor on. An upgrade that removes a name
fails this module's imports, naming it; one that reshapes a name stops the app at start-up
with its name, instead of changing responses. The libraries are pinned to the minor versions
tested (`pyproject.toml`); the test also fingerprints the library code the executor repeats
rather than calls (`MIRRORED`), so that a change to it is reviewed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLString,
    InlineFragmentNode,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetails, FragmentDetails
from graphql.execution.executor import Executor, to_nodes
from graphql.execution.middleware import MiddlewareManager
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver
from strawberry.types.info import Info

__all__ = [  # what the executor modules take from here
    "BaseExecutionContext",
    "InternalsChanged",
    "collect_subfields",
    "direct_resolver",
    "gather_with_cancel",
    "is_static",
    "optimized_is_awaitable",
    "plain_attribute",
    "plain_nodes",
    "problems",
    "require",
    "strawberry_field",
    "to_nodes",
]

# The execution context Strawberry passes graphql-core (an `IncrementalExecutor`, itself an
# `Executor`): its resolve info is the one Strawberry's resolvers expect.
BaseExecutionContext = StrawberryGraphQLCoreExecutionContext

DEFINITION_KEY = GraphQLCoreConverter.DEFINITION_BACKREF  # GraphQL field → StrawberryField


# -- graphql-core: collected fields ---------------------------------------------------------


def collect_subfields(executor: Any, return_type: Any, details: Any) -> tuple[Any, bool]:
    """The grouped sub-fields of a selection (graphql-core memoizes them per executor), and
    whether the selection opens new `@defer`red groups."""
    collected = executor.collect_subfields(return_type, details)
    return collected.grouped_field_set, bool(collected.new_defer_usages)


def plain_nodes(details: Iterable[Any]) -> bool:
    """No arguments, directives or fragment variables on any node of the field."""
    return all(
        not d.node.arguments and not d.node.directives and not d.fragment_variable_values
        for d in details
    )


def is_static(details: Any, fragments: Any) -> bool:
    """Whether collecting the sub-fields of `details` depends on nothing but the document:
    no directives (`@skip`, `@include`, `@defer`), no fragment arguments or variables."""
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


# -- Strawberry: field definitions and resolvers --------------------------------------------


def strawberry_field(field_def: Any) -> Any:
    """The StrawberryField a GraphQL field was made from (None for introspection fields)."""
    return field_def.extensions.get(DEFINITION_KEY)


def plain_attribute(field_def: Any) -> str | None:
    """The attribute a field without resolver reads, when Strawberry's resolver for it does
    nothing else: it is marked `_is_default` only for fields without resolver, permission
    classes, field extensions or exception handlers."""
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    field = strawberry_field(field_def)
    if field is None or field.default_resolver is not getattr:
        return None
    return str(field.python_name)


def direct_resolver(field_def: Any) -> Callable[[Any, Any], Any] | None:
    """Call a plain method resolver `def f(self[, info])` without Strawberry's per-call
    argument conversion and extension chain, which it has nothing to do for here. Fields
    with arguments, field extensions (permission classes become one), root/parent
    parameters or async resolvers keep the full path. (The schema sets no field exception
    handlers and no custom `info_class`, which would also need the full path.)"""
    field = strawberry_field(field_def)
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
        return func(source, **{name: Info(_raw_info=info, _field=field)})

    return call


# -- the declarations and their check -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reliance:
    """One thing the fast executor relies on, with the shape it relies on."""

    name: str  # where a reader finds it
    get: Callable[[], Any]  # the object as installed
    parameters: str | None = None  # its call shape, as `shape()` prints it
    attributes: tuple[str, ...] = ()  # names it must have
    holds: Callable[[Any], bool] | None = None  # anything else that must be true of it
    promise: str = ""  # what `holds` checks, for the message


def shape(obj: Any) -> str:
    """A callable's parameters: names and kinds, without annotations or defaults."""
    signature = inspect.signature(obj)
    bare = [p.replace(annotation=p.empty, default=p.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=signature.empty))


def _method(name: str) -> Reliance:
    owner = (
        "Strawberry execution context" if name == "build_resolve_info" else "graphql-core Executor"
    )
    return Reliance(
        f"{owner}.{name}",
        lambda: getattr(BaseExecutionContext, name),
        EXECUTOR_METHODS[name],
    )


_COMPLETE = "(self, return_type, field_details_list, info, path, result, position_context)"
# The execution context's methods the fast executor overrides or calls, with their shapes
# (`build_resolve_info` is Strawberry's override), and the attributes it reads.
EXECUTOR_METHODS = {
    "complete_object_value": _COMPLETE,  # overridden
    "complete_value": _COMPLETE,
    "complete_awaitable_value": _COMPLETE,
    "execute_field": "(self, parent_type, source, field_details_list, path, position_context)",
    "collect_subfields": "(self, return_type, field_details_list)",
    "handle_field_error": "(self, raw_error, return_type, field_details_list, path)",
    "settle_in_background": "(self, awaitables)",
    "build_resolve_info": "(self, field_def, field_nodes, parent_type, path)",
}
EXECUTOR_ATTRIBUTES = ("is_awaitable", "middleware_manager", "fragments")


def _probe_method(self: Any, info: strawberry.Info) -> str:
    return info.field_name


@strawberry.type
class _Probe:
    plain: str
    method: str = strawberry.field(resolver=_probe_method)


@cache
def probe_field(name: str) -> Any:
    """A field of a one-type schema built by the installed Strawberry."""
    query = strawberry.Schema(query=_Probe)._schema.query_type
    assert query is not None  # built with one
    return query.fields[name]


RELIANCES: tuple[Reliance, ...] = (
    *(_method(name) for name in EXECUTOR_METHODS),
    Reliance(
        "Strawberry StrawberryGraphQLCoreExecutionContext",
        lambda: BaseExecutionContext,
        attributes=EXECUTOR_ATTRIBUTES,
        holds=lambda cls: issubclass(cls, Executor),
        promise="is a graphql-core Executor",
    ),
    Reliance(
        "graphql-core MiddlewareManager", lambda: MiddlewareManager, attributes=("middlewares",)
    ),
    Reliance("graphql-core executor.to_nodes", lambda: to_nodes, "(field_details_list)"),
    Reliance(
        "graphql-core pyutils.gather_with_cancel", lambda: gather_with_cancel, "(*awaitables)"
    ),
    Reliance(
        "graphql-core FieldDetails",
        lambda: FieldDetails,
        attributes=("node", "defer_usage", "fragment_variable_values"),
    ),
    Reliance("graphql-core FragmentDetails", lambda: FragmentDetails, attributes=("definition",)),
    Reliance(
        "graphql-core CollectedFields",
        lambda: CollectedFields,
        attributes=("grouped_field_set", "new_defer_usages"),
    ),
    Reliance(
        "graphql-core GraphQLEnumType.coerce_output_value",
        lambda: GraphQLEnumType.coerce_output_value,
        "(self, output_value)",
    ),
    Reliance(
        "graphql-core GraphQLScalarType.coerce_output_value",
        lambda: GraphQLString.coerce_output_value,
        "(output_value)",
    ),
    Reliance(
        "Strawberry execution.is_awaitable.optimized_is_awaitable",
        lambda: optimized_is_awaitable,
        "(value)",
    ),
    Reliance(
        "Strawberry GraphQLCoreConverter.DEFINITION_BACKREF",
        lambda: GraphQLCoreConverter,
        attributes=("DEFINITION_BACKREF",),
    ),
    Reliance(
        "Strawberry StrawberryField",
        lambda: StrawberryField(python_name="probe"),
        attributes=(
            "python_name",
            "base_resolver",
            "default_resolver",
            "extensions",
            "arguments",
            "metadata",
        ),
    ),
    Reliance(
        "Strawberry StrawberryResolver",
        lambda: StrawberryResolver(_probe_method),
        attributes=(
            "wrapped_func",
            "is_async",
            "self_parameter",
            "info_parameter",
            "parent_parameter",
            "root_parameter",
        ),
    ),
    Reliance("Strawberry Info(_raw_info, _field)", lambda: Info, "(_raw_info, _field)"),
    Reliance(
        "Strawberry's resolver of a field without resolver (`_is_default`)",
        lambda: probe_field("plain"),
        holds=lambda field_def: plain_attribute(field_def) == "plain",
        promise="is marked `_is_default` and reads the field's python name with getattr",
    ),
    Reliance(
        "Strawberry's field definition of a method resolver",
        lambda: probe_field("method"),
        holds=lambda field_def: direct_resolver(field_def) is not None,
        promise="can be called directly (`direct_resolver`)",
    ),
)

# Library code whose behaviour the fast executor repeats rather than calls, and where.
# The test fingerprints each one, so that an upgrade changing one is reviewed.
MIRRORED: dict[str, str] = {
    "graphql.execution.executor.Executor.execute_fields": "FastExecutionContext._rest",
    "graphql.execution.executor.Executor.execute_field": "FastExecutionContext._resolved_field",
    "graphql.execution.executor.Executor.complete_value": "_complete_plain, compiled.py",
    "graphql.execution.executor.Executor.complete_object_value": "complete_object_value",
    "graphql.execution.executor.Executor.complete_list_value": "_complete_items, compiled.py",
    "graphql.execution.executor.Executor.complete_iterable_value": "_complete_items",
    "graphql.execution.executor.Executor.complete_list_item_value": "_complete_items",
    "graphql.execution.executor.Executor.complete_leaf_value": "plans.leaf",
    "graphql.execution.collect_fields.visit_selection_sets": "internals.is_static",
    "graphql.execution.collect_fields.should_include_node": "internals.is_static",
    "graphql.execution.collect_fields.get_defer_usage": "internals.is_static",
    "strawberry.types.field.StrawberryField.get_result": "internals.plain_attribute",
    "strawberry.schema.schema_converter.GraphQLCoreConverter.from_resolver": (
        "internals.plain_attribute, internals.direct_resolver"
    ),
}


class InternalsChanged(RuntimeError):
    """The installed graphql-core or Strawberry no longer has what the fast executor uses."""


def check(reliance: Reliance) -> list[str]:
    """What is wrong with one reliance on the installed libraries (nothing, usually)."""
    try:
        obj = reliance.get()
    except Exception as exc:  # noqa: BLE001 - reported by name
        return [f"{reliance.name}: missing ({type(exc).__name__}: {exc})"]
    found: list[str] = []
    if reliance.parameters is not None:
        try:
            actual = shape(obj)
        except (TypeError, ValueError) as exc:
            actual = f"no signature ({exc})"
        if actual != reliance.parameters:
            found.append(f"{reliance.name}: parameters {actual}, expected {reliance.parameters}")
    found.extend(
        f"{reliance.name}: no attribute {attr!r}"
        for attr in reliance.attributes
        if not _declared(obj, attr)
    )
    if reliance.holds is not None and not _holds(reliance.holds, obj):
        found.append(f"{reliance.name}: no longer {reliance.promise}")
    return found


def _declared(obj: Any, attr: str) -> bool:
    if hasattr(obj, attr):
        return True
    classes = obj.__mro__ if isinstance(obj, type) else type(obj).__mro__
    return any(attr in inspect.get_annotations(cls) for cls in classes)


def _holds(predicate: Callable[[Any], bool], obj: Any) -> bool:
    try:
        return bool(predicate(obj))
    except Exception:  # noqa: BLE001 - a failing probe is a broken promise
        return False


@cache
def problems(reliances: tuple[Reliance, ...] = RELIANCES) -> tuple[str, ...]:
    """Every reliance the installed libraries break (checked once per process)."""
    return tuple(problem for reliance in reliances for problem in check(reliance))


def require(reliances: tuple[Reliance, ...] = RELIANCES) -> None:
    """Raise InternalsChanged, naming each broken reliance, unless all hold."""
    found = problems(reliances)
    if found:
        installed = ", ".join(f"{p} {version(p)}" for p in ("graphql-core", "strawberry-graphql"))
        raise InternalsChanged(
            f"FAST_EXECUTOR is on, but the installed {installed} no longer provide what it"
            " uses:\n  " + "\n  ".join(found) + "\nInstall the versions pyproject.toml pins,"
            " or set FAST_EXECUTOR=false to use graphql-core's executor."
        )
