"""`relation` declares a loader-backed field; a prefetched relation is answered from what the
page handed over, in both executors."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from wabotiq.graphql.executor import FastExecutionContext
from wabotiq.graphql.plans import NOT_PREFETCHED, prefetched_attr
from wabotiq.graphql.relations import relation


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
