"""What goes into a search index and what comes out: plain values shared by every backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Kind = Literal["product", "service", "passage"]
KINDS: tuple[Kind, ...] = ("product", "service", "passage")
# Retriever names, as reported with each hit.
FULLTEXT = "fulltext"
TRIGRAM = "trigram"
VECTOR = "vector"
RRF_K = 60
# How many candidates each retriever contributes before fusion.
CANDIDATES = 50


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form of a vector."""
    return "[" + ",".join(f"{value:.7g}" for value in vector) + "]"


def entry_id(kind: Kind, entity_id: str, chunk: int = 0) -> str:
    """The index id of one searchable entry: a product, a service, or one chunk of a document."""
    return f"{kind}:{entity_id}:{chunk}"


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """One searchable entry of a tenant, with its passage embedding."""

    kind: Kind
    entity_id: str
    title: str
    body: str
    embedding: Sequence[float]
    chunk: int = 0
    code: str = ""  # SKU or service code; searched too
    category_ids: tuple[str, ...] = ()  # its category and all ancestors
    price: Decimal | None = None  # lowest effective price over the product and its variants
    in_stock: bool = True
    source: str = ""  # document name, for passages

    @property
    def id(self) -> str:
        return entry_id(self.kind, self.entity_id, self.chunk)


@dataclass(frozen=True, slots=True)
class SearchFilter:
    kinds: frozenset[Kind] | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    category_ids: tuple[str, ...] | None = None  # any of these (ancestors are indexed)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A query after understanding: lexical text, its embedding, filters and k."""

    text: str
    vector: Sequence[float] | None
    filter: SearchFilter = field(default_factory=SearchFilter)
    k: int = 10


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: Kind
    entity_id: str
    chunk: int
    score: float
    retrievers: tuple[str, ...]  # which retrievers found it, best rank first
    title: str
    code: str
    source: str
    body: str
    price: Decimal | None = None
    category_ids: tuple[str, ...] = ()  # as indexed: its category and all ancestors

    @property
    def id(self) -> str:
        return entry_id(self.kind, self.entity_id, self.chunk)


def rrf(
    rankings: dict[str, Sequence[str]], k: int, *, rrf_k: int = RRF_K
) -> list[tuple[str, float, tuple[str, ...]]]:
    """Reciprocal rank fusion: (id, score, retrievers) best first; ties broken by id."""
    scores: dict[str, float] = {}
    found: dict[str, list[tuple[int, str]]] = {}
    for retriever, ids in rankings.items():
        for rank, doc_id in enumerate(ids, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (rrf_k + rank)
            found.setdefault(doc_id, []).append((rank, retriever))
    ordered = sorted(scores, key=lambda doc_id: (-scores[doc_id], doc_id))[:k]
    return [
        (doc_id, scores[doc_id], tuple(name for _, name in sorted(found[doc_id])))
        for doc_id in ordered
    ]
