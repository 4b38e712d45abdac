"""GraphQL inputs and enums of search."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry


@strawberry.enum(description="What a search hit is.")
class SearchKind(Enum):
    PRODUCT = strawberry.enum_value("product", description="A product of the catalog.")
    SERVICE = strawberry.enum_value("service", description="A bookable service.")
    PASSAGE = strawberry.enum_value("passage", description="A passage of an uploaded document.")


@strawberry.enum(description="A way of matching that found a hit; hybrid search fuses them.")
class SearchRetriever(Enum):
    FULLTEXT = strawberry.enum_value("fulltext", description="Full-text match on words.")
    TRIGRAM = strawberry.enum_value(
        "trigram", description="Similar spelling, which forgives typos ('samsng')."
    )
    VECTOR = strawberry.enum_value(
        "vector", description="Similar meaning, by multilingual embeddings."
    )


@strawberry.input(description="Which hits to keep; prices and stock concern products and services.")
class SearchFilterInput:
    kinds: list[SearchKind] | None = strawberry.field(
        default=None, description="Only hits of these kinds; all kinds when omitted or empty."
    )
    price_min: Decimal | None = strawberry.field(
        default=None,
        description="Lowest price, inclusive; overrides a budget read from the query.",
    )
    price_max: Decimal | None = strawberry.field(
        default=None,
        description="Highest price, inclusive; overrides a budget read from the query.",
    )
    in_stock: bool | None = strawberry.field(
        default=None, description="Only products with (true) or without (false) stock."
    )
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only products in this category or the categories below it."
    )
