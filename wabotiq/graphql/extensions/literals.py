"""Every refused literal points at itself.

A scalar that refuses a literal by raising a `GraphQLError` (Strawberry's Date, Time, Decimal
and UUID do: `Value cannot represent a Decimal: "0x10".`) has it reported by graphql-core as
raised, without the literal's node: the client got an error with neither a location nor a code,
indistinguishable from a failure. The spec's rule, with such errors located at the literal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputType,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VisitorAction,
)
from graphql.language import SKIP
from graphql.utilities.validate_input_value import validate_input_literal
from strawberry.extensions import SchemaExtension


def literal_at(node: ValueNode, path: list[str | int]) -> ValueNode:
    """The literal `path` (object field names, list indexes) leads to inside `node`."""
    for key in path:
        if isinstance(node, ObjectValueNode):
            found = next((f.value for f in node.fields if f.name.value == key), None)
        elif isinstance(node, ListValueNode) and isinstance(key, int) and key < len(node.values):
            found = node.values[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return node


class LocatedValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """`ValuesOfCorrectTypeRule`, giving an error raised without a node the literal's."""

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                if not error.nodes:
                    error = GraphQLError(
                        error.message,
                        literal_at(node, path),
                        original_error=error.original_error,
                        extensions=error.extensions,
                    )
                self.report_error(error)

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP


class LocateLiteralErrors(SchemaExtension):
    """Validates literals with `LocatedValuesOfCorrectType` in place of the spec's rule."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = tuple(_located(rule) for rule in ctx.validation_rules)
        yield


def _located(rule: Any) -> Any:
    return LocatedValuesOfCorrectType if rule is ValuesOfCorrectTypeRule else rule
