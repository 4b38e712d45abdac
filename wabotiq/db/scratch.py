"""Throwaway databases for tests and benchmarks: embedded, or scratch on a given server."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from wabotiq.db.connection import credentials_from_url
from wabotiq.db.embedded import EmbeddedPostgres


async def _admin(url: str, sql: str) -> None:
    creds = credentials_from_url(url)
    connection = await asyncpg.connect(
        host=creds["host"],
        port=creds["port"],
        user=creds["user"],
        password=creds["password"] or None,
        database=creds["database"],
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def throwaway_database(server_url: str | None, *, prefix: str) -> Iterator[str]:
    """A database URL that lives for the block: a new embedded server when `server_url` is
    None, else a fresh database `<prefix>_<hex>` on that server, dropped afterwards.
    Call it outside a running event loop."""
    if server_url is None:
        server = EmbeddedPostgres.temporary()
        try:
            yield server.start()
        finally:
            server.stop()
            shutil.rmtree(server.pgdata.parent, ignore_errors=True)
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(server_url, f"CREATE DATABASE {name}"))
    try:
        base, _, query = server_url.partition("?")
        yield base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    finally:
        asyncio.run(_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
