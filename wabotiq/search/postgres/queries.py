"""Pure builders of the Postgres hybrid search statement: three retrievers fused by reciprocal
rank in one SQL statement, each retriever given the same filters (so none returns fewer than k
because a filter dropped its candidates after the fact)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from wabotiq.search.types import (
    CANDIDATES,
    FULLTEXT,
    RRF_K,
    TRIGRAM,
    VECTOR,
    SearchRequest,
    vector_literal,
)

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Terms shorter than this are matched exactly, longer ones also as prefixes ("laptop:*" finds
# "laptops"); typo correction only looks at terms at least this long.
PREFIX_MIN = 3
TRIGRAM_MIN = 4
# Vocabulary words tried in place of a misspelt term.
SUGGESTIONS = 3
MAX_TERMS = 16


def terms_of(text: str) -> list[str]:
    """Lowercase word tokens, deduplicated in order."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(text.lower()):
        if len(token) >= 2 or token.isdigit():
            seen.setdefault(token.replace("_", ""), None)
    return [term for term in seen if term][:MAX_TERMS]


def tsquery_text(terms: Sequence[str]) -> str:
    """An OR query for `to_tsquery('simple', …)`: ranking rewards entries matching more terms."""
    return " | ".join(f"{term}:*" if len(term) >= PREFIX_MIN else term for term in terms)


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _filters(request: SearchRequest, params: _Params) -> str:
    f = request.filter
    clauses = []
    if f.kinds is not None:
        clauses.append(f"e.kind = ANY({params.add(sorted(f.kinds))}::text[])")
    if f.price_min is not None:
        clauses.append(f"e.price >= {params.add(f.price_min)}")
    if f.price_max is not None:
        clauses.append(f"e.price <= {params.add(f.price_max)}")
    if f.in_stock is not None:
        clauses.append(f"e.in_stock = {params.add(f.in_stock)}")
    if f.category_ids is not None:
        clauses.append(f"e.category_ids && {params.add(list(f.category_ids))}::uuid[]")
    return " AND ".join(clauses) if clauses else "true"


def hybrid_search(request: SearchRequest, *, candidates: int = CANDIDATES) -> tuple[str, list[Any]]:
    """The statement and its arguments. Rows: kind, entity_id, chunk, score, retrievers, title,
    code, source, body, price, category_ids — best first (equal scores by id), at most
    `request.k`."""
    params = _Params()
    where = _filters(request, params)
    terms = terms_of(request.text)
    retrievers: list[str] = []
    ctes: list[str] = []
    if terms:
        q = params.add(tsquery_text(terms))
        ctes.append(
            f"""{FULLTEXT} AS (
    SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r FROM (
        SELECT e.id, ts_rank_cd(e.tsv, q) AS rank
        FROM search_entries e, to_tsquery('simple', public.search_fold({q})) q
        WHERE e.tsv @@ q AND {where}
        ORDER BY rank DESC, e.id LIMIT {candidates}) s)"""
        )
        retrievers.append(FULLTEXT)
    long_terms = [term for term in terms if len(term) >= TRIGRAM_MIN]
    if long_terms:
        # Typo tolerance, the pg_trgm way: a term that is no indexed word (nor a prefix of one)
        # is replaced by the tenant's words that look like it (trigram similarity over the
        # small `search_words` vocabulary, not over every entry), which are then searched as
        # words. "samsng" finds "samsung", "lenvo laptp" finds "lenovo" and "laptop".
        t = params.add(long_terms)
        ctes.append(
            f"""corrected AS MATERIALIZED (
    SELECT to_tsquery('simple', string_agg(w.word, ' | ')) AS q
    FROM unnest({t}::text[]) AS t (term)
    CROSS JOIN LATERAL (
        SELECT v.word FROM search_words v
        WHERE v.word OPERATOR(extensions.%) public.search_fold(t.term)
        ORDER BY extensions.similarity(v.word, public.search_fold(t.term)) DESC, v.word
        LIMIT {SUGGESTIONS}) w
    WHERE NOT EXISTS (  -- a word, or a prefix of one (as the full-text query matches it)
        SELECT FROM search_words x
        WHERE x.word >= public.search_fold(t.term)
          AND x.word < public.search_fold(t.term) || chr(1114111))),
{TRIGRAM} AS (
    SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r FROM (
        SELECT e.id, ts_rank_cd(e.tsv, c.q) AS rank
        FROM search_entries e, corrected c
        WHERE c.q IS NOT NULL AND e.tsv @@ c.q AND {where}
        ORDER BY rank DESC, e.id LIMIT {candidates}) s)"""
        )
        retrievers.append(TRIGRAM)
    if request.vector is not None:
        v = params.add(vector_literal(request.vector))
        ctes.append(
            f"""{VECTOR} AS (
    SELECT id, row_number() OVER (ORDER BY distance, id) AS r FROM (
        SELECT e.id, e.embedding OPERATOR(extensions.<=>) {v}::extensions.vector AS distance
        FROM search_entries e
        WHERE e.embedding IS NOT NULL AND {where}
        ORDER BY distance LIMIT {candidates}) s)"""
        )
        retrievers.append(VECTOR)
    if not retrievers:
        return "SELECT NULL WHERE false", []
    ranked = "\n    UNION ALL ".join(
        f"SELECT id, r, '{name}' AS retriever FROM {name}" for name in retrievers
    )
    k = params.add(request.k)
    sql = f"""WITH {", ".join(ctes)},
fused AS (
    SELECT id, sum(1.0::float8 / ({RRF_K} + r)) AS score,
           array_agg(retriever ORDER BY r, retriever) AS retrievers
    FROM ({ranked}) ranked GROUP BY id)
SELECT e.kind, e.entity_id, e.chunk, f.score, f.retrievers, e.title, e.code, e.source, e.body,
       e.price, e.category_ids::text[] AS category_ids
FROM fused f JOIN search_entries e ON e.id = f.id
ORDER BY f.score DESC, e.id
LIMIT {k}"""
    return sql, params.values
