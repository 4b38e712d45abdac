"""The index follows the catalog through the outbox: the dispatcher kicks an indexing task per
batch of product and service events; the task re-reads current state, so replays converge."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from decimal import Decimal

import httpx
import pytest

from tests.conftest import MakeTenant
from tests.factories.bookings import make_service
from tests.factories.catalog import (
    PRODUCT_ARCHIVE,
    PRODUCT_UPDATE,
    STOCK_ADJUST,
    create_product,
    kes,
    mutate_ok,
)
from tests.support.polling import eventually
from wabotiq.core.ids import from_global_id
from wabotiq.db.connection import get_pool
from wabotiq.search.embedder import Embedder
from wabotiq.search.engine import IndexState, SearchEngine
from wabotiq.search.runtime import get_engine
from wabotiq.search.types import SearchFilter, SearchHit


async def hits(tenant_id: str, query: str, **filter: object) -> list[SearchHit]:
    results = await get_engine().search(tenant_id, query, filter=SearchFilter(**filter))  # type: ignore[arg-type]
    return results.hits


async def test_products_are_indexed_updated_and_removed_by_outbox_events(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(
        client, headers, "IDX-A54", name="Samsung Galaxy A54", price=kes("45000"), stock=2,
        description="Android smartphone, 128GB", tags=["samsung", "phone"],
    )  # fmt: skip
    raw_id = from_global_id(product["id"], "Product")

    async def found(query: str, **filter: object) -> bool:
        return any(hit.entity_id == raw_id for hit in await hits(tenant.id, query, **filter))

    await eventually(lambda: found("samsung galaxy"))
    first = (await hits(tenant.id, "samsung galaxy"))[0]
    assert (first.kind, first.code, first.price) == ("product", "IDX-A54", Decimal("45000.00"))

    # A rename reaches the index; so does a price change (filters use the new price).
    await mutate_ok(
        client, headers, PRODUCT_UPDATE,
        {"input": {"id": product["id"], "name": "Samsung Galaxy A55", "price": kes("52000")}},
    )  # fmt: skip
    await eventually(lambda: found("a55", price_min=Decimal("50000")))

    # Selling out: the stock event takes it out of in-stock results, not out of the index.
    await mutate_ok(
        client, headers, STOCK_ADJUST,
        {"input": {"productId": product["id"], "delta": -2, "reason": "LOSS"}},
    )  # fmt: skip

    async def sold_out() -> bool:
        return not await found("samsung", in_stock=True) and await found("samsung")

    await eventually(sold_out)

    # Archived: gone after the event's dispatch and its task.
    await mutate_ok(client, headers, PRODUCT_ARCHIVE, {"id": product["id"]})

    async def gone() -> bool:
        return not await found("samsung galaxy")

    await eventually(gone)


async def test_reindexing_twice_or_replaying_an_event_changes_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    for n in range(3):
        await create_product(client, headers, f"RE-{n}", name=f"Oraimo earbuds {n}")
    engine = get_engine()

    async def entries() -> list[tuple[str, str]]:
        async with get_pool().acquire() as connection:
            rows = await connection.fetch(
                f"SELECT id, title FROM t_{tenant.id}.search_entries ORDER BY id"
            )
        return [(row["id"], row["title"]) for row in rows]

    async def three() -> bool:
        return len(await entries()) == 3

    await eventually(three)
    before = await entries()
    assert await engine.reindex(tenant.id) == 3
    assert await entries() == before
    ids = [uuid.UUID(entry.split(":")[1]) for entry, _ in before]
    assert await engine.index(tenant.id, "product", ids) == 3
    assert await entries() == before


class CountingEmbedder:
    """The process's embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: Embedder, *, dim: int | None = None, model: str | None = None):
        self.inner = inner
        self.dim = dim or inner.dim
        self.model = model or inner.model
        self.passages: list[str] = []

    def _cut(self, vectors: list[list[float]]) -> list[list[float]]:
        out = []
        for vector in vectors:
            head = vector[: self.dim]
            norm = math.sqrt(sum(x * x for x in head))
            out.append([x / norm for x in head])
        return out

    async def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return self._cut(await self.inner.embed_queries(texts))

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.passages.extend(texts)
        return self._cut(await self.inner.embed_passages(texts))


