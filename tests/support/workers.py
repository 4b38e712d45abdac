"""A Taskiq worker inside the test process, stopped the way taskiq's own worker stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from taskiq import AsyncBroker
from taskiq.receiver import Receiver

from tests.support.polling import DEADLINE_S


@asynccontextmanager
async def running_worker(broker: AsyncBroker) -> AsyncIterator[None]:
    """Receive and run `broker`'s tasks while inside. It stops as taskiq's worker stops, by its
    finish event (the receiver cancels its pending read, then waits for running tasks), and
    fails if it has not stopped within the deadline."""
    finish = asyncio.Event()
    broker.is_worker_process = True
    receiver = Receiver(broker, run_startup=False, max_async_tasks=100)
    listening = asyncio.create_task(receiver.listen(finish))
    try:
        yield
    finally:
        finish.set()
        # Not `wait_for`: past its timeout it cancels and then waits, unbounded, for a receiver
        # that shields its clean-up from cancellation.
        done, _ = await asyncio.wait([listening], timeout=DEADLINE_S)
        if not done:
            listening.cancel()
            raise AssertionError(f"the worker did not stop within {DEADLINE_S:g} s")
        listening.result()


async def drop_queue(redis_url: str, queue: str) -> None:
    """Delete a stream queue of a test's own and everything kept beside it (its consumer
    group's reclaim lock, delivery counts, retry schedules)."""
    client = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(f"{queue}[:-]*")]
        await client.delete(queue, f"autoclaim:{queue}-workers:{queue}", *keys)
    finally:
        await client.aclose()
