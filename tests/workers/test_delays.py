"""Where retries wait: in Redis, read back by the scheduler once due (this minute's, the last
few minutes' on every read, anything older on a full scan) and sent by one scheduler only; in
process, sent when due."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from taskiq import ScheduledTask
from taskiq.exceptions import ScheduledTaskCancelledError

from tests.support.polling import DEADLINE_S
from wabotiq.core.settings import Settings
from wabotiq.workers.broker import make_broker, retry_source
from wabotiq.workers.delays import RECENT_MINUTES, InProcessDelays, RetrySchedules


def _due(minutes_ago: float) -> ScheduledTask:
    return ScheduledTask(
        task_name="test.delays.due",
        labels={},
        args=[],
        kwargs={},
        time=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )


@pytest.fixture
async def source(settings: Settings) -> AsyncIterator[RetrySchedules]:
    """The retry source of a Redis broker on a queue of the test's own."""
    redis_url = os.environ["REDIS_URL"]
    queue = f"wabotiq-test-{secrets.token_hex(4)}"
    broker = make_broker(settings.model_copy(update={"redis_url": redis_url}), queue_name=queue)
    made = retry_source(broker)
    assert isinstance(made, RetrySchedules)
    yield made
    client = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(f"{queue}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
        await made.shutdown()


@pytest.mark.redis
async def test_due_retries_are_read_back_from_this_and_past_minutes(source: RetrySchedules):
    old = _due(RECENT_MINUTES + 30)
    await source.add_schedule(old)
    # The first read scans: a retry left from long ago (no scheduler ran) is found.
    assert [s.schedule_id for s in await source.get_schedules()] == [old.schedule_id]
    await source.delete_schedule(old.schedule_id)

    recent, now = _due(2), _due(0)
    await source.add_schedule(recent)
    await source.add_schedule(now)
    found = {s.schedule_id for s in await source.get_schedules()}
    assert found == {recent.schedule_id, now.schedule_id}


@pytest.mark.redis
async def test_only_one_scheduler_sends_a_retry(source: RetrySchedules):
    due = _due(0)
    await source.pre_send(due)
    with pytest.raises(ScheduledTaskCancelledError):
        await source.pre_send(due)


async def test_in_process_a_retry_is_sent_when_due(settings: Settings, db: None):
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    delays = retry_source(broker)
    assert isinstance(delays, InProcessDelays)
    sent: asyncio.Queue[str] = asyncio.Queue()

    @broker.task(task_name="test.delays.later")
    async def later_task(order_id: str) -> None:
        await sent.put(order_id)

    await broker.startup()
    try:
        await later_task.kicker().schedule_by_time(
            delays, datetime.now(UTC) + timedelta(seconds=0.05), "o-9"
        )
        assert delays.pending == 1
        assert await asyncio.wait_for(sent.get(), DEADLINE_S) == "o-9"
    finally:
        await broker.shutdown()
