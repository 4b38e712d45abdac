"""SearchBackend on the tenant's own schema: isolation comes from routing, not from filters."""

from __future__ import annotations

from collections.abc import Sequence

from wabotiq.db.connection import tenant_connection
from wabotiq.search.postgres.queries import hybrid_search
from wabotiq.search.types import Kind, SearchEntry, SearchHit, SearchRequest, vector_literal

_UPSERT = """
INSERT INTO search_entries AS e
    (id, kind, entity_id, chunk, title, body, code, source, category_ids, price, in_stock,
     embedding)
SELECT id, kind, entity_id, chunk, title, body, code, source, category_ids::uuid[], price,
       in_stock, embedding::extensions.vector
FROM unnest($1::text[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::text[], $10::numeric[], $11::bool[], $12::text[])
    AS u (id, kind, entity_id, chunk, title, body, code, source, category_ids, price, in_stock,
          embedding)
ON CONFLICT (id) DO UPDATE SET
    title = excluded.title, body = excluded.body, code = excluded.code,
    source = excluded.source, category_ids = excluded.category_ids, price = excluded.price,
    in_stock = excluded.in_stock, embedding = excluded.embedding, updated_at = now()
"""

_WORDS = """
INSERT INTO search_words (word)
SELECT DISTINCT lexeme FROM unnest($1::text[]) AS t (text),
    unnest(tsvector_to_array(to_tsvector('simple', public.search_fold(t.text)))) AS lexeme
WHERE length(lexeme) >= 4 AND lexeme !~ '^[0-9]+$'
ORDER BY lexeme
ON CONFLICT DO NOTHING
"""


class PostgresBackend:
    name = "postgres"

    async def prepare(self, tenant_id: str, *, dim: int) -> None:
        async with tenant_connection(tenant_id) as connection, connection.transaction():
            current = await connection.fetchval(
                "SELECT atttypmod FROM pg_attribute"
                " WHERE attrelid = 'search_entries'::regclass AND attname = 'embedding'"
            )
            if current == dim:
                return
            await connection.execute(
                f"""TRUNCATE search_entries;
                DROP INDEX search_entries_embedding;
                ALTER TABLE search_entries ALTER COLUMN embedding TYPE extensions.vector({dim});
                CREATE INDEX search_entries_embedding ON search_entries
                    USING hnsw (embedding extensions.vector_cosine_ops)"""
            )

    async def index(self, tenant_id: str, entries: Sequence[SearchEntry]) -> None:
        if not entries:
            return
        columns: list[list[object]] = [[] for _ in range(12)]
        for entry in entries:
            row = (
                entry.id, entry.kind, entry.entity_id, entry.chunk, entry.title, entry.body,
                entry.code, entry.source, "{" + ",".join(entry.category_ids) + "}",
                entry.price, entry.in_stock, vector_literal(entry.embedding),
            )  # fmt: skip
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        async with tenant_connection(tenant_id) as connection, connection.transaction():
            await connection.execute(_UPSERT, *columns)
            await connection.execute(_WORDS, [f"{e.title} {e.code} {e.body}" for e in entries])

    async def delete(self, tenant_id: str, kind: Kind, entity_ids: Sequence[str]) -> None:
        async with tenant_connection(tenant_id) as connection:
            await connection.execute(
                "DELETE FROM search_entries WHERE kind = $1 AND entity_id = ANY($2::uuid[])",
                kind,
                list(entity_ids),
            )

    async def clear(self, tenant_id: str) -> None:
        async with tenant_connection(tenant_id) as connection:
            await connection.execute("DELETE FROM search_entries")

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        sql, args = hybrid_search(request)
        # The trigram threshold and HNSW iterative scans are session settings of every
        # pooled connection (wabotiq.db.connection.SESSION_SETTINGS).
        async with tenant_connection(tenant_id) as connection:
            rows = await connection.fetch(sql, *args)
        return [
            SearchHit(
                kind=row["kind"],
                entity_id=str(row["entity_id"]),
                chunk=row["chunk"],
                score=float(row["score"]),
                retrievers=tuple(dict.fromkeys(row["retrievers"])),
                title=row["title"],
                code=row["code"],
                source=row["source"],
                body=row["body"],
                price=row["price"],
                category_ids=tuple(row["category_ids"] or ()),
            )
            for row in rows
        ]

    async def close(self) -> None:
        return None
