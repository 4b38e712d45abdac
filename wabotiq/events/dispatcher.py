"""Publish committed outbox rows to the bus: at least once, in order per tenant (so per aggregate).

Wakes on Postgres NOTIFY (sent by the outbox trigger when an inserting transaction commits) and
sweeps every tenant now and then, so nothing waits forever if a notification was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import asyncpg

from wabotiq.db.connection import get_pool
from wabotiq.db.health import DatabaseHealth, connection_error
from wabotiq.db.outbox import Event, channel
from wabotiq.events.bus import EventBus

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "wabotiq_outbox"
BATCH = 500

# Called with each published batch before it is marked dispatched (so at least once too):
# work that must follow committed changes, such as kicking search indexing tasks.
Consumer = Callable[[Sequence[Event]], Awaitable[None]]


async def dispatch_schema(schema: str, bus: EventBus, consumers: Sequence[Consumer] = ()) -> int:
    """Publish a schema's pending events oldest first; returns how many were published.

    One dispatcher per schema at a time (advisory lock), rows marked only after publishing:
    a crash in between republishes (at least once); consumers dedupe on the event id.
    """
    published = 0
    async with get_pool().acquire() as connection:
        while True:
            async with connection.transaction():
                locked = await connection.fetchval(
                    "SELECT pg_try_advisory_xact_lock(hashtext($1))", f"outbox:{schema}"
                )
                if not locked:
                    return published
                rows = await connection.fetch(
                    f"SELECT id, aggregate_type, aggregate_id, event_type, payload::text,"
                    f" created_at FROM {schema}.outbox WHERE dispatched_at IS NULL"
                    f" ORDER BY id LIMIT {BATCH}"
                )
                if not rows:
                    return published
                tenant_id = schema.removeprefix("t_")
                events = [_event(tenant_id, row) for row in rows]
                for event in events:
                    await bus.publish(channel(tenant_id, event.aggregate_type), event.as_message())
                for consumer in consumers:
                    await consumer(events)
                await connection.execute(
                    f"UPDATE {schema}.outbox SET dispatched_at = $1 WHERE id = ANY($2::bigint[])",
                    datetime.now(UTC),
                    [row["id"] for row in rows],
                )
                published += len(rows)


def _event(tenant_id: str, row: asyncpg.Record) -> Event:
    return Event(
        id=row["id"],
        tenant_id=tenant_id,
        aggregate_type=row["aggregate_type"],
        aggregate_id=row["aggregate_id"],
        event_type=row["event_type"],
        payload=json.loads(row["payload"]),
        occurred_at=row["created_at"].isoformat(),
    )


async def tenant_schemas() -> list[str]:
    async with get_pool().acquire() as connection:
        rows = await connection.fetch("SELECT id FROM public.tenants WHERE status = 'active'")
    return [f"t_{row['id']}" for row in rows]


class Dispatcher:
    """Runs in the API (and `up`) process: LISTEN for commits, publish, sweep periodically."""

    def __init__(
        self,
        bus: EventBus,
        *,
        listen_dsn: dict[str, object],
        sweep_s: float,
        consumers: Sequence[Consumer] = (),
        health: DatabaseHealth | None = None,
    ) -> None:
        self.bus = bus
        self.health = health
        self.consumers = tuple(consumers)
        self.listen_dsn = listen_dsn
        self.sweep_s = sweep_s
        self._wake: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._listener = await asyncpg.connect(**self.listen_dsn)
        await self._listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
        self._task = asyncio.create_task(self._run())

    def _on_notify(self, _conn: object, _pid: int, _channel: str, schema: str) -> None:
        self._wake.put_nowait(schema)

    def wake(self, schema: str) -> None:
        self._wake.put_nowait(schema)

    async def _run(self) -> None:
        await self._sweep()
        while True:
            try:
                # Not `asyncio.wait_for`: on Python 3.11 a wake arriving as `stop()` cancels
                # this task makes it return the wake and swallow the cancellation, so `stop()`
                # (and the server's shutdown) waited for ever. `asyncio.timeout` keeps both.
                async with asyncio.timeout(self.sweep_s):
                    schema = await self._wake.get()
            except TimeoutError:
                await self._sweep()
                continue
            pending = {schema}
            while not self._wake.empty():
                pending.add(self._wake.get_nowait())
            await self._dispatch_all(sorted(pending))

    async def _sweep(self) -> None:
        with contextlib.suppress(Exception):
            await self._dispatch_all(await tenant_schemas())

    async def _dispatch_all(self, schemas: Sequence[str]) -> None:
        """Dispatch each schema in turn; an unreachable database ends the round (the next wake
        or sweep retries) and is the database health's to log, once, not once per schema."""
        for schema in schemas:
            try:
                await dispatch_schema(schema, self.bus, self.consumers)
            except Exception as exc:  # noqa: BLE001 - the next wake or sweep retries
                cause = connection_error(exc)
                if cause is None:
                    logger.exception("outbox dispatch failed", extra={"schema": schema})
                    continue
                if self.health is not None:
                    self.health.failed(cause)
                return

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            await self._listener.close()
