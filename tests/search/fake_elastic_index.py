"""What the in-memory cluster of fake_elastic stores and how it searches: indexes with
near-real-time visibility, query clauses the backend sends (bool, term, terms, range, match,
multi_match), kNN by cosine, the `rrf` retriever. A text clause matches an entry sharing a word
with it; scores only order hits."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
_WORD = re.compile(r"\w+")
SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


class Refused(Exception):
    """An error answer: HTTP status and the `error` object."""

    def __init__(self, status: int, type_: str, reason: str, **extra: Any) -> None:
        super().__init__(reason)
        self.status = status
        self.error: Json = {"type": type_, "reason": reason, **extra}

    def body(self) -> Json:
        cause = {k: v for k, v in self.error.items() if k != "caused_by"}
        return {"error": {"root_cause": [cause], **self.error}, "status": self.status}


@dataclass
class Doc:
    source: Json
    routing: str | None
    seq_no: int
    seen: Json | None = None  # the source as of the last refresh: what searches see
    seen_seq_no: int | None = None


@dataclass
class Index:
    name: str
    settings: Json
    mappings: Json
    aliases: set[str]
    auto_created: bool = False
    docs: dict[str, Doc] = field(default_factory=dict)

    def refresh(self) -> None:
        for doc in self.docs.values():
            doc.seen, doc.seen_seq_no = doc.source, doc.seq_no

    def visible(self) -> list[tuple[str, Doc]]:
        return [(doc_id, doc) for doc_id, doc in sorted(self.docs.items()) if doc.seen is not None]


def search(indexes: list[Index], body: Json) -> Json:
    if "retriever" in body:
        ranked = _rrf(indexes, body["retriever"]["rrf"])
    elif "knn" in body:
        ranked = _knn(indexes, body["knn"])
    else:
        ranked = _query(indexes, body["query"])
    hits = [
        {"_index": index.name, "_id": doc_id, "_score": score, **extra,
         "_source": {k: v for k, v in (doc.seen or {}).items() if k in body["_source"]}}
        for score, index, doc_id, doc, extra in ranked[: body["size"]]
    ]  # fmt: skip
    max_score = hits[0]["_score"] if hits else None
    return {"took": 2, "timed_out": False, "_shards": SHARDS,
            "hits": {"max_score": max_score, "hits": hits}}  # fmt: skip


def _query(indexes: list[Index], query: Json) -> list[Any]:
    found = [
        (_text_score(doc.seen or {}, query), index, doc_id, doc, {})
        for index in indexes
        for doc_id, doc in index.visible()
        if matches(doc.seen or {}, query)
    ]
    return sorted(found, key=lambda hit: (-hit[0], hit[2]))


def _knn(indexes: list[Index], knn: Json) -> list[Any]:
    vector = knn["query_vector"]
    found = []
    for index in indexes:
        mapping = index.mappings.get("properties", {}).get(knn["field"], {})
        if len(vector) != mapping.get("dims"):
            raise _search_failure(
                f"The query vector has a different number of dimensions [{len(vector)}]"
                f" than the document vectors [{mapping.get('dims')}]."
            )
        if mapping.get("similarity") == "cosine" and not any(vector):
            raise _search_failure(
                "The [cosine] similarity does not support vectors with zero magnitude."
                f" Preview of invalid vector: {[float(x) for x in vector[:5]]}"
            )
        for doc_id, doc in index.visible():
            stored = (doc.seen or {}).get(knn["field"])
            if stored and matches(doc.seen or {}, {"bool": {"filter": knn["filter"]}}):
                found.append(((1 + _cosine(vector, stored)) / 2, index, doc_id, doc, {}))
    found.sort(key=lambda hit: (-hit[0], hit[2]))
    return found[: knn["k"]]


def _rrf(indexes: list[Index], rrf: Json) -> list[Any]:
    scores: dict[tuple[str, str], list[Any]] = {}
    for retriever in rrf["retrievers"]:
        ((kind, spec),) = retriever.items()
        if kind == "standard":
            ranked = _query(indexes, spec["query"])
        else:
            ranked = _knn(indexes, spec)
        for rank, (_, index, doc_id, doc, _extra) in enumerate(ranked, start=1):
            entry = scores.setdefault((index.name, doc_id), [0.0, index, doc_id, doc, []])
            entry[0] += 1 / (rrf["rank_constant"] + rank)
            entry[4].append(spec["_name"])
    return sorted(
        ([s, i, d, doc, {"matched_queries": names}] for s, i, d, doc, names in scores.values()),
        key=lambda hit: (-hit[0], hit[2]),
    )


def _search_failure(reason: str) -> Refused:
    return Refused(
        400,
        "search_phase_execution_exception",
        "all shards failed",
        phase="query",
        grouped=True,
        caused_by={"type": "illegal_argument_exception", "reason": reason},
    )


def _values(doc: Json, name: str) -> list[Any]:
    value = doc.get(name.split(".")[0])
    return value if isinstance(value, list) else [value]


def _words(text: Any) -> set[str]:
    return set(_WORD.findall(str(text or "").lower()))


def _text_fields(query: Json) -> list[tuple[list[str], str]]:
    """The (fields, text) of the full-text clauses inside a query."""
    if "multi_match" in query:
        spec = query["multi_match"]
        return [([f.split("^")[0] for f in spec["fields"]], spec["query"])]
    if "match" in query:
        ((name, spec),) = query["match"].items()
        return [([name], spec["query"] if isinstance(spec, dict) else spec)]
    if "bool" in query:
        clauses = query["bool"].get("should", []) + query["bool"].get("must", [])
        return [pair for clause in clauses for pair in _text_fields(clause)]
    return []


def _text_score(doc: Json, query: Json) -> float:
    return float(sum(_text_match(doc, fields, text) for fields, text in _text_fields(query)))


def _text_match(doc: Json, fields: list[str], text: str) -> bool:
    wanted = _words(text)
    for name in fields:
        present = set().union(*(_words(value) for value in _values(doc, name)))
        if name.endswith(".prefix"):
            present = {word[:n] for word in present for n in range(2, min(len(word), 15) + 1)}
        if wanted & present:
            return True
    return False


def matches(doc: Json, query: Json) -> bool:
    ((kind, spec),) = query.items()
    if kind == "bool":
        filters = spec.get("filter", [])
        filters = filters if isinstance(filters, list) else [filters]
        should = spec.get("should", [])
        needed = spec.get("minimum_should_match", 0 if filters or spec.get("must") else 1)
        return (
            all(matches(doc, clause) for clause in filters + spec.get("must", []))
            and not any(matches(doc, clause) for clause in spec.get("must_not", []))
            and sum(matches(doc, clause) for clause in should) >= (needed if should else 0)
        )
    if kind in ("multi_match", "match"):
        return any(_text_match(doc, f, t) for f, t in _text_fields(query))
    if kind == "match_all":
        return True
    ((name, wanted),) = spec.items()
    values = _values(doc, name)
    if kind == "term":
        value = wanted["value"] if isinstance(wanted, dict) else wanted
        if isinstance(wanted, dict) and wanted.get("case_insensitive"):
            return str(value).lower() in {str(v).lower() for v in values}
        return value in values
    if kind == "terms":
        return any(value in values for value in wanted)
    if kind == "range":
        numbers = [float(v) for v in values if v is not None]
        bounds = {"gte": float.__ge__, "lte": float.__le__, "gt": float.__gt__, "lt": float.__lt__}
        return any(all(bounds[op](n, float(b)) for op, b in wanted.items()) for n in numbers)
    raise AssertionError(f"query clause {kind!r} is not modelled")


def _cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))
