"""The fast executor returns exactly what graphql-core returns: data, errors and error paths."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from wabotiq.graphql.executor import FastExecutionContext
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


@strawberry.type
class Query:
    @strawberry.field
    def products(self, first: int = 10) -> list[Product]:
        return _products()[:first]

    @strawberry.field
    def good(self) -> Product:
        return _products()[0]

    @strawberry.field
    def broken(self) -> Product | None:
        return _products()[1]


def _schema(fast: bool) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=SCALAR_MAP))
    if fast:
        schema.execution_context_class = CountingExecutionContext
    return schema


class CountingExecutionContext(FastExecutionContext):
    fast_objects = 0

    @staticmethod
    def _pure(plan, source):  # type: ignore[no-untyped-def, override]
        CountingExecutionContext.fast_objects += 1
        return FastExecutionContext._pure(plan, source)


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
}


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_fast_and_standard_executors_agree(name: str):
    query = QUERIES[name]
    variables = {"yes": True}
    standard = await _schema(fast=False).execute(query, variable_values=variables)
    fast = await _schema(fast=True).execute(query, variable_values=variables)
    assert fast.data == standard.data
    assert [(e.message, e.path, e.locations) for e in fast.errors or []] == [
        (e.message, e.path, e.locations) for e in standard.errors or []
    ]


async def test_plain_objects_take_the_fast_path():
    CountingExecutionContext.fast_objects = 0
    result = await _schema(fast=True).execute(QUERIES["good only"])
    assert result.errors is None
    # the product, its two categories and its three variants complete in one loop each
    assert CountingExecutionContext.fast_objects == 6
