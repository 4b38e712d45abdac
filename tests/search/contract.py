"""The behaviour every SearchBackend must show, as plain async checks a backend's tests run.

Each check takes a backend, an embedder (designed for `TrigramEmbedder` below, whose vectors make
"close in meaning" mean "shares letter trigrams") and optionally `new_tenant`, which returns a
fresh tenant id: random hex by default, so parallel runs against one cluster never collide.
Entity and category ids are UUIDs, which every backend accepts.

    @pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
    async def test_contract(backend, check):
        await check(backend, TrigramEmbedder())
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from decimal import Decimal

from wabotiq.search.backend import SearchBackend
from wabotiq.search.embedder import Embedder, Vector
from wabotiq.search.types import (
    FULLTEXT,
    TRIGRAM,
    VECTOR,
    Kind,
    SearchEntry,
    SearchFilter,
    SearchHit,
    SearchRequest,
)

TenantFactory = Callable[[], Awaitable[str]]
Check = Callable[..., Awaitable[None]]
_WORD = re.compile(r"\w+")


def trigram_vector(text: str, dim: int) -> Vector:
    """Signed hashed bag of letter trigrams per word (padded like pg_trgm), unit length."""
    vector = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest, "big")
            vector[bucket % dim] += 1.0 if (bucket >> 32) & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:  # no letters: any fixed unit vector (cosine rejects the zero vector)
        return [1.0] + [0.0] * (dim - 1)
    return [x / norm for x in vector]


class TrigramEmbedder:
    """A deterministic stand-in for a real model: similar spellings give close vectors."""

    model = "test-trigrams"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    async def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return [trigram_vector(text, self.dim) for text in texts]

    async def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return [trigram_vector(text, self.dim) for text in texts]


async def random_tenant() -> str:
    return secrets.token_hex(6)


def new_id() -> str:
    return str(uuid.uuid4())


def entry(
    title: str, *, kind: Kind = "product", entity_id: str | None = None, **fields: object
) -> SearchEntry:
    """An entry without its embedding yet (see `_index`)."""
    return SearchEntry(
        kind=kind,
        entity_id=entity_id or new_id(),
        title=title,
        body=str(fields.pop("body", "")),
        embedding=(),
        **fields,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def _tenant(
    backend: SearchBackend, embedder: Embedder, new_tenant: TenantFactory
) -> AsyncIterator[str]:
    tenant = await new_tenant()
    await backend.prepare(tenant, dim=embedder.dim)
    try:
        yield tenant
    finally:
        await backend.clear(tenant)


async def _index(
    backend: SearchBackend, embedder: Embedder, tenant: str, entries: Sequence[SearchEntry]
) -> None:
    vectors = await embedder.embed_passages([f"{e.title} {e.body}" for e in entries])
    await backend.index(
        tenant, [replace(e, embedding=v) for e, v in zip(entries, vectors, strict=True)]
    )


async def _search(
    backend: SearchBackend,
    embedder: Embedder,
    tenant: str,
    text: str,
    *,
    k: int = 10,
    flt: SearchFilter | None = None,
    vector: bool = True,
) -> list[SearchHit]:
    query_vector = (await embedder.embed_queries([text]))[0] if vector else None
    request = SearchRequest(text=text, vector=query_vector, filter=flt or SearchFilter(), k=k)
    hits = await backend.search(tenant, request)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True), "hits must come best first"
    assert len(hits) <= k
    return hits


def _entities(hits: Sequence[SearchHit]) -> set[str]:
    return {hit.entity_id for hit in hits}


async def check_isolation(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """Tenant B never sees tenant A's entries, even for the same entity id."""
    shared = new_id()
    async with (
        _tenant(backend, embedder, new_tenant) as a,
        _tenant(backend, embedder, new_tenant) as b,
    ):
        await _index(backend, embedder, a, [entry("Samsung Galaxy A15 phone", entity_id=shared)])
        await _index(backend, embedder, b, [entry("Tecno Spark 20 phone", entity_id=shared)])
        seen_by_b = await _search(backend, embedder, b, "Samsung Galaxy")
        assert [hit.title for hit in seen_by_b] == ["Tecno Spark 20 phone"]
        assert [hit.title for hit in await _search(backend, embedder, a, "phone")] == [
            "Samsung Galaxy A15 phone"
        ]
        await backend.delete(b, "product", [shared])
        await backend.clear(b)
        assert await _search(backend, embedder, b, "phone") == []
        assert _entities(await _search(backend, embedder, a, "Samsung")) == {shared}


