"""The standard introspection query, as GraphiQL, codegen tools and schemathesis send it, runs
clean over HTTP, and a client schema built from it has the defaults the contract prints."""

from __future__ import annotations

from pathlib import Path

import httpx
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    build_client_schema,
    build_schema,
    get_introspection_query,
    print_ast,
    value_from_ast_untyped,
)

from tests.conftest import gql

CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"


def _defaults(schema: object) -> dict[str, str]:
    """`Type.field(.arg)` → the printed default of every input value that has one."""
    found = {}
    for name, named in schema.type_map.items():  # type: ignore[attr-defined]
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLInputObjectType):
            values = {f"{name}.{f}": v for f, v in named.fields.items()}
        elif isinstance(named, GraphQLObjectType):
            values = {
                f"{name}.{f}.{a}": arg
                for f, field in named.fields.items()
                for a, arg in field.args.items()
            }
        else:
            continue
        for coordinate, value in values.items():
            if value.default is not None:
                found[coordinate] = print_ast(value.default.literal)
    return found


async def test_the_full_introspection_query_has_no_errors(client: httpx.AsyncClient) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    body = await gql(client, query)
    assert body["_status"] == 200
    assert body.get("errors") is None, body["errors"][:3]

    client_schema = build_client_schema(body["data"])
    attributes = client_schema.type_map["ProductCreateInput"].fields["attributes"]  # type: ignore[union-attr]
    assert value_from_ast_untyped(attributes.default.literal) == {}

    # Every default reads as the contract writes it, the JSON ones included.
    published = _defaults(build_schema(CONTRACT.read_text()))
    assert any(printed == "{  }" for printed in published.values())
    assert _defaults(client_schema) == published
