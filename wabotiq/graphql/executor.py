"""A faster executor for wide pages of plain fields (behind the `FAST_EXECUTOR` setting).

graphql-core spends a few microseconds on every field: resolve info, resolver call, completion.
Most fields of a page are plain attributes (a Strawberry field without resolver, arguments,
directives or field extensions) whose values are scalars. For each object selection this
executor plans once per request which fields are plain and completes them with a getattr and
the scalar's serializer, in one loop; everything unusual (resolvers, arguments, directives,
abstract types, `is_type_of`, resolve-middleware, errors of any kind) goes back to
graphql-core's own code, so data, errors and error paths stay identical.

Leans on graphql-core 3.3 internals (`Executor.complete_object_value`, `execute_field`,
`collect_subfields`, `handle_field_error`): the test suite runs with it on and off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry import Info as StrawberryInfo
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class _Fallback(Exception):
    """This value needs graphql-core's general path."""


LEAF, LEAF_LIST, TYPENAME, OBJECT, OBJECT_LIST, DELEGATE, RESOLVED = range(7)

# Scalars whose output coercion returns a value of exactly this Python type unchanged.
_IDENTITY: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
_INT_RANGE = (-(2**31), 2**31 - 1)


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


@dataclass(slots=True)
class Plan:
    type_name: str
    pure: list[Step] = field(default_factory=list)
    rest: list[Step] = field(default_factory=list)
    order: list[str] = field(default_factory=list)


def _is_plain(field_def: Any, details: Any) -> bool:
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return False
    for detail in details:
        node = detail.node
        if node.arguments or node.directives or detail.fragment_variable_values:
            return False
    return True


def _unwrap(gql_type: GraphQLOutputType) -> tuple[bool, bool, bool, Any]:
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


def _direct_call(field_def: Any) -> Callable[[Any, Any], Any] | None:
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


def _leaf(step: Step, value: Any) -> Any:
    if type(value) is step.same_type:
        return value
    if step.is_int and type(value) is int and _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        return value
    if value is None or value is Undefined:
        if step.non_null:
            raise _Fallback
        return None
    try:
        coerced = step.leaf.coerce_output_value(value)  # type: ignore[union-attr]
    except Exception as exc:  # noqa: BLE001 - graphql-core reports it properly
        raise _Fallback from exc
    if coerced is None or coerced is Undefined:
        raise _Fallback
    return coerced