async def check_index_replaces_by_id(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    item = new_id()
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, [entry("Portable radio", entity_id=item)])
        await _index(backend, embedder, tenant, [entry("Smart television", entity_id=item)])
        hits = await _search(backend, embedder, tenant, "television")
        assert [(hit.entity_id, hit.title) for hit in hits] == [(item, "Smart television")]
        assert await _search(backend, embedder, tenant, "radio", vector=False) == []


async def check_delete_removes_every_chunk(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """Deleting an entity removes all its chunks, and only entries of that kind."""
    doc = new_id()
    chunks = [
        entry("Warranty policy", kind="passage", entity_id=doc, chunk=n, source="policy.pdf",
              body=f"Returns are accepted within {n + 7} days")
        for n in range(3)
    ]  # fmt: skip
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, [*chunks, entry("Warranty card", entity_id=doc)])
        before = await _search(backend, embedder, tenant, "warranty returns")
        assert {(hit.kind, hit.chunk) for hit in before} == {
            ("passage", 0), ("passage", 1), ("passage", 2), ("product", 0)
        }  # fmt: skip
        await backend.delete(tenant, "passage", [doc])
        after = await _search(backend, embedder, tenant, "warranty returns")
        assert [(hit.kind, hit.entity_id) for hit in after] == [("product", doc)]


async def check_clear(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, [entry("Gas cylinder 13kg"), entry("Gas cooker")])
        assert len(await _search(backend, embedder, tenant, "gas")) == 2
        await backend.clear(tenant)
        assert await _search(backend, embedder, tenant, "gas") == []


async def check_filters(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """Price range, stock, kinds and categories (any of, ancestors indexed); no price, no match."""
    phones, electronics, repairs = new_id(), new_id(), new_id()
    products = (phones, electronics)
    cheap = entry("Budget phone", price=Decimal("8000"), category_ids=products)
    mid = entry("Midrange phone", price=Decimal("25000"), in_stock=False, category_ids=products)
    top = entry("Flagship phone", price=Decimal("120000"), category_ids=products)
    repair = entry("Phone screen repair", kind="service", price=Decimal("3000"),
                   category_ids=(repairs,))  # fmt: skip
    policy = entry("Phone warranty policy", kind="passage", source="policy.md")
    everything = [cheap, mid, top, repair, policy]
    cases: list[tuple[SearchFilter, list[SearchEntry]]] = [
        (SearchFilter(), everything),
        (SearchFilter(price_max=Decimal("30000")), [cheap, mid, repair]),
        (SearchFilter(price_min=Decimal("20000")), [mid, top]),
        (SearchFilter(price_min=Decimal("5000"), price_max=Decimal("30000")), [cheap, mid]),
        (SearchFilter(in_stock=True), [cheap, top, repair, policy]),
        (SearchFilter(in_stock=False), [mid]),
        (SearchFilter(kinds=frozenset({"service", "passage"})), [repair, policy]),
        (SearchFilter(category_ids=(electronics,)), [cheap, mid, top]),
        (SearchFilter(category_ids=(repairs, phones)), [cheap, mid, top, repair]),
        (
            SearchFilter(kinds=frozenset({"product"}), in_stock=True, price_max=Decimal("50000")),
            [cheap],
        ),
    ]
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, everything)
        for flt, expected in cases:
            hits = await _search(backend, embedder, tenant, "phone", flt=flt)
            assert _entities(hits) == {e.entity_id for e in expected}, flt


