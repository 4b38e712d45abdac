"""One asyncpg pool for every tenant, routed by the tenant contextvar on each acquire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
from tortoise import Tortoise, connections

from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, current_schema, tenant_context
from wabotiq.db.registry import registered_models


def credentials_from_url(url: str) -> dict[str, Any]:
    """Split a postgresql:// URL (TCP or `?host=/socket/dir`) into Tortoise credentials."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL must be postgresql://, got {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "host": query.get("host") or parts.hostname or "127.0.0.1",
        "port": int(query.get("port") or parts.port or 5432),
        "user": unquote(parts.username or query.get("user") or "postgres"),
        "password": unquote(parts.password or query.get("password") or ""),
        "database": (parts.path or "/postgres").lstrip("/") or "postgres",
    }


class RoutedConnection(asyncpg.connection.Connection):
    """A pooled connection that remembers which schema its `search_path` points at.

    Every acquire routes it (`route_connection`), so release need not `RESET ALL`: that saves
    two round trips per acquire while consecutive acquires serve the same tenant. Release still
    rolls back any open transaction and drops listeners (asyncpg's `_reset`). Nothing else may
    change `search_path` for the session: use `SET LOCAL` inside a transaction.
    """

    routed_schema: str | None = None

    async def route_to(self, schema: str) -> None:
        if self.routed_schema != schema:
            self.routed_schema = None  # unknown until the SET succeeds
            await self.execute(f"SET search_path TO {schema}, extensions")
            self.routed_schema = schema

    def get_reset_query(self) -> str:
        return ""


async def route_connection(connection: asyncpg.Connection) -> None:
    """asyncpg `setup`: runs on every acquire in the acquiring task, so it sees its tenant.

    A missing tenant routes to the empty `no_tenant` schema, so unrouted queries fail closed.
    """
    await connection.route_to(current_schema())


# Session settings of every pooled connection, sent when it connects (no round trip per query):
# the Postgres search backend relies on them. 'samsng'/'samsung' and 'lenvo'/'lenovo' are 0.5
# and 0.44 trigram-similar, and the default threshold (0.3) suggests unrelated words; a filtered
# HNSW scan on a small tenant returns too few rows unless it keeps scanning (iterative scan).
SESSION_SETTINGS = (
    ("pg_trgm.similarity_threshold", "0.4"),
    ("hnsw.iterative_scan", "relaxed_order"),
    ("hnsw.ef_search", "100"),
)


def tortoise_config(settings: Settings, database_url: str) -> dict[str, Any]:
    credentials = credentials_from_url(database_url)
    credentials.update(
        minsize=settings.db_pool_min,
        maxsize=settings.db_pool_max,
        setup=route_connection,
        connection_class=RoutedConnection,
        server_settings=dict(SESSION_SETTINGS),
        max_queries=settings.db_max_queries,
        max_inactive_connection_lifetime=settings.db_max_inactive_lifetime_s,
    )
    return {
        "connections": {
            "default": {"engine": "tortoise.backends.asyncpg", "credentials": credentials}
        },
        "apps": {
            "public": {"models": registered_models("public"), "default_connection": "default"},
            "tenant": {"models": registered_models("tenant"), "default_connection": "default"},
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(settings: Settings, database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(settings, database_url))
    await connections.get("default").execute_query("SELECT 1")  # opens the pool now


async def close_db() -> None:
    await connections.close_all()


@asynccontextmanager
async def current_connection() -> AsyncIterator[asyncpg.Connection]:
    """The caller's transaction connection, or one from the pool routed to its tenant: for the
    domain code that speaks SQL directly beside the ORM."""
    async with connections.get("default").acquire_connection() as connection:
        yield connection


@asynccontextmanager
async def tenant_connection(tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection routed to one tenant's schema, for code handed a tenant id (tasks,
    the search engine) rather than running inside a request's tenant context."""
    with tenant_context(TenantRef.of(tenant_id)):
        async with get_pool().acquire() as connection:
            yield connection


def get_pool() -> asyncpg.Pool:
    """The shared asyncpg pool, for the few places that speak SQL directly; inside a
    transaction too (the transaction's client wraps the one that owns the pool)."""
    client = connections.get("default")
    while getattr(client, "_parent", None) is not None and getattr(client, "_pool", None) is None:
        client = client._parent
    pool = getattr(client, "_pool", None)
    if pool is None:
        raise RuntimeError("database is not initialised")
    return pool
