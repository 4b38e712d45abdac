"""Default values introspection can print: a `JSON! = {}` default had none.

Strawberry hands graphql-core its defaults as internal values (`default_value`); introspection
prints them with graphql-core's `ast_from_value`, which turns a scalar into a literal only when
the scalar serializes to a bool, number or string. A JSON object default therefore failed with
INTERNAL_SERVER_ERROR at `inputFields[…].defaultValue`, breaking GraphiQL, codegen tools and
schemathesis. Such a default gets the literal Strawberry's own printer writes in the SDL, as an
external default (`default`), which introspection prints and execution coerces to the same
value.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLArgument,
    GraphQLDefaultInput,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    ast_from_value,
)
from strawberry.printer.ast_from_value import ast_from_value as sdl_literal


def _input_values(schema: GraphQLSchema) -> Iterator[GraphQLArgument | GraphQLInputField]:
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            yield from named.fields.values()
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field in named.fields.values():
                yield from field.args.values()
    for directive in schema.directives:
        yield from directive.args.values()


def _printable(value: GraphQLArgument | GraphQLInputField) -> bool:
    try:
        return ast_from_value(value.default_value, value.type) is not None
    except TypeError:
        return False


def make_defaults_printable(schema: GraphQLSchema) -> None:
    """Give every default introspection cannot print the literal the SDL shows."""
    for value in _input_values(schema):
        if value.default is not None or value.default_value is Undefined or _printable(value):
            continue
        literal = sdl_literal(value.default_value, value.type)
        if literal is None:
            raise TypeError(f"No literal for the default {value.default_value!r}")
        value.default = GraphQLDefaultInput(literal=literal)  # type: ignore[arg-type]  # typed ValueNode, built const
