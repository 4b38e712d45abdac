"""Refuse text Postgres cannot store, wherever it comes in: variables and inline literals.

Postgres `text` and `jsonb` reject U+0000, and an unpaired surrogate (JSON allows `\\ud800`)
cannot be encoded as UTF-8 at all: either failed deep in a resolver as an unexpected error.
One check before execution covers every text input, search and filter; nothing is stripped
(that would change data without saying so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ObjectFieldNode,
    OperationType,
    StringValueNode,
    Visitor,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from starlette.datastructures import UploadFile
from strawberry.extensions import SchemaExtension

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
WHAT = "Text may not contain the NUL character (U+0000) or an unpaired surrogate"


def unstorable_variable(value: Any, path: str) -> str | None:
    """The path of the first string (or object key) in `value` that cannot be stored."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and UNSTORABLE.search(key):
                return path
            if (found := unstorable_variable(item, f"{path}.{key}")) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := unstorable_variable(item, f"{path}[{index}]")) is not None:
                return found
    elif isinstance(value, UploadFile) and value.filename:
        return path if UNSTORABLE.search(value.filename) else None
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: tuple[StringValueNode, str] | None = None

    def enter_string_value(
        self, node: StringValueNode, key: Any, parent: Any, path: Any, ancestors: Any
    ) -> Any:
        if not UNSTORABLE.search(node.value):
            return None
        ancestors = [*ancestors, parent]
        names = [a.name.value for a in ancestors if isinstance(a, ArgumentNode | ObjectFieldNode)]
        fields = [a.name.value for a in ancestors if isinstance(a, FieldNode)]
        where = ".".join(names) or "a literal"
        self.found = (node, f"{where} of {fields[-1]}" if fields else where)
        return Visitor.BREAK


def unstorable_literal(
    document: DocumentNode, text: str | None
) -> tuple[StringValueNode, str] | None:
    """The first string literal that cannot be stored, and where it is (`text`, the document's
    source if known, saves the walk when it has no such character and no escape)."""
    if text is not None and not (UNSTORABLE.search(text) or "\\u" in text):
        return None
    literals = _Literals()
    visit(document, literals)
    return literals.found


class StorableText(SchemaExtension):
    """List it after the operation guard: a refused caller learns nothing about its input."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if ctx.result is None and document is not None:
            error = self._check(document)
            if error is not None:
                operation = get_operation_ast(document, ctx.operation_name)
                if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
                    raise error  # as in the guard: Strawberry subscribes regardless of `result`
                ctx.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def _check(self, document: DocumentNode) -> GraphQLError | None:
        ctx = self.execution_context
        for name, value in (ctx.variables or {}).items():
            if (path := unstorable_variable(value, f"${name}")) is not None:
                return GraphQLError(
                    f"{WHAT}: variable {path}.",
                    extensions={"code": "BAD_USER_INPUT", "variable": path},
                )
        found = unstorable_literal(document, ctx.query)
        if found is not None:
            node, where = found
            return GraphQLError(
                f"{WHAT}: {where}.", nodes=[node], extensions={"code": "BAD_USER_INPUT"}
            )
        return None
