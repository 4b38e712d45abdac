"""Request bodies for Elasticsearch, built by pure functions so each can be checked on its own.

One shared index per vector dimension (dims are fixed in a mapping) and layout (`layout_version`)
holds every tenant's entries; `routing=<tenant>` keeps a tenant on one shard and a `tenant_id`
term inside every query keeps tenants apart. The tenant term goes inside the kNN `filter` too:
that filter is applied during the graph search, whereas a bool filter beside a kNN query runs
afterwards and can return fewer than k.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from wabotiq.search.types import (
    CANDIDATES,
    FULLTEXT,
    RRF_K,
    VECTOR,
    Kind,
    SearchEntry,
    SearchFilter,
    SearchRequest,
)

Body = dict[str, Any]

VECTOR_FIELD = "embedding"
SOURCE_FIELDS = (
    "kind", "entity_id", "chunk", "title", "code", "source", "body", "price", "category_ids",
)  # fmt: skip
# No Swahili analyzer ships with Elasticsearch: fold case and accents, nothing language-specific.
TEXT_ANALYZER = "wabotiq_text"
# The same chain plus synonyms, at search time only (synonym_graph cannot run at index time).
SEARCH_ANALYZER = "wabotiq_search"
# Edge n-grams of each word, for a customer who types the first letters of a name.
PREFIX_ANALYZER = "wabotiq_prefix"
# Everyday Swahili/Sheng words beside the catalog's English. The query understanding step does
# the heavy translation; these catch what reaches the index untranslated.
SYNONYMS: tuple[str, ...] = (
    "simu, phone, smartphone",
    "friji, fridge, refrigerator",
    "kompyuta, computer",
    "runinga, tv, television",
    "viatu, rubbers, shoes, sneakers",
    "earphones, earbuds, headphones",
    "kinyozi, haircut, barber",
)
_FOLD = ["lowercase", "asciifolding"]
MIN_GRAM, MAX_GRAM = 2, 15
# Squared magnitudes below float32's smallest normal number: Elasticsearch sums the squares in
# float32, so such a vector is (or is within rounding of) the zero vector it refuses.
_TINY = 2.0**-126


def layout_version(settings: Body, mappings: Body) -> str:
    """A short digest of what an index fixes when it is created (analysis, mappings).

    Inline synonyms and analyzers cannot change on an open index (`_reload_search_analyzers`
    reloads only updateable synonym sets and files), so a new layout gets new indexes instead:
    the digest goes into every index name and the backend's name, and the engine rebuilds each
    tenant into the new index when it sees the backend name change."""
    canonical = json.dumps([settings, mappings], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


def index_name(prefix: str, dim: int, layout: str) -> str:
    """The shared index for vectors of `dim` dimensions built with this layout."""
    return f"{prefix}-{dim}-{layout}"


def write_alias(index: str) -> str:
    """The alias every write goes through with `require_alias`: when the index is deleted the
    alias goes with it, so a write fails instead of auto-creating an index without mappings."""
    return f"{index}-write"


def layout_indexes(prefix: str, layout: str) -> str:
    """An index pattern matching this layout's indexes (any dimension): the ones written to."""
    return f"{prefix}-*-{layout}"


def stale_indexes(names: Iterable[str], prefix: str, current: str) -> list[str]:
    """Our indexes among `names` other than `current` (another dimension or layout, or named
    before layouts were): a tenant's entries there are outdated."""
    pattern = re.compile(rf"{re.escape(prefix)}-\d+(-[0-9a-f]+)?")
    return sorted(name for name in names if pattern.fullmatch(name) and name != current)


def usable_vector(vector: Sequence[float]) -> bool:
    """Whether a `cosine` dense_vector takes this vector: Elasticsearch refuses one of zero
    magnitude, at index time (the whole document) and at query time (the whole search)."""
    squares = math.fsum(float(x) * float(x) for x in vector)
    return math.isfinite(squares) and squares >= _TINY


def searchable(request: SearchRequest) -> SearchRequest:
    """The request without a vector cosine cannot compare (an all-zero embedding, e.g. of text
    with nothing to embed): its kNN leg could only fail the search, so BM25 alone answers."""
    if request.vector is not None and not usable_vector(request.vector):
        return replace(request, vector=None)
    return request