async def test_embeddings_are_cached_by_content(make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    embedder = CountingEmbedder(get_engine().embedder)
    engine = SearchEngine(get_engine().backend, embedder)
    texts = ["Hotpoint fridge 138 litres", "Oraimo power bank 20000mAh"]
    first = await engine.embed_passages(tenant.id, texts)
    async with get_pool().acquire() as connection:
        cached = await connection.fetchval(f"SELECT count(*) FROM t_{tenant.id}.embedding_cache")
    assert cached == 2
    again = await engine.embed_passages(tenant.id, [texts[1], texts[0], texts[1], "Nokia 105"])
    for got, want in zip(again[:3], [first[1], first[0], first[1]], strict=True):
        assert got == pytest.approx(want, abs=1e-6)  # stored as float4
    assert embedder.passages == [*texts, "Nokia 105"]  # only new text reached the model
    async with get_pool().acquire() as connection:
        assert await connection.fetchval(f"SELECT count(*) FROM t_{tenant.id}.embedding_cache") == 3


async def test_a_new_embedding_model_or_dimension_rebuilds_the_tenant_index(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    product = await create_product(client, headers, "DIM-1", name="Hisense TV 43 inch")
    await create_product(client, headers, "DIM-2", name="Ramtons fridge")
    default = get_engine()

    async def settled() -> bool:  # both creations dispatched and indexed by the app's worker
        async with get_pool().acquire() as connection:
            return await connection.fetchval(
                f"SELECT (SELECT count(*) FROM t_{tenant.id}.search_entries) = 2"
                f" AND NOT EXISTS (SELECT FROM t_{tenant.id}.outbox WHERE dispatched_at IS NULL)"
                f" AND EXISTS (SELECT FROM t_{tenant.id}.search_state)"
            )

    await eventually(settled)
    assert await default.state(tenant.id) == default.wanted_state

    smaller = CountingEmbedder(default.embedder, dim=64, model="test/e5-first-64")
    engine = SearchEngine(default.backend, smaller)
    raw_id = uuid.UUID(from_global_id(product["id"], "Product"))
    # An ordinary event for one product finds the tenant on another model: everything is rebuilt.
    assert await engine.index(tenant.id, "product", [raw_id]) == 2
    assert await engine.state(tenant.id) == IndexState("postgres", "test/e5-first-64", 64)
    async with get_pool().acquire() as connection:
        dims = await connection.fetch(
            "SELECT DISTINCT extensions.vector_dims(embedding) AS d"
            f" FROM t_{tenant.id}.search_entries"
        )
    assert [row["d"] for row in dims] == [64]
    found = await engine.search(tenant.id, "television 43")
    assert found.hits and found.hits[0].code == "DIM-1"
    # A process still on the other model does not compare vectors of two models: until the
    # rebuild it answers from the lexical retrievers alone.
    stale = await default.search(tenant.id, "hisense")
    assert [hit.code for hit in stale.hits] == ["DIM-1"]
    assert "vector" not in stale.hits[0].retrievers
    # Back on the default model, the next event rebuilds again.
    assert await default.index(tenant.id, "product", [raw_id]) == 2
    assert await default.state(tenant.id) == default.wanted_state


SERVICE_UPDATE = """
mutation($input: ServiceUpdateInput!) {
  serviceUpdate(input: $input) { service { id tags } userErrors { code } }
}
"""
SERVICE_ARCHIVE = """
mutation($id: ID!) { serviceArchive(input: {id: $id}) { service { id } userErrors { code } } }
"""


async def test_services_and_their_tags_are_indexed_from_service_events(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    service = await make_service(
        client, tenant, name="Men's cut", code="SV-CUT", tags=[" Kinyozi ", "fade", "kinyozi"]
    )
    assert service["tags"] == ["kinyozi", "fade"]  # trimmed, lowercase, once
    raw_id = from_global_id(service["id"], "Service")

    async def found(query: str) -> bool:
        hits_ = await hits(tenant.id, query, kinds=frozenset({"service"}))
        return any(hit.entity_id == raw_id for hit in hits_)

    await eventually(lambda: found("kinyozi"))
    updated = await mutate_ok(
        client, tenant.key_headers(), SERVICE_UPDATE,
        {"input": {"id": service["id"], "tags": ["barber"]}},
    )  # fmt: skip
    assert updated["service"]["tags"] == ["barber"]

    async def retagged() -> bool:
        entry = await hits(tenant.id, "barber", kinds=frozenset({"service"}))
        return bool(entry) and entry[0].entity_id == raw_id and "kinyozi" not in entry[0].body

    await eventually(retagged)
    await mutate_ok(client, tenant.key_headers(), SERVICE_ARCHIVE, {"id": service["id"]})

    async def gone() -> bool:
        return not await found("barber")

    await eventually(gone)
