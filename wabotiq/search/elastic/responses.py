"""Search responses from Elasticsearch turned into hits: pure functions over the documented JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from wabotiq.search.types import FULLTEXT, VECTOR, Kind, SearchHit, rrf

Json = Mapping[str, Any]


class SearchFailedError(RuntimeError):
    """One search inside an `_msearch` failed; the others may have succeeded."""


def ranked_hits(result: Json) -> list[Json]:
    """The hits of one search result, best first and equal scores by id (as the Postgres
    backend orders them; Elasticsearch leaves ties in index order); a failed search raises."""
    if "error" in result:
        error = result["error"]
        reason = error.get("reason", error) if isinstance(error, Mapping) else error
        raise SearchFailedError(f"search failed with status {result.get('status')}: {reason}")
    hits = list(result["hits"]["hits"])
    return sorted(hits, key=lambda hit: (-float(hit.get("_score") or 0.0), hit["_id"]))


def to_hit(source: Json, *, score: float, retrievers: tuple[str, ...]) -> SearchHit:
    return SearchHit(
        kind=cast(Kind, source["kind"]),
        entity_id=source["entity_id"],
        chunk=int(source.get("chunk", 0)),
        score=score,
        retrievers=retrievers,
        title=source.get("title", ""),
        code=source.get("code", ""),
        source=source.get("source", ""),
        body=source.get("body", ""),
        price=None if source.get("price") is None else Decimal(str(source["price"])),
        category_ids=tuple(str(c) for c in source.get("category_ids") or ()),
    )


def fuse_msearch(response: Json, names: Sequence[str], k: int) -> list[SearchHit]:
    """Fuse the ranked lists of an `_msearch` (one per retriever, in `names` order) by RRF."""
    results = response["responses"]
    if len(results) != len(names):
        raise SearchFailedError(f"expected {len(names)} search results, got {len(results)}")
    rankings: dict[str, Sequence[str]] = {}
    sources: dict[str, Json] = {}
    for name, result in zip(names, results, strict=True):
        hits = ranked_hits(result)
        rankings[name] = [hit["_id"] for hit in hits]
        for hit in hits:
            sources.setdefault(hit["_id"], hit["_source"])
    return [
        to_hit(sources[doc_id], score=score, retrievers=found)
        for doc_id, score, found in rrf(rankings, k)
    ]


def hits_from_rrf_search(response: Json) -> list[SearchHit]:
    """Hits of a search fused by the server's `rrf` retriever.

    The server does not report ranks per retriever, only which named retrievers matched, so
    `retrievers` lists the lexical one before the vector one rather than best rank first."""
    hits = ranked_hits(response)
    return [
        to_hit(hit["_source"], score=float(hit["_score"]), retrievers=_matched(hit)) for hit in hits
    ]


def _matched(hit: Json) -> tuple[str, ...]:
    # A list of names, or a name -> score map when include_named_queries_score is set.
    matched = hit.get("matched_queries") or ()
    return tuple(name for name in (FULLTEXT, VECTOR) if name in matched)


def missing_targets(errors: Sequence[Json]) -> set[str]:
    """The targets of a failed bulk's items when every failure says its target does not exist
    (`index_not_found_exception`: with `require_alias`, the alias is gone with its index);
    empty when any item failed for another reason."""
    targets: set[str] = set()
    for failure in errors:
        for item in failure.values():
            error = item.get("error")
            if not isinstance(error, Mapping) or error.get("type") != "index_not_found_exception":
                return set()
            targets.add(item["_index"])
    return targets
