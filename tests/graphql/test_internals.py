"""The graphql-core and Strawberry internals the fast executor relies on are there, as used.

Each reliance declared in `wabotiq/graphql/internals.py` is checked by name; library code the
executor repeats rather than calls is fingerprinted, so an upgrade that changes it fails here,
naming what to compare.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import textwrap
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from wabotiq.graphql import internals
from wabotiq.graphql.internals import (
    EXECUTOR_ATTRIBUTES,
    EXECUTOR_METHODS,
    MIRRORED,
    RELIANCES,
    BaseExecutionContext,
    InternalsChanged,
    Reliance,
    check,
    direct_resolver,
    plain_attribute,
    probe_field,
    require,
)

# Fingerprints of the mirrored code as read for graphql-core 3.3.2 and strawberry-graphql
# 0.341.2 (its syntax tree without docstrings, comments, annotations or formatting).
FINGERPRINTS = {
    "graphql.execution.executor.Executor.execute_fields": "bdb132745f78b369",
    "graphql.execution.executor.Executor.execute_field": "81a3d7a7e1d18cd3",
    "graphql.execution.executor.Executor.complete_value": "e24c486c42eb6dbc",
    "graphql.execution.executor.Executor.complete_object_value": "43046e26fd257a83",
    "graphql.execution.executor.Executor.complete_list_value": "b2ca230b287f4f39",
    "graphql.execution.executor.Executor.complete_iterable_value": "3349f246e3f47e56",
    "graphql.execution.executor.Executor.complete_list_item_value": "7bcc4027fb373132",
    "graphql.execution.executor.Executor.complete_leaf_value": "6aa9912702d5cbd9",
    "graphql.execution.collect_fields.visit_selection_sets": "14beeb87be672bad",
    "graphql.execution.collect_fields.should_include_node": "6bc73ec7afd582eb",
    "graphql.execution.collect_fields.get_defer_usage": "06448b26727d0fc2",
    "strawberry.types.field.StrawberryField.get_result": "079b6a9e1464d406",
    "strawberry.schema.schema_converter.GraphQLCoreConverter.from_resolver": "28f0bf92b68a374e",
}

EXECUTOR_MODULES = ("executor.py", "plans.py", "compiled.py")
# What those modules may import from the libraries themselves: documented, public names.
PUBLIC = {"graphql", "graphql.pyutils"}


@pytest.mark.parametrize("reliance", RELIANCES, ids=lambda r: r.name)
def test_reliance_holds(reliance: Reliance):
    assert check(reliance) == []


def test_the_installed_libraries_pass_the_start_up_check():
    require()  # what `build_schema` runs before switching the fast executor on


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_mirrored_library_code_is_the_code_we_read(name: str):
    library = "graphql-core" if name.startswith("graphql.") else "strawberry-graphql"
    found = _fingerprint(name)
    assert found == FINGERPRINTS[name], (
        f"{name} changed in {library} {version(library)}: {MIRRORED[name]} repeats its"
        f" behaviour. Compare the two, adjust ours, then record {found!r} in FINGERPRINTS."
    )


def test_every_mirrored_name_has_a_fingerprint():
    assert set(FINGERPRINTS) == set(MIRRORED)


def test_executor_modules_reach_library_internals_only_through_the_adapter():
    folder = Path(internals.__file__).parent
    for module in EXECUTOR_MODULES:
        tree = ast.parse((folder / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name.split(".")[0] in ("graphql", "strawberry"):
                    assert name in PUBLIC, f"{module} imports {name}: go through internals.py"


def test_executor_members_the_modules_use_are_declared():
    inherited = set(dir(BaseExecutionContext))
    for cls in BaseExecutionContext.__mro__:
        inherited |= set(inspect.get_annotations(cls))
    declared = {*EXECUTOR_METHODS, *EXECUTOR_ATTRIBUTES}
    folder = Path(internals.__file__).parent
    for module in (*EXECUTOR_MODULES, "internals.py"):
        tree = ast.parse((folder / module).read_text())
        used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        undeclared = {name for name in used & inherited if not name.startswith("__")} - declared
        assert not undeclared, f"{module} uses {undeclared}: declare them in internals.py"


def test_a_changed_reliance_is_named_with_what_changed():
    class Changed:
        def execute_field(self, parent_type, source, path):  # type: ignore[no-untyped-def]
            return None

    broken = (
        Reliance("changed method", lambda: Changed.execute_field, "(self, parent_type, source)"),
        Reliance("removed attribute", lambda: Changed, attributes=("middleware_manager",)),
        Reliance("removed object", lambda: Changed.complete_value),
        Reliance("broken promise", lambda: Changed, holds=lambda _: False, promise="plain"),
        Reliance("intact", lambda: Changed.execute_field, "(self, parent_type, source, path)"),
    )
    with pytest.raises(InternalsChanged) as raised:
        require(broken)
    message = str(raised.value)
    assert "changed method: parameters (self, parent_type, source, path)" in message
    assert "removed attribute: no attribute 'middleware_manager'" in message
    assert "removed object: missing (AttributeError" in message
    assert "broken promise: no longer plain" in message
    assert "intact" not in message and "FAST_EXECUTOR=false" in message


def test_fields_without_resolver_read_their_attribute():
    assert plain_attribute(probe_field("plain")) == "plain"
    assert plain_attribute(probe_field("method")) is None


def test_direct_resolver_calls_the_method_with_strawberry_info():
    class Raw:
        field_name = "method"

    call = direct_resolver(probe_field("method"))
    assert call is not None and call(object(), Raw()) == "method"
    assert direct_resolver(probe_field("plain")) is None


def _fingerprint(qualified: str) -> str:
    tree = ast.parse(textwrap.dedent(inspect.getsource(_resolve(qualified))))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                node.body = body[1:] or [ast.Pass()]
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Name("_")
    return hashlib.sha256(ast.unparse(tree).encode()).hexdigest()[:16]


def _resolve(qualified: str) -> Any:
    parts = qualified.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualified)
