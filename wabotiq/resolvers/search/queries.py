"""The search query: understand, retrieve (hybrid), then load what the hits name in batches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, cast

import strawberry

from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import query_uuid
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import page_size
from wabotiq.resolvers.search.inputs import SearchFilterInput, SearchRetriever
from wabotiq.resolvers.search.types import (
    PassageSearchHit,
    ProductSearchHit,
    SearchHit,
    SearchResults,
    ServiceSearchHit,
    UnderstoodQuery,
)
from wabotiq.search import types as found
from wabotiq.search.runtime import get_engine

VIEW = scopes(["catalog:view"])

QueryArg = Annotated[
    str, strawberry.argument(description="What to look for, as a customer would write it.")
]
ContextArg = Annotated[
    list[str] | None,
    strawberry.argument(
        description="The customer's earlier messages, oldest first: a budget or product named"
        " there carries over."
    ),
]
FilterArg = Annotated[
    SearchFilterInput | None,
    strawberry.argument(description="Only hits matching this; it wins over the query's reading."),
]
FirstArg = Annotated[
    int, strawberry.argument(description="How many hits to return (at most the page size limit).")
]


def _filter(given: SearchFilterInput | None) -> found.SearchFilter | None:
    if given is None:
        return None
    return found.SearchFilter(
        kinds=frozenset(cast(found.Kind, kind.value) for kind in given.kinds)
        if given.kinds
        else None,
        price_min=given.price_min,
        price_max=given.price_max,
        in_stock=given.in_stock,
        category_ids=(
            (str(query_uuid(given.category_id, "Category")),) if given.category_id else None
        ),
    )


def _scored(hit: found.SearchHit) -> dict[str, Any]:
    return {
        "score": hit.score,
        "retrievers": [SearchRetriever(name) for name in hit.retrievers],
    }


async def _product_hit(info: Info, hit: found.SearchHit) -> SearchHit | None:
    product = await info.context.loaders.catalog.product(uuid.UUID(hit.entity_id))
    if product is None or product.archived_at is not None or not product.active:
        return None
    return ProductSearchHit(**_scored(hit), product=product)


async def _service_hit(info: Info, hit: found.SearchHit) -> SearchHit | None:
    service = await info.context.loaders.bookings.service(uuid.UUID(hit.entity_id))
    if service is None or service.archived or not service.active:
        return None
    return ServiceSearchHit(**_scored(hit), service=service)


async def _passage_hit(info: Info, hit: found.SearchHit) -> SearchHit | None:
    documents, document_id = info.context.loaders.documents, uuid.UUID(hit.entity_id)
    document, passage = await asyncio.gather(
        documents.document(document_id), documents.passage((document_id, hit.chunk))
    )
    if document is None or passage is None:
        return None
    return PassageSearchHit(
        **_scored(hit),
        document=document,
        text=passage.text,
        location=passage.location,
        chunk=passage.index,
    )


HIT_LOADERS = {"product": _product_hit, "service": _service_hit, "passage": _passage_hit}


async def _hits(info: Info, hits: Sequence[found.SearchHit]) -> list[SearchHit]:
    """What the hits name, through the request's loaders (batched across all hits); a hit
    whose object left the catalog since it was indexed is dropped."""
    loaded = await asyncio.gather(*(HIT_LOADERS[hit.kind](info, hit) for hit in hits))
    return [hit for hit in loaded if hit is not None]


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Hybrid search (full text, typo-tolerant and semantic) over the tenant's"
        " products, services and document passages; the query's budget and stock become"
        " filters, and its category, brand, model or size, a service wanted and nearness to"
        " the budget order the hits.",
        directives=VIEW,
    )
    async def search(
        self,
        info: Info,
        query: QueryArg,
        context: ContextArg = None,
        filter: FilterArg = None,
        first: FirstArg = 10,
    ) -> SearchResults:
        if not query.strip():
            raise coded_error("`query` must hold some text.", "BAD_USER_INPUT")
        results = await get_engine().search(
            info.context.tenant_id,
            query,
            context=context or (),
            filter=_filter(filter),
            first=page_size(info, first),
        )
        return SearchResults(
            hits=await _hits(info, results.hits),
            no_match=results.no_match,
            understood=UnderstoodQuery.from_model(results.understood),
        )
