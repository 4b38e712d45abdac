"""The fast executor returns exactly what graphql-core returns: data, errors and error paths."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig

from wabotiq.graphql.executor import FastExecutionContext
from wabotiq.graphql.lazy import build, lazy_fields
from wabotiq.graphql.plans import NOT_PREFETCHED, prefetched
from wabotiq.graphql.scalars import SCALAR_MAP


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Variant:
    sku: str
    colour: Colour
    price: Decimal | None
    tags: list[str]
    stock: int  # set to None in some rows: a non-null violation

    @strawberry.field
    async def label(self) -> str:
        await asyncio.sleep(0)
        return f"{self.sku}/{self.colour.value}"


@strawberry.type
class Category:
    name: str
    parent: Category | None


@strawberry.type
class Product:
    id: strawberry.ID
    name: str
    created_at: datetime
    category: Category | None
    required_category: Category
    variants: list[Variant]
    strict_variants: list[Variant]
    maybe_variants: list[Variant | None] | None

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        if self.name == "boom":
            raise ValueError("resolver failed")
        return self.name.upper() + suffix

    @strawberry.field
    def cheapest(self) -> list[Variant]:
        if self.name == "boom":
            raise ValueError("resolver failed")
        return self.variants[:1]

    @strawberry.field
    def strict_category(self) -> Category:
        return self.category  # type: ignore[return-value]

    @strawberry.field
    def located(self, info: strawberry.Info) -> Category | None:
        return self.category if info.field_name == "located" else None

    @strawberry.field
    async def later_category(self) -> Category | None:
        await asyncio.sleep(0)
        return self.category

    @strawberry.field
    def maybe_items(self) -> list[Variant | None] | None:
        return self.maybe_variants

    @strawberry.field
    async def slow_name(self) -> str | None:
        await asyncio.sleep(0)
        if self.name == "boom":
            raise RuntimeError("async resolver failed")
        return self.name


def _variant(sku: str, *, stock: object = 3, price: object = Decimal("10.50")) -> Variant:
    return Variant(sku=sku, colour=Colour.RED, price=price, tags=["a", "b"], stock=stock)  # type: ignore[arg-type]


def _products() -> list[Product]:
    root = Category(name="Electronics", parent=None)
    phones = Category(name="Phones", parent=root)
    good = Product(
        id=strawberry.ID("p1"),
        name="phone",
        created_at=datetime(2026, 11, 25, 9, tzinfo=UTC),
        category=phones,
        required_category=phones,
        variants=[_variant("A"), _variant("B", price=None)],
        strict_variants=[_variant("C")],
        maybe_variants=[_variant("D"), None],
    )
    broken = Product(
        id=strawberry.ID("p2"),
        name="boom",
        created_at=datetime(2026, 11, 25, 10, tzinfo=UTC),
        category=None,
        required_category=None,  # type: ignore[arg-type]
        variants=[_variant("E", stock=None)],
        strict_variants=[_variant("F"), None],  # type: ignore[list-item]
        maybe_variants=None,
    )
    odd = Product(
        id=strawberry.ID("p3"),
        name="odd",
        created_at="not a datetime",  # type: ignore[arg-type]
        category=phones,
        required_category=root,
        variants=[_variant("G", price="NaN?")],
        strict_variants=[],
        maybe_variants=[None],
    )
    return [good, broken, odd]


def _label(badge: Badge) -> str:
    if badge.code == "bad":
        raise ValueError("lazy field failed")
    return badge.code.upper()


@lazy_fields(label=_label, maybe_label=_label)
@strawberry.type
class Badge:
    """Built without `__init__`: `label` and `maybeLabel` are computed when read."""

    code: str
    label: str
    maybe_label: str | None


def _badges(*codes: str) -> list[Badge]:
    return [build(Badge, {"code": code}) for code in codes]


@strawberry.type
class Shelf:
    """Relations a page may hand over in advance (see `prefetched`)."""

    name: str
    badges: list[Badge] | None
    page_items: strawberry.Private[Any] = NOT_PREFETCHED
    page_lead: strawberry.Private[Any] = NOT_PREFETCHED
    page_strict: strawberry.Private[Any] = NOT_PREFETCHED
    resolver_calls = 0

    @strawberry.field(metadata=prefetched("page_items"))
    def items(self) -> list[Variant | None] | None:
        if self.page_items is not NOT_PREFETCHED:
            return self.page_items  # type: ignore[no-any-return]
        Shelf.resolver_calls += 1
        return [_variant(f"{self.name}-resolved")]

    @strawberry.field(metadata=prefetched("page_lead"))
    def lead(self) -> Category | None:
        if self.page_lead is not NOT_PREFETCHED:
            return self.page_lead  # type: ignore[no-any-return]
        Shelf.resolver_calls += 1
        return Category(name=f"{self.name} lead", parent=None)

    @strawberry.field(metadata=prefetched("page_strict"))
    async def strict_items(self) -> list[Variant]:
        if self.page_strict is not NOT_PREFETCHED:
            return self.page_strict  # type: ignore[no-any-return]
        Shelf.resolver_calls += 1
        await asyncio.sleep(0)
        return [_variant(f"{self.name}-later")]


def _shelves() -> list[Shelf]:
    phones = Category(name="Phones", parent=Category(name="Electronics", parent=None))
    return [
        Shelf(
            name="ready",
            badges=_badges("new", "hot"),
            page_items=[_variant("R1"), _variant("R2", price=None)],
            page_lead=phones,
            page_strict=[_variant("R3")],
        ),
        Shelf(name="unloaded", badges=None),
        Shelf(name="empty", badges=[], page_items=[], page_lead=None, page_strict=[]),
        Shelf(
            name="holes",
            badges=_badges("bad", "ok"),
            page_items=[None, _variant("H1", stock=None), None],
            page_lead=Category(name="Odd", parent=None),
            page_strict=[_variant("H2"), None],  # type: ignore[list-item]
        ),
        Shelf(name="none", badges=_badges("x"), page_items=None, page_strict=[_variant("N1")]),
    ]


@strawberry.type
class Query:
    @strawberry.field
    def products(self, first: int = 10) -> list[Product]:
        return _products()[:first]

    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return _shelves()

    @strawberry.field
    def ready_shelf(self) -> Shelf:
        return _shelves()[0]

    @strawberry.field
    def badges(self) -> list[Badge | None]:
        return _badges("a", "bad", "c")

    @strawberry.field
    def good(self) -> Product:
        return _products()[0]

    @strawberry.field
    def broken(self) -> Product | None:
        return _products()[1]


def _schema(fast: bool, *, compiled: bool = True) -> strawberry.Schema:
    # The parser cache hands every execution of a text the same document, as in the app,
    # so plans are shared between executions.
    schema = strawberry.Schema(
        query=Query, config=StrawberryConfig(scalar_map=SCALAR_MAP), extensions=[ParserCache]
    )
    if fast:
        schema.execution_context_class = (
            CountingExecutionContext if compiled else UncompiledExecutionContext
        )
    return schema


class CountingExecutionContext(FastExecutionContext):
    """Counts the fields graphql-core executes itself (resolver call, info, completion)."""

    general_fields = 0

    def execute_field(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        CountingExecutionContext.general_fields += 1
        return super().execute_field(*args, **kwargs)


class UncompiledExecutionContext(CountingExecutionContext):
    """Every plan interpreted step by step (as the page benchmark's third mode)."""

    compile_plans = False


FIELDS = """
  id name createdAt __typename
  category { name parent { name parent { name } } }
  variants { sku colour price tags stock label }
"""

QUERIES = {
    "plain page": f"{{ products {{ {FIELDS} }} }}",
    "good only": f"{{ good {{ {FIELDS} strictVariants {{ sku stock }} }} }}",
    "non-null object": "{ products { name requiredCategory { name } } }",
    "non-null list items": "{ products { name strictVariants { sku } } }",
    "nullable list items": "{ products { maybeVariants { sku colour } } }",
    "resolver errors": "{ products { name shout slowName } }",
    "arguments": '{ good { a: shout(suffix: "?") b: shout } }',
    "aliases and fragments": """
        query { products { ...P other: name } }
        fragment P on Product { n: name variants { ... on Variant { s: sku } } }
    """,
    "skip and include": """
        query($yes: Boolean!) { products {
          name @include(if: $yes) createdAt @skip(if: $yes)
          variants @include(if: $yes) { sku stock @skip(if: $yes) }
        } }
    """,
    "nullable root with errors": "{ broken { name requiredCategory { name } } }",
    "leaf coercion errors": "{ products { createdAt variants { price } } }",
    "resolved objects": """{ products {
        name cheapest { sku stock label } strictCategory { name parent { name } }
        laterCategory { name } maybeItems { sku } located { name }
    } }""",
    "resolved objects, good only": """{ good {
        cheapest { sku colour } strictCategory { name } laterCategory { name }
        maybeItems { sku }
    } }""",
    "resolved, nullable root": "{ broken { cheapest { sku } strictCategory { name } } }",
    "prefetched relations": """{ shelves {
        name items { sku stock price } lead { name parent { name } } strictItems { sku }
    } }""",
    "prefetched, non-null root": """{ readyShelf {
        items { sku } lead { name } strictItems { sku }
    } }""",
    "prefetched, errors inside": "{ shelves { name items { sku stock } } }",
    "prefetched, non-null items": "{ shelves { name strictItems { sku colour } } }",
    "prefetched with aliases": """{ shelves {
        a: items { sku } b: items { stock } items { tags } lead { n: name } ...S
    } } fragment S on Shelf { lead { parent { name } } }""",
    "lazy fields": "{ shelves { name badges { code maybeLabel } } }",
    "lazy fields, non-null": "{ shelves { badges { code label } } }",
    "lazy fields, nullable items": "{ badges { code label } }",
    "typename only": "{ shelves { __typename items { __typename } lead { __typename } } }",
    "include on a fragment": """
        query($yes: Boolean!) { shelves { ... @include(if: $yes) { name } items { sku } } }
    """,
}


def _outcome(result: Any) -> tuple[Any, list[Any]]:
    return result.data, [(e.message, e.path, e.locations) for e in result.errors or []]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_fast_and_standard_executors_agree(name: str, compiled: bool):
    query = QUERIES[name]
    standard_schema, fast_schema = _schema(fast=False), _schema(fast=True, compiled=compiled)
    # twice with each value: the second execution of a text reuses the first one's plans
    for variables in ({"yes": True}, {"yes": True}, {"yes": False}, {"yes": True}):
        standard = await standard_schema.execute(query, variable_values=variables)
        fast = await fast_schema.execute(query, variable_values=variables)
        assert _outcome(fast) == _outcome(standard)


async def test_plain_sub_trees_complete_without_graphql_core_fields():
    plain = """{ good {
        id name createdAt __typename category { name parent { name parent { name } } }
        variants { sku colour price tags stock } strictVariants { sku }
    } }"""
    schema = _schema(fast=True)
    for _ in range(2):
        CountingExecutionContext.general_fields = 0
        result = await schema.execute(plain)
        assert result.errors is None and result.data["good"]["variants"][1]["price"] is None
        assert CountingExecutionContext.general_fields == 1  # the root field alone


async def test_prefetched_relations_skip_their_resolvers():
    query = "{ readyShelf { name items { sku } lead { name } strictItems { sku } } }"
    Shelf.resolver_calls = 0
    CountingExecutionContext.general_fields = 0
    result = await _schema(fast=True).execute(query)
    assert result.errors is None
    assert result.data["readyShelf"]["strictItems"] == [{"sku": "R3"}]
    assert (Shelf.resolver_calls, CountingExecutionContext.general_fields) == (0, 1)
    result = await _schema(fast=True).execute("{ shelves { name items { sku } } }")
    assert Shelf.resolver_calls == 1  # the one shelf whose items were not handed over


def test_lazy_fields_are_computed_once_and_only_for_fields():
    badge = build(Badge, {"code": "new"})
    assert "label" not in vars(badge)
    assert badge.label == "NEW" and vars(badge)["label"] == "NEW"
    assert Badge(code="a", label="given", maybe_label=None).label == "given"
    with pytest.raises(TypeError):
        lazy_fields(label=_label)(Badge)  # already lazy: a class-level value exists
    with pytest.raises(TypeError):
        lazy_fields(colour=_label)(Badge)  # not a field
