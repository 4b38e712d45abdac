"""Relation fields are declared one way in every area (`wabotiq.graphql.relations.relation`),
and a prefetched relation is answered from what the page handed over, in both executors."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLInterfaceType, GraphQLList, GraphQLNonNull, GraphQLObjectType

from wabotiq.api.schema import ROOT_TYPES, contract_schema
from wabotiq.graphql.executor import FastExecutionContext
from wabotiq.graphql.plans import NOT_PREFETCHED, PREFETCHED_KEY, prefetched_attr
from wabotiq.graphql.relations import is_relation, relation

# A few relations of different areas, so the rule below cannot pass by seeing none.
KNOWN_RELATIONS = {
    "Product.variants",
    "Product.category",
    "Category.parent",
    "OrderLine.variant",
    "Order.customer",
    "Customer.orders",
    "Customer.appointments",
    "Appointment.customer",
    "Member.role",
    "UserMembership.tenant",
    "Viewer.tenant",
}


def _named(gql_type: Any) -> Any:
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        gql_type = gql_type.of_type
    return gql_type


def _area_resolver_fields() -> dict[str, Any]:
    """`Type.field` -> Strawberry field, for every field with a resolver that an area (not the
    GraphQL machinery, e.g. `Connection.nodes`) declares on a type other than the roots, and
    whose value is an object or needs an await: a relation, by this project's convention."""
    schema = contract_schema()._schema
    found = {}
    for type_name, gql_type in schema.type_map.items():
        if type_name in ROOT_TYPES or not isinstance(gql_type, GraphQLObjectType):
            continue
        for field_name, field in gql_type.fields.items():
            definition = field.extensions.get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            if resolver is None:
                continue
            if not resolver.wrapped_func.__module__.startswith("wabotiq.resolvers."):
                continue
            named = _named(field.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType) or resolver.is_async:
                found[f"{type_name}.{field_name}"] = definition
    return found


def test_every_relation_field_of_the_schema_is_declared_with_relation():
    fields = _area_resolver_fields()
    assert KNOWN_RELATIONS <= set(fields), KNOWN_RELATIONS - set(fields)
    undeclared = sorted(name for name, field in fields.items() if not is_relation(field))
    assert undeclared == []


def test_the_catalog_page_relations_are_prefetched_through_the_same_declaration():
    fields = _area_resolver_fields()
    prefetched = {
        name: field.metadata[PREFETCHED_KEY]
        for name, field in fields.items()
        if PREFETCHED_KEY in field.metadata
    }
    assert prefetched == {"Product.variants": "page_variants", "Product.category": "page_category"}


# -- the declaration itself, on a small schema --------------------------------------------------


@strawberry.type
class Item:
    sku: str


@strawberry.type
class Shelf:
    name: str
    page_items: strawberry.Private[Any] = NOT_PREFETCHED
    loads = 0

    @relation(description="Its items.", prefetched="page_items")
    async def items(self, info: strawberry.Info) -> list[Item]:
        Shelf.loads += 1
        return [Item(sku=f"{self.name}-loaded")]

    @relation(description="Its first item, with a prefix.")
    async def first(self, info: strawberry.Info, prefix: str = "") -> Item | None:
        Shelf.loads += 1
        return Item(sku=f"{prefix}{self.name}-first")


@strawberry.type
class Query:
    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return [
            Shelf(name="handed", page_items=[Item(sku="h1"), Item(sku="h2")]),
            Shelf(name="empty", page_items=[]),
            Shelf(name="unloaded"),
        ]


def _schema(fast: bool) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query)
    if fast:
        schema.execution_context_class = FastExecutionContext
    return schema


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "standard"])
async def test_a_prefetched_relation_runs_its_loaders_only_when_nothing_was_handed_over(
    fast: bool,
):
    Shelf.loads = 0
    result = await _schema(fast).execute("{ shelves { name items { sku } } }")
    assert result.errors is None
    assert result.data == {
        "shelves": [
            {"name": "handed", "items": [{"sku": "h1"}, {"sku": "h2"}]},
            {"name": "empty", "items": []},
            {"name": "unloaded", "items": [{"sku": "unloaded-loaded"}]},
        ]
    }
    assert Shelf.loads == 1


def test_the_fast_executor_reads_a_prefetched_relation_from_its_attribute():
    shelf = _schema(fast=True)._schema.type_map["Shelf"]
    assert prefetched_attr(shelf.fields["items"], []) == "page_items"
    assert prefetched_attr(shelf.fields["first"], []) is None  # not prefetched, and has arguments


async def test_a_relation_keeps_its_arguments_and_description():
    schema = _schema(fast=True)
    result = await schema.execute('{ shelves { first(prefix: "> ") { sku } } }')
    assert result.errors is None
    assert result.data["shelves"][0] == {"first": {"sku": "> handed-first"}}
    shelf = schema._schema.type_map["Shelf"]
    assert shelf.fields["first"].description == "Its first item, with a prefix."
    assert list(shelf.fields["first"].args) == ["prefix"]


def test_a_relation_must_be_async():
    with pytest.raises(TypeError, match="async"):

        @relation(description="Not awaitable.")
        def items(self: Any) -> list[Item]:
            return []