async def check_typo_tolerance(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    samsung = entry("Samsung Galaxy A15 phone")
    async with _tenant(backend, embedder, new_tenant) as tenant:
        others = [entry("Tecno Spark 20 phone"), entry("Cotton t-shirt")]
        await _index(backend, embedder, tenant, [samsung, *others])
        for vector in (True, False):
            hits = await _search(backend, embedder, tenant, "samsng", vector=vector)
            assert hits and hits[0].entity_id == samsung.entity_id, vector


async def check_k_limit(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, [entry(f"Phone model {n}") for n in range(6)])
        for k in (1, 3, 6):
            assert len(await _search(backend, embedder, tenant, "phone model", k=k)) == k


async def check_hits_report_retrievers(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """A hit carries its fields and the retrievers that found it; no vector, no vector retriever."""
    samsung = entry(
        "Samsung Galaxy A15",
        code="SM-A155",
        body="6.5-inch screen, 128GB",
        price=Decimal("21999.50"),
    )
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, [samsung, entry("Cotton t-shirt")])
        top = (await _search(backend, embedder, tenant, "Samsung Galaxy A15"))[0]
        assert (top.kind, top.entity_id, top.chunk) == ("product", samsung.entity_id, 0)
        assert (top.title, top.code, top.body, top.source) == (
            "Samsung Galaxy A15", "SM-A155", "6.5-inch screen, 128GB", ""
        )  # fmt: skip
        assert top.price == Decimal("21999.50")
        assert {FULLTEXT, VECTOR} <= set(top.retrievers) <= {FULLTEXT, TRIGRAM, VECTOR}
        lexical = await _search(backend, embedder, tenant, "Samsung Galaxy", vector=False)
        assert [hit.entity_id for hit in lexical] == [samsung.entity_id]
        assert VECTOR not in lexical[0].retrievers and lexical[0].retrievers


async def check_hits_carry_categories_and_ties_go_by_id(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """Entries alike in every searched word and vector come back in entry id order, whatever
    order they were indexed in, every time; each hit carries its indexed categories."""
    fashion, bags = new_id(), new_id()
    twins = [
        entry("Kitenge tote bag", body="Handmade", category_ids=(bags, fashion)) for _ in range(4)
    ]
    async with _tenant(backend, embedder, new_tenant) as tenant:
        await _index(backend, embedder, tenant, twins)
        first = await _search(backend, embedder, tenant, "kitenge tote bag")
        again = await _search(backend, embedder, tenant, "kitenge tote bag")
        ids = [hit.id for hit in first]
        assert ids == sorted(twin.id for twin in twins)
        assert [hit.id for hit in again] == ids
        assert all(set(hit.category_ids) == {bags, fashion} for hit in first)
        lexical = await _search(backend, embedder, tenant, "kitenge", vector=False)
        assert [hit.id for hit in lexical] == ids


async def check_vector_only_match(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """A query sharing no word with an entry still finds it when their vectors are close."""
    torch = entry("Solar powered flashlight")
    async with _tenant(backend, embedder, new_tenant) as tenant:
        others = [entry("Cotton t-shirt"), entry("Samsung Galaxy A15 phone")]
        await _index(backend, embedder, tenant, [torch, *others])
        hits = await _search(backend, embedder, tenant, "flashlightsolarpowered")
        assert hits[0].entity_id == torch.entity_id
        assert VECTOR in hits[0].retrievers


async def check_prepare_new_dimension_empties_tenant(
    backend: SearchBackend, embedder: Embedder, *, new_tenant: TenantFactory = random_tenant
) -> None:
    """Preparing a tenant for another dimension drops its entries, and only its own."""
    async with (
        _tenant(backend, embedder, new_tenant) as moved,
        _tenant(backend, embedder, new_tenant) as stayed,
    ):
        for tenant in (moved, stayed):
            await _index(backend, embedder, tenant, [entry("Samsung Galaxy A15 phone")])
        await backend.prepare(moved, dim=embedder.dim // 2)
        assert await _search(backend, embedder, moved, "Samsung", vector=False) == []
        assert len(await _search(backend, embedder, stayed, "Samsung")) == 1
        await backend.prepare(moved, dim=embedder.dim)


CHECKS: tuple[Check, ...] = (
    check_isolation,
    check_index_replaces_by_id,
    check_delete_removes_every_chunk,
    check_clear,
    check_filters,
    check_typo_tolerance,
    check_k_limit,
    check_hits_report_retrievers,
    check_hits_carry_categories_and_ties_go_by_id,
    check_vector_only_match,
    check_prepare_new_dimension_empties_tenant,
)
