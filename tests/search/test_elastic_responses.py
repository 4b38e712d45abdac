"""Responses in the documented `_msearch` / `_search` JSON, turned into fused hits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from wabotiq.search.elastic.responses import (
    SearchFailedError,
    fuse_msearch,
    hits_from_rrf_search,
    missing_targets,
)
from wabotiq.search.types import FULLTEXT, RRF_K, VECTOR

TENANT = "a1b2c3d4e5f6"


def _source(entity: str, *, kind: str = "product", chunk: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "entity_id": entity,
        "chunk": chunk,
        "title": f"Title {entity}",
        "code": f"SKU-{entity}",
        "source": "",
        "body": f"Body {entity}",
        **extra,
    }


def _hit(entity: str, score: float, **extra: Any) -> dict[str, Any]:
    source = _source(entity, **extra)
    doc_id = f"{TENANT}:{source['kind']}:{entity}:{source['chunk']}"
    return {"_index": "wabotiq-search-64", "_id": doc_id, "_score": score, "_source": source}


def _result(*hits: dict[str, Any]) -> dict[str, Any]:
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"max_score": hits[0]["_score"] if hits else None, "hits": list(hits)},
        "status": 200,
    }


def test_fuses_bm25_and_knn_lists_by_reciprocal_rank():
    response = {
        "took": 5,
        "responses": [
            _result(_hit("a", 9.1), _hit("b", 4.2)),
            _result(_hit("b", 0.97), _hit("c", 0.91), _hit("a", 0.80)),
        ],
    }
    hits = fuse_msearch(response, (FULLTEXT, VECTOR), k=10)
    assert [(h.entity_id, h.retrievers) for h in hits] == [
        ("b", (VECTOR, FULLTEXT)),  # ranks 2 and 1: 1/62 + 1/61
        ("a", (FULLTEXT, VECTOR)),  # ranks 1 and 3: 1/61 + 1/63
        ("c", (VECTOR,)),
    ]
    assert hits[0].score == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert hits[2].score == pytest.approx(1 / (RRF_K + 2))


def test_fused_hits_carry_the_entry_fields():
    passage = _hit("d", 3.0, kind="passage", chunk=4, source="policy.pdf")
    priced = _hit("p", 2.0, price="21999.50")
    hit, product = fuse_msearch({"responses": [_result(passage, priced)]}, (FULLTEXT,), k=5)
    assert (hit.kind, hit.entity_id, hit.chunk, hit.source) == ("passage", "d", 4, "policy.pdf")
    assert (hit.title, hit.code, hit.body) == ("Title d", "SKU-d", "Body d")
    assert hit.price is None
    assert product.price == Decimal("21999.50")


def test_fusion_keeps_at_most_k():
    response = {
        "responses": [
            _result(*(_hit(str(n), 10.0 - n) for n in range(5))),
            _result(*(_hit(str(n), 1.0 - n / 10) for n in range(5, 9))),
        ]
    }
    hits = fuse_msearch(response, (FULLTEXT, VECTOR), k=3)
    assert [h.entity_id for h in hits] == ["0", "5", "1"]  # ties at a rank broken by id


def test_empty_results_give_no_hits():
    response = {"responses": [_result(), _result()]}
    assert fuse_msearch(response, (FULLTEXT, VECTOR), k=10) == []


def test_a_failed_search_inside_msearch_raises():
    failed = {
        "error": {
            "root_cause": [{"type": "illegal_argument_exception", "reason": "bad dims"}],
            "type": "search_phase_execution_exception",
            "reason": "all shards failed",
        },
        "status": 400,
    }
    with pytest.raises(SearchFailedError, match="400.*all shards failed"):
        fuse_msearch({"responses": [_result(_hit("a", 1.0)), failed]}, (FULLTEXT, VECTOR), 10)


def test_a_missing_result_raises():
    with pytest.raises(SearchFailedError):
        fuse_msearch({"responses": [_result()]}, (FULLTEXT, VECTOR), 10)


def test_server_side_rrf_hits_keep_order_score_and_matched_retrievers():
    both = {**_hit("a", 0.0325), "matched_queries": [VECTOR, FULLTEXT]}
    lexical = {**_hit("b", 0.0164), "matched_queries": [FULLTEXT]}
    scored = {**_hit("c", 0.0161), "matched_queries": {VECTOR: 0.93}}
    hits = hits_from_rrf_search(_result(both, lexical, scored))
    assert [(h.entity_id, h.score, h.retrievers) for h in hits] == [
        ("a", 0.0325, (FULLTEXT, VECTOR)),
        ("b", 0.0164, (FULLTEXT,)),
        ("c", 0.0161, (VECTOR,)),
    ]


def _bulk_failure(target: str, status: int, type_: str, reason: str) -> dict[str, Any]:
    return {
        "index": {
            "_index": target,
            "_id": f"{TENANT}:product:a:0",
            "status": status,
            "error": {"type": type_, "reason": reason, "index_uuid": "_na_", "index": target},
            "data": {"tenant_id": TENANT},
        }
    }


def test_missing_targets_of_a_bulk_whose_alias_is_gone():
    alias = "wabotiq-search-64-0123abcd-write"
    gone = _bulk_failure(
        alias, 404, "index_not_found_exception",
        f"no such index [{alias}] and [require_alias] request flag is [true] and [{alias}] is"
        " not an alias",
    )  # fmt: skip
    assert missing_targets([gone, gone]) == {alias}


def test_no_missing_targets_when_any_item_failed_otherwise():
    alias = "wabotiq-search-64-0123abcd-write"
    gone = _bulk_failure(alias, 404, "index_not_found_exception", f"no such index [{alias}]")
    refused = _bulk_failure(
        alias, 400, "document_parsing_exception",
        "[1:1] failed to parse: The [cosine] similarity does not support vectors with zero"
        " magnitude. Preview of invalid vector: [0.0, 0.0]",
    )  # fmt: skip
    assert missing_targets([gone, refused]) == set()
    assert missing_targets([refused]) == set()
    assert missing_targets([{"index": {"_index": alias, "status": 500, "error": "boom"}}]) == set()
