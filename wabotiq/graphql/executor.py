"""A faster executor for wide pages of plain fields (behind the `FAST_EXECUTOR` setting).

graphql-core spends a few microseconds on every field: resolve info, resolver call, completion.
Most fields of a page are plain attributes (a Strawberry field without resolver, arguments,
directives or field extensions) whose values are scalars or more plain objects. For each object
selection this executor plans which fields are plain (`plans.py`); a plan whose whole sub-tree
is plain becomes one generated function (`compiled.py`), others are completed by a loop over
their steps. Everything unusual (resolvers, arguments, directives, abstract types,
`is_type_of`, resolve-middleware, errors of any kind) goes back to graphql-core's own code, so
data, errors and error paths stay identical.

Every graphql-core and Strawberry internal it uses (the executor methods it overrides and
calls, collected-field details, Strawberry's field definitions) is reached through
`internals.py`, which declares and checks them; the test suite runs with it on and off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLInt, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Path, Undefined

from wabotiq.graphql.compiled import compilable, compile_plan
from wabotiq.graphql.internals import (
    BaseExecutionContext,
    collect_subfields,
    direct_resolver,
    gather_with_cancel,
    is_static,
    plain_attribute,
    plain_nodes,
    require,
    to_nodes,
)
from wabotiq.graphql.plans import (
    DELEGATE,
    IDENTITY,
    LEAF,
    LEAF_LIST,
    NOT_PREFETCHED,
    OBJECT,
    OBJECT_LIST,
    RESOLVED,
    TYPENAME,
    Fallback,
    Plan,
    Step,
    leaf,
    leaf_list,
    prefetched_attr,
    unwrap,
)

# Plans of selections that depend on the document alone, by return type and field nodes (the
# parser cache hands every request the same nodes); entries keep their nodes alive, so an id
# is never reused while its entry exists.
_SHARED: dict[tuple[Any, tuple[int, ...], bool], tuple[tuple[Any, ...], Plan | None]] = {}
SHARED_MAX = 4096


class FastExecutionContext(BaseExecutionContext):
    """graphql-core's executor with plain object selections completed in one loop."""

    # Whether plans whose whole sub-tree is plain become generated functions. Always on in
    # the app; the page benchmark turns it off in a subclass to measure what it adds.
    compile_plans = True

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
        plan = self._shared_plan(return_type, details)
        self._plans[key] = (details, plan)  # keeps `details` alive so its id stays unique
        return plan

    def _shared_plan(self, return_type: GraphQLObjectType, details: Any) -> Plan | None:
        if not self._fast or return_type.is_type_of is not None:
            return None
        nodes = tuple(d.node for d in details)
        key = (return_type, tuple(map(id, nodes)), self.compile_plans)
        found = _SHARED.get(key)
        if found is not None:
            return found[1]
        static = is_static(details, self.fragments)
        plan = self._build_plan(return_type, details, static)
        if static:
            if len(_SHARED) >= SHARED_MAX:
                _SHARED.clear()
            _SHARED[key] = (nodes, plan)
        return plan

    def _build_plan(
        self, return_type: GraphQLObjectType, details: Any, static: bool
    ) -> Plan | None:
        grouped, deferred = collect_subfields(self, return_type, details)
        if deferred:
            return None
        plan = Plan(type_name=return_type.name, shared=static)
        for name, field_details in grouped.items():
            plan.order.append(name)
            plan_step = self._step(return_type, name, field_details)
            if plan_step.kind in (LEAF, LEAF_LIST, TYPENAME):
                plan.pure.append(plan_step)
            else:
                if plan_step.kind in (OBJECT, OBJECT_LIST):
                    child = self._plan(plan_step.object_type, plan_step.details)  # type: ignore[arg-type]  # set on object steps
                    plan_step.child = child if child is not None and child.shared else None
                plan.rest.append(plan_step)
        if self.compile_plans and compilable(plan):
            plan.compiled = compile_plan(plan)
        return plan

    def _step(self, parent: GraphQLObjectType, name: str, details: Any) -> Step:
        node = details[0].node
        field_name = node.name.value
        if field_name == "__typename" and not node.directives:
            return Step(TYPENAME, name)
        field_def = parent.fields.get(field_name)
        if field_def is None:
            return Step(DELEGATE, name, details=details)
        non_null, is_list, item_non_null, named = unwrap(field_def.type)
        attr = prefetched_attr(field_def, details)
        if attr is not None and isinstance(named, GraphQLObjectType):
            prefetched = True
        elif plain_nodes(details) and (attr := plain_attribute(field_def)) is not None:
            prefetched = False
        else:
            return self._resolved_step(name, field_def, details)
        common = {
            "name": name,
            "attr": attr,
            "non_null": non_null,
            "item_non_null": item_non_null,
            "field_type": field_def.type,
            "details": details,
            "prefetched": prefetched,
            "is_list": is_list,
        }
        if named is None:
            return Step(DELEGATE, name, details=details)
        if is_leaf_type(named):
            return Step(
                LEAF_LIST if is_list else LEAF,
                leaf=named,
                same_type=IDENTITY.get(named),
                is_int=named is GraphQLInt,
                **common,
            )
        if isinstance(named, GraphQLObjectType):
            return Step(OBJECT_LIST if is_list else OBJECT, object_type=named, **common)
        return Step(DELEGATE, name, details=details)

    def _resolved_step(self, name: str, field_def: Any, details: Any) -> Step:
        """A field with a resolver but no arguments or directives whose value is an object or
        a list of objects: graphql-core resolves it, our plans complete it."""
        non_null, is_list, item_non_null, named = unwrap(field_def.type)
        if not plain_nodes(details) or field_def.args or not isinstance(named, GraphQLObjectType):
            return Step(DELEGATE, name, details=details)
        return Step(
            RESOLVED,
            name,
            direct=direct_resolver(field_def),
            non_null=non_null,
            item_non_null=item_non_null,
            object_type=named,
            field_type=field_def.type,
            details=details,
            field_def=field_def,
            is_list=is_list,
        )

    # -- completion -----------------------------------------------------------------------
    def complete_object_value(
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
            if plan.compiled is not None:
                try:
                    return plan.compiled(result)
                except Exception:  # noqa: BLE001, S110 - completed again below, the general way
                    pass
            try:
                pure = self._pure(plan, result)
            except Fallback:
                pass
            else:
                return self._rest(plan, return_type, result, path, pure)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    @staticmethod
    def _pure(plan: Plan, source: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        try:
            for step in plan.pure:
                if step.kind is LEAF:
                    values[step.name] = leaf(step, getattr(source, step.attr))
                elif step.kind is LEAF_LIST:
                    values[step.name] = leaf_list(step, getattr(source, step.attr))
                else:
                    values[step.name] = plan.type_name
        except Exception as exc:  # e.g. a missing attribute: graphql-core locates the error
            raise Fallback from exc
        return values

    @staticmethod
    def _run_compiled(step: Step, complete: Callable[[Any], Any], value: Any) -> Any:
        """A non-null object or list value completed by its compiled plan; raises on
        anything unusual, leaving the value to the general path."""
        if not step.is_list:
            return complete(value)
        if type(value) is not list and type(value) is not tuple:
            raise Fallback
        if step.item_non_null:
            return [_null() if v is None or v is Undefined else complete(v) for v in value]
        return [None if v is None or v is Undefined else complete(v) for v in value]

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
                if step.kind is DELEGATE:
                    value = self.execute_field(parent, source, step.details, field_path, None)
                    if value is Undefined:
                        continue
                elif step.kind is RESOLVED:
                    value = self._resolved_field(parent, source, step, field_path)
                else:
                    value = self._object_field(parent, source, step, field_path)
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
            self.handle_field_error(raw_error, field_type, step.details, path)  # type: ignore[arg-type]  # set on object steps
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
        completed = self._complete_plain(step, value, path)
        if completed is _GENERAL:  # outside any `except`: its errors carry no Fallback context
            return self.complete_value(step.field_type, step.details, info, path, value, None)  # type: ignore[arg-type]  # set on object steps
        return completed

    def _object_field(self, parent: GraphQLObjectType, source: Any, step: Step, path: Path) -> Any:
        """A plain or prefetched field whose value is an object or a list of objects."""
        try:
            value = getattr(source, step.attr)
        except Exception:  # noqa: BLE001 - the general path reports it
            value = None
        if value is not None and value is not NOT_PREFETCHED:
            completed = self._guard(step, path, lambda: self._complete_plain(step, value, path))
            if completed is not _GENERAL:
                return completed
        return self.execute_field(parent, source, step.details, path, None)

    def _complete_plain(self, step: Step, value: Any, path: Path) -> Any:
        """`value` (an object, or a list of them) completed by the child plan; _GENERAL when
        it needs graphql-core's path instead."""
        child = step.child or self._plan(step.object_type, step.details)  # type: ignore[arg-type]  # set on object steps
        shaped = isinstance(value, list | tuple) if step.is_list else value is not None
        if child is None or not shaped or value is Undefined or isinstance(value, Exception):
            return _GENERAL
        if child.compiled is not None:
            try:
                return self._run_compiled(step, child.compiled, value)
            except Exception:  # noqa: BLE001, S110 - completed again below, the general way
                pass
        try:
            if step.is_list:
                pures = [self._pure(child, v) if v is not None else _null_item(step) for v in value]
            else:
                pure = self._pure(child, value)
        except Fallback:
            return _GENERAL
        if step.is_list:
            return self._complete_items(step, child, value, pures, path)
        return self._rest(child, step.object_type, value, path, pure)  # type: ignore[arg-type]  # set on object steps

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
                    item = self._rest(child, object_type, value, item_path, pure)  # type: ignore[arg-type]  # set on object steps
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


def fast_execution_context() -> type[FastExecutionContext]:
    """The executor class for a schema, once the internals it uses are found as expected
    (raises `InternalsChanged` naming each one that is not)."""
    require()
    return FastExecutionContext


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


def _null_item(step: Step) -> Any:
    if step.item_non_null:
        raise Fallback
    return None


def _null() -> Any:
    raise Fallback


_GENERAL: Any = object()  # "complete this value with graphql-core's path"
