"""Where a retry waits out its delay. Taskiq's retry middleware hands a delayed retry to a
schedule source; without one it re-sends at once with a `delay` label no broker of ours reads.

- With Redis: taskiq-redis's `ListRedisScheduleSource`, which the scheduler polls (every
  SCHEDULER_UPDATE_INTERVAL_S, 1 s by default; taskiq's own default of 60 s would make a 1 s
  retry wait a minute). Schedules are stored as JSON, not the default pickle (whoever can write
  to Redis could otherwise run code in the scheduler), and a guard lets only one scheduler send
  each retry.
- In process (the in-memory broker): `InProcessDelays` sleeps in a task of the event loop and
  sends the retry itself, the way the scheduler would."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from taskiq import AsyncBroker, ScheduledTask, ScheduleSource, TaskiqScheduler
from taskiq.exceptions import ScheduledTaskCancelledError
from taskiq.serializers import JSONSerializer
from taskiq_redis import ListRedisScheduleSource

from wabotiq.workers.redis_connections import keep_cancellations

# It logs each read at INFO: every second with our update interval.
logging.getLogger("taskiq.redis_schedule_source").setLevel(logging.WARNING)

# How long the "sent" mark of a retry lives: far longer than two schedulers can disagree.
SENT_MARK_TTL_S = 3600
# Past minutes whose retry lists every read looks at; a full key scan catches anything older
# (left while no scheduler ran) on the first read and then every FULL_SCAN_EVERY reads.
RECENT_MINUTES = 5
FULL_SCAN_EVERY = 300


class RetrySchedules(ListRedisScheduleSource):
    """Delayed retries in Redis, sent once however many schedulers poll them."""

    def __init__(self, url: str, *, prefix: str) -> None:
        super().__init__(url, prefix=prefix, serializer=JSONSerializer())
        # Else a scheduler cancelled mid-read can poll on forever.
        keep_cancellations(self._connection_pool)
        self._reads = 0

    async def _get_previous_time_schedules(self) -> list[bytes]:
        """Retries due in past minutes. taskiq-redis scans the whole keyspace for them on every
        read, which at one read a second costs more than the reads themselves; here only the
        last few minutes' lists are read, with a full scan now and then."""
        self._reads += 1
        if self._reads % FULL_SCAN_EVERY == 1:
            return await super()._get_previous_time_schedules()
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        keys = [
            self._get_time_key(now - timedelta(minutes=m)) for m in range(1, RECENT_MINUTES + 1)
        ]
        async with Redis(connection_pool=self._connection_pool) as redis:
            pipe = redis.pipeline(transaction=False)
            for key in keys:
                pipe.lrange(key, 0, -1)
            found: list[list[bytes]] = await pipe.execute()
        return [schedule_id for ids in found for schedule_id in ids]

    async def pre_send(self, task: ScheduledTask) -> None:
        """The first scheduler to claim a one-off schedule sends it; others skip it."""
        if task.time is None:
            return
        async with Redis(connection_pool=self._connection_pool) as redis:
            claimed = await redis.set(
                f"{self._prefix}:sent:{task.schedule_id}", 1, nx=True, ex=SENT_MARK_TTL_S
            )
        if not claimed:
            raise ScheduledTaskCancelledError

    async def shutdown(self) -> None:
        await self._connection_pool.disconnect()


class InProcessDelays(ScheduleSource):
    """Sends each one-off schedule when its time comes, from this process; nothing survives a
    restart (neither does anything else of the in-memory broker)."""

    def __init__(self, broker: AsyncBroker) -> None:
        self._sender = TaskiqScheduler(broker, sources=[self])
        self._waiting: set[asyncio.Task[None]] = set()

    async def get_schedules(self) -> list[ScheduledTask]:
        return []  # nothing for a scheduler to poll: each schedule sends itself

    async def add_schedule(self, schedule: ScheduledTask) -> None:
        if schedule.time is None:
            raise NotImplementedError("only one-off schedules (a time) wait in process")
        waiting = asyncio.get_running_loop().create_task(self._send_at(schedule))
        self._waiting.add(waiting)
        waiting.add_done_callback(self._waiting.discard)

    async def _send_at(self, schedule: ScheduledTask) -> None:
        assert schedule.time is not None
        when = schedule.time if schedule.time.tzinfo else schedule.time.replace(tzinfo=UTC)
        await asyncio.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))
        await self._sender.on_ready(self, schedule)

    @property
    def pending(self) -> int:
        return len(self._waiting)

    async def drain(self) -> None:
        """Wait until every waiting schedule has been sent (and any it caused)."""
        while self._waiting:
            await asyncio.wait(list(self._waiting))

    async def shutdown(self) -> None:
        for waiting in list(self._waiting):
            waiting.cancel()
        for waiting in list(self._waiting):
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
