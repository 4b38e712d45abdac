"""Spare tenant schemas, so a new tenant does not wait for its tables to be created.

A tenant schema costs one CREATE per table, index, constraint and function, and every area adds
more. So a few schemas are made ahead of time, fully migrated, named `spare_<hex>` and listed in
`public.spare_schemas`. Provisioning claims one (a row lock with SKIP LOCKED, so concurrent
sign-ups take different spares) and renames it to the tenant's schema in its own transaction: a
rename changes one catalog row whatever the number of tables. An empty pool falls back to
creating the schema, so nothing depends on the pool being full.

The claim notifies `wabotiq_spares`; the `SpareKeeper` of every API process wakes and tops the
pool up to `SPARE_SCHEMAS`, one process at a time (an advisory lock). `wabotiq migrate` migrates
spares with the tenants; a spare that missed a migration anyway is brought up to date by the
provisioning that claims it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets

import asyncpg

from wabotiq.db.connection import get_pool
from wabotiq.db.health import DatabaseHealth, connection_error
from wabotiq.db.migrations import PACKAGE
from wabotiq.db.migrator import apply_pending

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "wabotiq_spares"
PREFIX = "spare_"
REFILL_LOCK = "spares:refill"

# The oldest spare not being claimed or migrated by another transaction, taken off the list.
CLAIM = """
DELETE FROM public.spare_schemas WHERE name = (
    SELECT name FROM public.spare_schemas ORDER BY created_at, name
    LIMIT 1 FOR UPDATE SKIP LOCKED
) RETURNING name
"""


async def claim_spare(connection: asyncpg.Connection, schema: str) -> bool:
    """Rename a spare to `schema` in the caller's transaction; False when none is free."""
    while True:
        name = await connection.fetchval(CLAIM)
        if name is None:
            return False
        try:
            async with connection.transaction():  # a savepoint: a vanished spare is skipped
                await connection.execute(f"ALTER SCHEMA {name} RENAME TO {schema}")
        except asyncpg.InvalidSchemaNameError:
            logger.warning("spare schema listed but missing", extra={"schema": name})
            continue
        await connection.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, schema)
        return True


async def create_spare(connection: asyncpg.Connection, *, root: str = PACKAGE) -> str:
    """Create, migrate and list one spare schema in a transaction of its own."""
    name = PREFIX + secrets.token_hex(6)
    async with connection.transaction():
        await connection.execute(f"CREATE SCHEMA {name}")
        await apply_pending(connection, schema=name, scope="tenant", root=root)
        await connection.execute("INSERT INTO public.spare_schemas (name) VALUES ($1)", name)
    return name


async def drop_spare(connection: asyncpg.Connection, name: str) -> bool:
    """Remove a spare unless a transaction is claiming or migrating it."""
    async with connection.transaction():
        taken = await connection.fetchval(
            "DELETE FROM public.spare_schemas WHERE name = ("
            " SELECT name FROM public.spare_schemas WHERE name = $1 FOR UPDATE SKIP LOCKED"
            ") RETURNING name",
            name,
        )
        if taken is None:
            return False
        await connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    return True


async def spare_names() -> list[str]:
    async with get_pool().acquire() as connection:
        rows = await connection.fetch(
            "SELECT name FROM public.spare_schemas ORDER BY created_at, name"
        )
    return [row["name"] for row in rows]


async def refill(target: int, *, root: str = PACKAGE) -> int:
    """Create spares until there are `target`, or drop the oldest beyond it; returns how many
    were created. Another process already refilling makes this a no-op."""
    async with get_pool().acquire() as connection:
        if not await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", REFILL_LOCK):
            return 0
        try:
            created = 0
            while True:
                names = [
                    row["name"]
                    for row in await connection.fetch(
                        "SELECT name FROM public.spare_schemas ORDER BY created_at, name"
                    )
                ]
                if len(names) < target:
                    await create_spare(connection, root=root)
                    created += 1
                    continue
                for name in names[: len(names) - target]:
                    await drop_spare(connection, name)
                return created
        finally:
            await connection.execute("SELECT pg_advisory_unlock(hashtext($1))", REFILL_LOCK)


class SpareKeeper:
    """Keeps the pool at `target` spares: at start, whenever a spare is claimed, and every
    `interval_s` (in case a notification was missed or another process's refill failed)."""

    def __init__(
        self,
        *,
        target: int,
        listen_dsn: dict[str, object],
        interval_s: float,
        health: DatabaseHealth | None = None,
    ) -> None:
        self.target = target
        self.listen_dsn = listen_dsn
        self.interval_s = interval_s
        self.health = health
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._listener = await asyncpg.connect(**self.listen_dsn)
        await self._listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
        self._task = asyncio.create_task(self._run())

    def _on_notify(self, _conn: object, _pid: int, _channel: str, _schema: str) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            await self._refill()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval_s):
                    await self._wake.wait()

    async def _refill(self) -> None:
        """One refill; whatever fails is logged and left to the next wake, never ending the
        keeper."""
        try:
            created = await refill(self.target)
            if created:
                # Not `created`: that name is a LogRecord attribute, and logging refuses it.
                logger.info("spare schemas created", extra={"spares_created": created})
        except Exception as exc:  # noqa: BLE001 - the next claim or interval retries
            cause = connection_error(exc)
            if cause is None:
                logger.exception("spare schema refill failed")
            elif self.health is not None:
                self.health.failed(cause)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
