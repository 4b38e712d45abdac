"""Apply pending migrations to one schema inside the caller's transaction."""

from __future__ import annotations

import asyncpg

from wabotiq.db.connection import get_pool
from wabotiq.db.migrations import PACKAGE, Migration, load

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def applied_version(connection: asyncpg.Connection, schema: str) -> int:
    """The highest version recorded in `schema`, or 0 when it has none yet."""
    exists = await connection.fetchval(
        "SELECT to_regclass($1) IS NOT NULL", f"{schema}.schema_migrations"
    )
    if not exists:
        return 0
    return await connection.fetchval(
        f"SELECT coalesce(max(version), 0) FROM {schema}.schema_migrations"
    )


async def apply_pending(
    connection: asyncpg.Connection, *, schema: str, scope: str, root: str = PACKAGE
) -> list[Migration]:
    """Run every migration of `scope` above the schema's version; the caller holds a transaction.

    The transaction takes an advisory lock per schema, so two runs never migrate one schema at once.
    """
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
    await connection.execute(f"SET LOCAL search_path TO {schema}, extensions")
    current = await applied_version(connection, schema)
    pending = [m for m in load(scope, root) if m.version > current]
    if not pending:
        return []
    # One round trip for the whole chain (a new tenant runs all of them).
    await connection.execute(
        ";\n".join([VERSION_TABLE.format(schema=schema), *(m.sql for m in pending)])
    )
    await connection.executemany(
        f"INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)",
        [(m.version, m.name) for m in pending],
    )
    return pending


async def migrate_public(*, root: str = PACKAGE) -> int:
    """Bring `public` to the latest version; returns how many migrations ran."""
    async with get_pool().acquire() as connection, connection.transaction():
        return len(await apply_pending(connection, schema="public", scope="public", root=root))
