"""Tasks of the crash test, registered both in the worker processes the test kills and in the
test's own worker (where the poison task must never run: its delivery is past the limit)."""

from __future__ import annotations

import os
from typing import Any

from taskiq import AsyncBroker

from wabotiq.workers.declare import reliable_task

CRASH_EXIT = 17
POISON_ATTEMPTS = 2


def register(broker: AsyncBroker, *, crash: bool) -> tuple[Any, Any]:
    """The poison task (kills its process when `crash`) and a no-op tick. A Redis stream worker
    reclaims a dead worker's messages only after a read returns something: ticks give it
    something to read (the scheduler's heartbeat does in production)."""

    @reliable_task("test.crash.poison", max_retries=POISON_ATTEMPTS, broker=broker)
    async def poison_task(order_id: str) -> None:
        if crash:
            os._exit(CRASH_EXIT)  # as a segfault or the OOM killer would: no cleanup, no ack
        raise RuntimeError("the poison task ran in the test's own worker")

    @broker.task(task_name="test.crash.tick")
    async def tick_task() -> None:
        return None

    return poison_task, tick_task
