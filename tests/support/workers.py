"""A Taskiq worker inside the test process, stopped the way taskiq's own worker stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from taskiq import AsyncBroker
from taskiq.receiver import Receiver

from tests.support.polling import DEADLINE_S


@asynccontextmanager
async def running_worker(broker: AsyncBroker) -> AsyncIterator[None]:
    """Receive and run `broker`'s tasks while inside. It stops by its finish event (the
    receiver stops reading, then waits for running tasks), not by cancelling it: a cancellation
    landing as Redis answers the receiver's blocking read is lost, and the receiver then waits
    for a message that never comes."""
    finish = asyncio.Event()
    broker.is_worker_process = True
    receiver = Receiver(broker, run_startup=False, max_async_tasks=100)
    listening = asyncio.create_task(receiver.listen(finish))
    try:
        yield
    finally:
        finish.set()
        await asyncio.wait_for(listening, DEADLINE_S)
