"""The Taskiq broker, chosen by settings: Redis streams (acknowledged) or in-process; with
retries that wait out their delay, a timeout per task, dead letters, and the request id and
tenant of whatever kicked a task."""

from __future__ import annotations

import asyncio
import contextvars

from taskiq import AsyncBroker, ScheduleSource, TaskiqEvents, TaskiqState

from wabotiq.core.settings import Settings, get_settings
from wabotiq.workers.brokers import LocalBroker, StreamBroker
from wabotiq.workers.context import TaskContextMiddleware
from wabotiq.workers.delays import InProcessDelays, RetrySchedules
from wabotiq.workers.retries import RetryMiddleware

STREAM_MAXLEN = 100_000
# A crashed worker's lock on reclaiming messages frees itself after this (taskiq-redis #131).
RECLAIM_LOCK_TIMEOUT_S = 30


def make_broker(settings: Settings, *, queue_name: str = "wabotiq") -> AsyncBroker:
    """StreamBroker when REDIS_URL is set (at-least-once after a crash), else in-process."""
    broker: AsyncBroker
    delays: ScheduleSource
    if settings.redis_url:
        broker = StreamBroker(
            settings.redis_url,
            default_max_attempts=settings.task_max_retries,
            queue_name=queue_name,
            consumer_group_name=f"{queue_name}-workers",
            # Unacknowledged this long, a message goes to another worker: above the timeout.
            idle_timeout=int(settings.task_idle_timeout_s * 1000),
            unacknowledged_lock_timeout=RECLAIM_LOCK_TIMEOUT_S,
            maxlen=STREAM_MAXLEN,
        )
        # No colon in the prefix: taskiq-redis parses the minute after the second colon of a
        # key, so `queue:schedule:time:…` would never be read back once its minute is past.
        delays = RetrySchedules(settings.redis_url, prefix=f"{queue_name}-schedule")
    else:
        broker = LocalBroker(await_inplace=False, max_async_tasks=30)
        delays = InProcessDelays(broker)
    retries = RetryMiddleware(settings, delays)
    if isinstance(broker, StreamBroker):
        retries.forget = broker.forget_deliveries
    # Context first: the retry middleware's failure handling runs in the task's tenant.
    return broker.with_middlewares(TaskContextMiddleware(), retries)


def retry_source(broker: AsyncBroker) -> ScheduleSource:
    """Where `broker`'s retries wait (a scheduler must poll it when it is Redis)."""
    for middleware in broker.middlewares:
        if isinstance(middleware, RetryMiddleware) and middleware.schedule_source is not None:
            return middleware.schedule_source
    raise LookupError("this broker has no retry middleware")


async def drain(broker: AsyncBroker) -> None:
    """In process, wait until the tasks this process started, and their retries, are done
    (a command line that re-runs a task must not exit under it); with Redis, return at once."""
    if not isinstance(broker, LocalBroker):
        return
    delays = retry_source(broker)
    waiting = delays if isinstance(delays, InProcessDelays) else None
    while broker._running_tasks or (waiting is not None and waiting.pending):
        await broker.wait_all()
        if waiting is not None:
            await waiting.drain()


broker = make_broker(get_settings(), queue_name=get_settings().taskiq_queue)
_users = 0


async def start_broker() -> None:
    """Start the app's broker once per process, however many components need it (the API
    kicks tasks, `wabotiq up` also runs a receiver and the scheduler)."""
    global _users
    if _users == 0:
        await broker.startup()
    _users += 1


async def stop_broker() -> None:
    global _users
    _users -= 1
    if _users == 0:
        await broker.shutdown()


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _open_database(state: TaskiqState) -> None:
    """Worker processes open their own pool; in `wabotiq up` the API's is already open."""
    from tortoise import Tortoise

    from wabotiq.db.bootstrap import connect, resolve_database

    state.database = None
    if Tortoise._inited:
        return
    settings = get_settings()
    state.database = resolve_database(settings)
    await connect(settings, state.database)
    # The ORM keeps its connections in a context variable; taskiq shuts down from another task.
    state.database_context = contextvars.copy_context()


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _close_database(state: TaskiqState) -> None:
    """Close the pool in the context it was opened in, and stop an embedded server even when
    closing fails (it would outlive the worker)."""
    from wabotiq.db.connection import close_db

    if getattr(state, "database", None) is not None:
        try:
            await asyncio.get_running_loop().create_task(close_db(), context=state.database_context)
        finally:
            state.database.stop()
            state.database = None
