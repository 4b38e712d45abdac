"""The broker chosen by settings really delivers tasks: in-process, and through Redis."""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
from taskiq import InMemoryBroker
from taskiq.api import run_receiver_task
from taskiq.schedule_sources import LabelScheduleSource

from tests.support.polling import DEADLINE_S
from wabotiq.core.settings import Settings
from wabotiq.workers.broker import make_broker
from wabotiq.workers.scheduler import broker as app_broker


async def test_without_redis_tasks_run_in_process(settings: Settings):
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    assert isinstance(broker, InMemoryBroker)
    seen: list[str] = []

    @broker.task(task_name="test.echo")
    async def echo_task(value: str) -> str:
        seen.append(value)
        return value.upper()

    await broker.startup()
    try:
        handle = await echo_task.kiq("jambo")
        result = await handle.wait_result(timeout=DEADLINE_S)
    finally:
        await broker.shutdown()
    assert result.return_value == "JAMBO"
    assert seen == ["jambo"]


@pytest.mark.redis
async def test_with_redis_a_worker_receives_kicked_tasks(settings: Settings):
    redis_url = os.environ["REDIS_URL"]
    queue = f"wabotiq-test-{secrets.token_hex(4)}"
    broker = make_broker(settings.model_copy(update={"redis_url": redis_url}), queue_name=queue)
    assert not isinstance(broker, InMemoryBroker)
    received: asyncio.Queue[str] = asyncio.Queue()

    @broker.task(task_name="test.deliver")
    async def deliver_task(order_id: str) -> None:
        await received.put(order_id)

    await broker.startup()
    worker = asyncio.create_task(run_receiver_task(broker))
    try:
        for order_id in ("o-1", "o-2", "o-3"):
            await deliver_task.kiq(order_id)
        got = {await asyncio.wait_for(received.get(), timeout=DEADLINE_S) for _ in range(3)}
    finally:
        worker.cancel()
        await broker.shutdown()
        await asyncio.wait([worker], timeout=DEADLINE_S)
        import redis.asyncio as aioredis

        client = aioredis.from_url(redis_url)
        await client.delete(queue)
        await client.aclose()
    assert got == {"o-1", "o-2", "o-3"}


async def test_scheduler_sends_the_heartbeat_every_minute():
    source = LabelScheduleSource(app_broker)
    await source.startup()
    schedules = await source.get_schedules()
    heartbeat = [s for s in schedules if s.task_name == "wabotiq.heartbeat"]
    assert len(heartbeat) == 1
    assert heartbeat[0].cron == "* * * * *"
