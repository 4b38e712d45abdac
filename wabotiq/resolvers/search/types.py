"""GraphQL types of search: hits name the product, service or document passage they found,
loaded through the request's DataLoaders, with the fused score and the retrievers behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.resolvers.search.inputs import SearchRetriever
from wabotiq.search.understanding import UnderstoodQuery as Understood

if TYPE_CHECKING:
    from wabotiq.resolvers.bookings.types import Service
    from wabotiq.resolvers.catalog.types import Product
    from wabotiq.resolvers.documents.types import Document

ProductRef = Annotated["Product", strawberry.lazy("wabotiq.resolvers.catalog.types")]
ServiceRef = Annotated["Service", strawberry.lazy("wabotiq.resolvers.bookings.types")]
DocumentRef = Annotated["Document", strawberry.lazy("wabotiq.resolvers.documents.types")]


@strawberry.interface(description="Something a search found.")
class SearchHit:
    score: float = strawberry.field(
        description="Reciprocal rank fusion score: higher is better; compare within one search."
    )
    retrievers: list[SearchRetriever] = strawberry.field(
        description="The retrievers that found it, the one that ranked it highest first."
    )


@strawberry.type(description="A product a search found.")
class ProductSearchHit(SearchHit):
    product: ProductRef = strawberry.field(description="The product.")


@strawberry.type(description="A bookable service a search found.")
class ServiceSearchHit(SearchHit):
    service: ServiceRef = strawberry.field(description="The service.")


@strawberry.type(description="A passage of an uploaded document a search found.")
class PassageSearchHit(SearchHit):
    document: DocumentRef = strawberry.field(description="The document it comes from.")
    text: str = strawberry.field(description="The passage itself.")
    location: str = strawberry.field(
        description="Where in the document: 'page 3' for a PDF, a heading, or empty."
    )
    chunk: int = strawberry.field(description="Its position among the document's passages.")


HIT_TYPES = (ProductSearchHit, ServiceSearchHit, PassageSearchHit)


@strawberry.type(description="How the query was read before searching.")
class UnderstoodQuery:
    text: str = strawberry.field(
        description="The words searched for, in catalog vocabulary (Swahili and Sheng translated)."
    )
    terms: list[str] = strawberry.field(description="The same words, one by one.")
    price_min: Decimal | None = strawberry.field(
        description="The lowest price read from the query, e.g. 'over 10k'."
    )
    price_max: Decimal | None = strawberry.field(
        description="The highest price read from the query, e.g. 'chini ya 40k', '15 thao'."
    )
    in_stock: bool | None = strawberry.field(
        description="True when the query asks for what is in stock."
    )
    category: str | None = strawberry.field(
        description="The category slug the query points at, when it clearly points at one."
    )
    cheap: bool = strawberry.field(
        description="Whether it asks for low prices without naming one; cheapest hits come first."
    )

    @classmethod
    def from_model(cls, understood: Understood) -> UnderstoodQuery:
        return cls(
            text=understood.text,
            terms=list(understood.terms),
            price_min=understood.price_min,
            price_max=understood.price_max,
            in_stock=understood.in_stock,
            category=understood.category,
            cheap=understood.cheap,
        )


@strawberry.type(description="The best hits of a search and how its query was read.")
class SearchResults:
    hits: list[SearchHit] = strawberry.field(description="The hits, best first.")
    no_match: bool = strawberry.field(
        description="True when nothing in the shop shares a word with the query: `hits` is then"
        " empty rather than unrelated neighbours."
    )
    understood: UnderstoodQuery = strawberry.field(description="How the query was read.")