def index_settings(synonyms: Sequence[str] = SYNONYMS) -> Body:
    return {
        # The edge n-grams span MAX_GRAM - MIN_GRAM lengths. Today the limit (default 1) is
        # checked for ngram filters and tokenizers only; stating it keeps the index valid where
        # validation tightens, and costs nothing elsewhere.
        "index": {"max_ngram_diff": MAX_GRAM - MIN_GRAM},
        "analysis": {
            "filter": {
                "wabotiq_synonyms": {"type": "synonym_graph", "synonyms": list(synonyms)},
                "wabotiq_edge_ngram": {
                    "type": "edge_ngram",
                    "min_gram": MIN_GRAM,
                    "max_gram": MAX_GRAM,
                },
            },
            "analyzer": {
                TEXT_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": _FOLD},
                SEARCH_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*_FOLD, "wabotiq_synonyms"],
                },
                PREFIX_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*_FOLD, "wabotiq_edge_ngram"],
                },
            },
        },
    }


def index_mappings(dim: int) -> Body:
    searched = {"type": "text", "analyzer": TEXT_ANALYZER, "search_analyzer": SEARCH_ANALYZER}
    prefix = {"type": "text", "analyzer": PREFIX_ANALYZER, "search_analyzer": TEXT_ANALYZER}
    text = {"type": "text", "analyzer": TEXT_ANALYZER}
    return {
        "dynamic": "strict",
        "properties": {
            "tenant_id": {"type": "keyword"},
            "kind": {"type": "keyword"},
            "entity_id": {"type": "keyword"},
            "chunk": {"type": "integer"},
            "title": {**searched, "fields": {"prefix": prefix}},
            "body": searched,
            "code": {"type": "keyword", "fields": {"text": text}},
            "category_ids": {"type": "keyword"},
            "price": {"type": "scaled_float", "scaling_factor": 100},
            "in_stock": {"type": "boolean"},
            "source": {"type": "keyword"},
            VECTOR_FIELD: {
                "type": "dense_vector",
                "dims": dim,
                "index": True,
                "similarity": "cosine",
                # 9.1+ would pick bbq_hnsw for 384 dims and up; int8 keeps recall on small vectors.
                "index_options": {"type": "int8_hnsw"},
            },
        },
    }


def doc_id(tenant_id: str, entry: SearchEntry) -> str:
    return f"{tenant_id}:{entry.id}"


def document(tenant_id: str, entry: SearchEntry) -> Body:
    doc: Body = {
        "tenant_id": tenant_id,
        "kind": entry.kind,
        "entity_id": entry.entity_id,
        "chunk": entry.chunk,
        "title": entry.title,
        "body": entry.body,
        "code": entry.code,
        "category_ids": list(entry.category_ids),
        "in_stock": entry.in_stock,
        "source": entry.source,
    }
    if usable_vector(entry.embedding):
        doc[VECTOR_FIELD] = [float(x) for x in entry.embedding]
    # else: indexed without a vector rather than refused. Cosine has no direction to compare for
    # an all-zero embedding; the entry stays findable by its words and kNN simply skips it.
    if entry.price is not None:
        # A string keeps the exact amount in _source; the scaled_float field parses it.
        doc["price"] = str(entry.price)
    return doc


def bulk_action(index: str, tenant_id: str, entry: SearchEntry) -> Body:
    """One action for `helpers.async_bulk`: index (insert or replace) the entry by its id."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": doc_id(tenant_id, entry),
        "routing": tenant_id,
        "_source": document(tenant_id, entry),
    }


def tenant_filter(tenant_id: str) -> Body:
    return {"term": {"tenant_id": tenant_id}}


def filter_clauses(tenant_id: str, flt: SearchFilter) -> list[Body]:
    """The tenant term plus the request's filters; an entry without a price fails a price range."""
    clauses = [tenant_filter(tenant_id)]
    if flt.kinds is not None:
        clauses.append({"terms": {"kind": sorted(flt.kinds)}})
    price: Body = {}
    if flt.price_min is not None:
        price["gte"] = float(flt.price_min)
    if flt.price_max is not None:
        price["lte"] = float(flt.price_max)
    if price:
        clauses.append({"range": {"price": price}})
    if flt.in_stock is not None:
        clauses.append({"term": {"in_stock": flt.in_stock}})
    if flt.category_ids is not None:
        clauses.append({"terms": {"category_ids": list(flt.category_ids)}})
    return clauses


