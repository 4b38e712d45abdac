"""The Taskiq broker, chosen by settings: Redis streams (acknowledged) or in-process."""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker, SmartRetryMiddleware, TaskiqEvents, TaskiqState

from wabotiq.core.settings import Settings, get_settings

# Longer than any task may run: a message unacknowledged this long is redelivered.
IDLE_TIMEOUT_MS = 10 * 60 * 1000
STREAM_MAXLEN = 100_000


def make_broker(settings: Settings, *, queue_name: str = "wabotiq") -> AsyncBroker:
    """RedisStreamBroker when REDIS_URL is set (at-least-once after a crash), else in-process."""
    if settings.redis_url:
        from taskiq_redis import RedisStreamBroker

        broker: AsyncBroker = RedisStreamBroker(
            settings.redis_url,
            queue_name=queue_name,
            consumer_group_name=f"{queue_name}-workers",
            idle_timeout=IDLE_TIMEOUT_MS,
            maxlen=STREAM_MAXLEN,
        )
    else:
        broker = InMemoryBroker(await_inplace=False, max_async_tasks=30)
    return broker.with_middlewares(
        SmartRetryMiddleware(
            default_retry_count=5,
            default_delay=2,
            use_jitter=True,
            use_delay_exponent=True,
            max_delay_exponent=60,
        )
    )


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


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _close_database(state: TaskiqState) -> None:
    from wabotiq.db.connection import close_db

    if getattr(state, "database", None) is not None:
        await close_db()
        state.database.stop()
