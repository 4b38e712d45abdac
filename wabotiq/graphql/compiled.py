"""One generated Python function per shared plan whose whole sub-tree is plain.

Interpreting a plan costs a loop, a dispatch and a call per field; a page of 900 fields pays
that 900 times. For a selection made only of plain (or prefetched) fields, the plan's steps
become straight-line code instead: one attribute read and one type check per leaf, a call per
child object, a list comprehension per list. The generated code checks what the fast path
assumes (types, nulls, list shapes, prefetched values) and raises `Fallback` on anything
else; having no side effects, the caller then completes the same value again the general
way, which reports errors exactly as graphql-core does.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from functools import partial
from typing import Any

from graphql.pyutils import Undefined

from wabotiq.graphql.plans import (
    INT_RANGE,
    LEAF,
    LEAF_LIST,
    NOT_PREFETCHED,
    OBJECT,
    OBJECT_LIST,
    TYPENAME,
    Fallback,
    Plan,
    Step,
    leaf,
    leaf_list,
)

Completer = Callable[[Any], dict[str, Any]]


def compilable(plan: Plan) -> bool:
    """Every step is a leaf, a typename or a plain object whose own plan is compiled."""
    if not plan.shared:
        return False
    for step in plan.rest:
        if step.kind not in (OBJECT, OBJECT_LIST):
            return False
        if step.child is None or step.child.compiled is None:
            return False
    return True


def compile_plan(plan: Plan) -> Completer:
    """The completion function of a compilable plan."""
    namespace: dict[str, Any] = {
        "Fallback": Fallback,
        "NOT_PREFETCHED": NOT_PREFETCHED,
        "Undefined": Undefined,
        "null": _null,
    }
    body: list[str] = []
    steps = {step.name: step for step in (*plan.pure, *plan.rest)}
    # Prefetched values first: a missing one sends the object down the general path before
    # anything else is computed.
    ordered = sorted(enumerate(plan.order), key=lambda item: not steps[item[1]].prefetched)
    for index, name in ordered:
        body.extend(_step_code(steps[name], f"v{index}", namespace, plan.type_name))
    result = ", ".join(f"{name!r}: v{index}" for index, name in enumerate(plan.order))
    body.append(f"return {{{result}}}")
    source = "def complete(src):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<plan {plan.type_name}>", "exec"), namespace)  # noqa: S102
    complete: Completer = namespace["complete"]
    return complete


def _read(attr: str) -> str:
    if attr.isidentifier() and not keyword.iskeyword(attr):
        return f"src.{attr}"
    return f"getattr(src, {attr!r})"


def _step_code(step: Step, var: str, namespace: dict[str, Any], type_name: str) -> list[str]:
    if step.kind is TYPENAME:
        return [f"{var} = {type_name!r}"]
    lines = [f"{var} = {_read(step.attr)}"]
    if step.prefetched:
        lines.append(f"if {var} is NOT_PREFETCHED: raise Fallback")
    if step.kind is LEAF:
        namespace[f"leaf_{var}"] = partial(leaf, step)
        if step.same_type is not None:
            check = f"type({var}) is not {step.same_type.__name__}"
        elif step.is_int:
            low, high = INT_RANGE
            check = f"type({var}) is not int or not {low} <= {var} <= {high}"
        else:
            return [*lines, f"{var} = leaf_{var}({var})"]
        return [*lines, f"if {check}: {var} = leaf_{var}({var})"]
    if step.kind is LEAF_LIST:
        namespace[f"leaf_{var}"] = partial(leaf_list, step)
        return [*lines, f"{var} = leaf_{var}({var})"]
    if step.kind not in (OBJECT, OBJECT_LIST) or step.child is None:
        raise ValueError(f"not compilable: {step.name}")
    namespace[f"child_{var}"] = step.child.compiled
    on_null = "raise Fallback" if step.non_null else f"{var} = None"
    null_check = f"if {var} is None or {var} is Undefined: {on_null}"
    if step.kind is OBJECT:
        return [*lines, null_check, f"else: {var} = child_{var}({var})"]
    item = (
        f"null() if x is None or x is Undefined else child_{var}(x)"
        if step.item_non_null
        else f"None if x is None or x is Undefined else child_{var}(x)"
    )
    return [
        *lines,
        null_check,
        f"elif type({var}) is list or type({var}) is tuple: {var} = [{item} for x in {var}]",
        "else: raise Fallback",
    ]


def _null() -> Any:
    raise Fallback