def bm25_query(tenant_id: str, text: str, flt: SearchFilter) -> Body:
    """Fuzzy words over title, code and body; word prefixes on the title; an exact code."""
    should: list[Body] = [
        {
            "multi_match": {
                "query": text,
                "fields": ["title^3", "code.text^2", "body"],
                "type": "best_fields",
                "fuzziness": "AUTO",
            }
        },
        {"match": {"title.prefix": {"query": text, "boost": 0.5}}},
    ]
    if text.strip():  # an empty term would match every entry without a code
        should.append(
            {"term": {"code": {"value": text.strip(), "case_insensitive": True, "boost": 5}}}
        )
    return {
        "bool": {
            "should": should,
            "minimum_should_match": 1,
            "filter": filter_clauses(tenant_id, flt),
            "_name": FULLTEXT,
        }
    }


def num_candidates(k: int) -> int:
    """Graph candidates per shard: a margin over k for a tenant's slice of a shared graph."""
    return min(max(4 * k, 100), 10_000)


def knn_clause(
    tenant_id: str, vector: Sequence[float], flt: SearchFilter, *, k: int = CANDIDATES
) -> Body:
    return {
        "field": VECTOR_FIELD,
        "query_vector": [float(x) for x in vector],
        "k": k,
        "num_candidates": num_candidates(k),
        "filter": filter_clauses(tenant_id, flt),
    }


def _fetch(size: int) -> Body:
    return {"size": size, "_source": list(SOURCE_FIELDS), "track_total_hits": False}


def msearch_searches(
    index: str, tenant_id: str, request: SearchRequest
) -> tuple[tuple[str, ...], list[Body]]:
    """Retriever names and the `_msearch` lines (header, body, …) of a hybrid search.

    Without a vector only the lexical search runs."""
    header = {"index": index, "routing": tenant_id, "ignore_unavailable": True}
    names = [FULLTEXT]
    lines = [
        header,
        {"query": bm25_query(tenant_id, request.text, request.filter), **_fetch(CANDIDATES)},
    ]
    if request.vector is not None:
        names.append(VECTOR)
        knn = knn_clause(tenant_id, request.vector, request.filter)
        lines += [dict(header), {"knn": knn, **_fetch(CANDIDATES)}]
    return tuple(names), lines


def rrf_search_body(tenant_id: str, request: SearchRequest) -> Body:
    """One `_search` fused by the server's `rrf` retriever (needs an Enterprise licence).

    Each retriever is named, so hits come back with `matched_queries` saying who found them."""
    if request.vector is None:
        raise ValueError("server-side fusion needs a query vector")
    standard = {"query": bm25_query(tenant_id, request.text, request.filter), "_name": FULLTEXT}
    knn = {**knn_clause(tenant_id, request.vector, request.filter), "_name": VECTOR}
    return {
        "retriever": {
            "rrf": {
                "retrievers": [{"standard": standard}, {"knn": knn}],
                "rank_constant": RRF_K,
                "rank_window_size": max(CANDIDATES, request.k),
            }
        },
        "size": request.k,
        "_source": list(SOURCE_FIELDS),
    }


def tenant_query(tenant_id: str) -> Body:
    """Every entry of the tenant, for delete-by-query."""
    return {"bool": {"filter": [tenant_filter(tenant_id)]}}


def entities_query(tenant_id: str, kind: Kind, entity_ids: Sequence[str]) -> Body:
    """Every chunk of these entities of the tenant, for delete-by-query."""
    return {
        "bool": {
            "filter": [
                tenant_filter(tenant_id),
                {"term": {"kind": kind}},
                {"terms": {"entity_id": list(entity_ids)}},
            ]
        }
    }