def _leaf_list(step: Step, value: Any) -> Any:
    if value is None:
        if step.non_null:
            raise _Fallback
        return None
    if not isinstance(value, list | tuple):
        raise _Fallback
    item = Step(
        LEAF,
        step.name,
        non_null=step.item_non_null,
        leaf=step.leaf,
        same_type=step.same_type,
        is_int=step.is_int,
    )
    return [_leaf(item, v) for v in value]


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain object selections completed in one loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, int], tuple[Any, Plan | None]] = {}
        manager = self.middleware_manager
        self._fast = not (manager and getattr(manager, "middlewares", None))

    # -- planning -------------------------------------------------------------------------
    def _plan(self, return_type: GraphQLObjectType, details: Any) -> Plan | None:
        key = (return_type.name, id(details))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        plan = self._build_plan(return_type, details)
        self._plans[key] = (details, plan)  # keeps `details` alive so its id stays unique
        return plan

    def _build_plan(self, return_type: GraphQLObjectType, details: Any) -> Plan | None:
        if not self._fast or return_type.is_type_of is not None:
            return None
        grouped, defer_usages, *_ = self.collect_subfields(return_type, details)
        if defer_usages:
            return None
        plan = Plan(type_name=return_type.name)
        for name, field_details in grouped.items():
            plan.order.append(name)
            plan_step = self._step(return_type, name, field_details)
            if plan_step.kind in (LEAF, LEAF_LIST, TYPENAME):
                plan.pure.append(plan_step)
            else:
                plan.rest.append(plan_step)
        return plan

    def _step(self, parent: GraphQLObjectType, name: str, details: Any) -> Step:
        node = details[0].node
        field_name = node.name.value
        if field_name == "__typename" and not node.directives:
            return Step(TYPENAME, name)
        field_def = parent.fields.get(field_name)
        if field_def is None:
            return Step(DELEGATE, name, details=details)
        if not _is_plain(field_def, details):
            return self._resolved_step(name, field_def, details)
        non_null, is_list, item_non_null, named = _unwrap(field_def.type)
        attr = field_def.extensions["strawberry-definition"].python_name
        common = {
            "name": name,
            "attr": attr,
            "non_null": non_null,
            "item_non_null": item_non_null,
            "field_type": field_def.type,
            "details": details,
        }
        if named is None:
            return Step(DELEGATE, name, details=details)
        if is_leaf_type(named):
            return Step(
                LEAF_LIST if is_list else LEAF,
                leaf=named,
                same_type=_IDENTITY.get(named),
                is_int=named is GraphQLInt,
                **common,
            )
        if isinstance(named, GraphQLObjectType):
            return Step(OBJECT_LIST if is_list else OBJECT, object_type=named, **common)
        return Step(DELEGATE, name, details=details)

    def _resolved_step(self, name: str, field_def: Any, details: Any) -> Step:
        """A field with a resolver but no arguments or directives whose value is an object or
        a list of objects: graphql-core resolves it, our plans complete it."""
        plain_nodes = all(
            not d.node.arguments and not d.node.directives and not d.fragment_variable_values
            for d in details
        )
        non_null, is_list, item_non_null, named = _unwrap(field_def.type)
        if not plain_nodes or field_def.args or not isinstance(named, GraphQLObjectType):
            return Step(DELEGATE, name, details=details)
        return Step(
            RESOLVED,
            name,
            direct=_direct_call(field_def),
            non_null=non_null,
            item_non_null=item_non_null,
            object_type=named,
            field_type=field_def.type,
            details=details,
            field_def=field_def,
            is_list=is_list,
        )

    # -- completion -----------------------------------------------------------------------
    def complete_object_value(  # type: ignore[override]
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            try:
                pure = self._pure(plan, result)
            except _Fallback:
                pass
            else:
                return self._rest(plan, return_type, result, path, pure)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    @staticmethod
    def _pure(plan: Plan, source: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for step in plan.pure:
            if step.kind == LEAF:
                values[step.name] = _leaf(step, getattr(source, step.attr))
            elif step.kind == LEAF_LIST:
                values[step.name] = _leaf_list(step, getattr(source, step.attr))
            else:
                values[step.name] = plan.type_name
        return values

    def _rest(
        self,
        plan: Plan,
        parent: GraphQLObjectType,
        source: Any,
        path: Path | None,
        pure: dict[str, Any],
    ) -> Any:
        if not plan.rest:
            return pure if len(plan.order) == len(pure) else {n: pure[n] for n in plan.order}
        others: dict[str, Any] = {}
        awaitable_names: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in plan.rest:
                field_path = Path(path, step.name, parent.name)
                if step.kind == DELEGATE:
                    value = self.execute_field(parent, source, step.details, field_path, None)
                    if value is Undefined:
                        continue
                elif step.kind == RESOLVED:
                    value = self._resolved_field(parent, source, step, field_path)
                elif step.kind == OBJECT:
                    value = self._object_field(parent, source, step, field_path)
                else:
                    value = self._list_field(parent, source, step, field_path)
                others[step.name] = value
                if is_awaitable(value):
                    awaitable_names.append(step.name)
        except Exception:
            if awaitable_names:  # settle what already started, as graphql-core does
                self.settle_in_background([others[n] for n in awaitable_names])
            raise
        results = {
            n: pure[n] if n in pure else others[n] for n in plan.order if n in pure or n in others
        }
        if not awaitable_names:
            return results

        async def gather() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[n] for n in awaitable_names))
            results.update(zip(awaitable_names, awaited, strict=True))
            return results

        return gather()

    def _guard(self, step: Step, path: Path, run: Callable[[], Any]) -> Any:
        """Run a completion with graphql-core's field-error semantics (null or propagate)."""
        field_type = step.field_type
        try:
            value = run()
        except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core would
            self.handle_field_error(raw_error, field_type, step.details, path)  # type: ignore[arg-type]
            return None
        if not self.is_awaitable(value):
            return value
        return _Guarded(self, value, field_type, step.details, path)

    def _resolved_field(
        self, parent: GraphQLObjectType, source: Any, step: Step, path: Path
    ) -> Any:
        """`execute_field` with our completion for the value the resolver returns."""
        field_def = step.field_def
        info = self.build_resolve_info(field_def, to_nodes(step.details), parent, path)
        try:
            result = (step.direct or field_def.resolve)(source, info)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    field_def.type, step.details, info, path, result, None
                )
            completed = self._complete_resolved(step, result, info, path)
        except Exception as raw_error:  # noqa: BLE001 - as execute_field handles it
            self.handle_field_error(raw_error, field_def.type, step.details, path)
            return None
        if self.is_awaitable(completed):
            return _Guarded(self, completed, field_def.type, step.details, path)
        return completed

    def _complete_resolved(self, step: Step, value: Any, info: Any, path: Path) -> Any:
        child = self._plan(step.object_type, step.details)  # type: ignore[arg-type]
        shaped = isinstance(value, list | tuple) if step.is_list else value is not None
        if child is None or isinstance(value, Exception) or not shaped:
            return self.complete_value(step.field_type, step.details, info, path, value, None)  # type: ignore[arg-type]
        try:
            if step.is_list:
                pures = [self._pure(child, v) if v is not None else _null_item(step) for v in value]
            else:
                pure = self._pure(child, value)
        except _Fallback:
            return self.complete_value(step.field_type, step.details, info, path, value, None)  # type: ignore[arg-type]
        if step.is_list:
            return self._complete_items(step, child, value, pures, path)
        return self._rest(child, step.object_type, value, path, pure)  # type: ignore[arg-type]

    def _object_field(self, parent: GraphQLObjectType, source: Any, step: Step, path: Path) -> Any:
        value = getattr(source, step.attr)
        child = self._plan(step.object_type, step.details) if value is not None else None  # type: ignore[arg-type]
        if child is None:
            return self.execute_field(parent, source, step.details, path, None)
        try:
            pure = self._pure(child, value)
        except _Fallback:
            return self.execute_field(parent, source, step.details, path, None)
        return self._guard(
            step, path, lambda: self._rest(child, step.object_type, value, path, pure)
        )  # type: ignore[arg-type]

    def _list_field(self, parent: GraphQLObjectType, source: Any, step: Step, path: Path) -> Any:
        values = getattr(source, step.attr)
        child = self._plan(step.object_type, step.details)  # type: ignore[arg-type]
        if child is None or not isinstance(values, list | tuple):
            return self.execute_field(parent, source, step.details, path, None)
        try:
            pures = [self._pure(child, v) if v is not None else _null_item(step) for v in values]
        except _Fallback:
            return self.execute_field(parent, source, step.details, path, None)
        return self._guard(
            step, path, lambda: self._complete_items(step, child, values, pures, path)
        )

    def _complete_items(
        self, step: Step, child: Plan, values: Any, pures: list[Any], path: Path
    ) -> Any:
        completed: list[Any] = []
        pending = False
        is_awaitable = self.is_awaitable
        item_type = _item_type(step.field_type)
        object_type = step.object_type
        try:
            for index, (value, pure) in enumerate(zip(values, pures, strict=True)):
                if value is None:
                    completed.append(None)
                    continue
                item_path = Path(path, index, None)
                try:  # inlined `_guard(..., item=True)`: this loop runs for every list item
                    item = self._rest(child, object_type, value, item_path, pure)  # type: ignore[arg-type]
                except Exception as raw_error:  # noqa: BLE001 - as graphql-core handles it
                    self.handle_field_error(raw_error, item_type, step.details, item_path)
                    item = None
                else:
                    if is_awaitable(item):
                        item = _Guarded(self, item, item_type, step.details, item_path)
                        pending = True
                completed.append(item)
        except Exception:
            if pending:
                self.settle_in_background([v for v in completed if self.is_awaitable(v)])
            raise
        if not pending:
            return completed

        async def gather() -> list[Any]:
            indices = [i for i, v in enumerate(completed) if self.is_awaitable(v)]
            awaited = await gather_with_cancel(*(completed[i] for i in indices))
            for i, v in zip(indices, awaited, strict=True):
                completed[i] = v
            return completed

        return gather()


class _Guarded:
    """Awaits a completion and applies graphql-core's field-error handling to its failure.

    A plain awaitable rather than a coroutine: if error propagation abandons it, nothing
    warns that a coroutine was never awaited (graphql-core settles what it tracks)."""

    __slots__ = ("_executor", "_awaitable", "_type", "_details", "_path")

    def __init__(self, executor: Any, awaitable: Any, field_type: Any, details: Any, path: Path):
        self._executor = executor
        self._awaitable = awaitable
        self._type = field_type
        self._details = details
        self._path = path

    def __await__(self) -> Any:
        try:
            return (yield from self._awaitable.__await__())
        except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core would
            self._executor.handle_field_error(raw_error, self._type, self._details, self._path)
            return None


def _item_type(list_type: Any) -> Any:
    """`T` of `[T]`, `[T]!` (T may itself be non-null)."""
    inner = list_type.of_type if isinstance(list_type, GraphQLNonNull) else list_type
    return inner.of_type


def _null_item(step: Step) -> None:
    if step.item_non_null:
        raise _Fallback
    return None
