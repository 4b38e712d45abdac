"""A worker process for the crash test: `python -m tests.workers.crash_worker REDIS_URL QUEUE`
listens on QUEUE and dies (exit CRASH_EXIT) on the poison message."""

from __future__ import annotations

import asyncio
import sys

from taskiq.api import run_receiver_task

from tests.workers.crashing import register
from wabotiq.core.settings import Settings
from wabotiq.workers.broker import make_broker

# Messages unacknowledged for a second go to another worker (production: TASK_IDLE_TIMEOUT_S).
IDLE_S = 1.0
TIMEOUT_S = 0.5


def worker_settings(redis_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=redis_url,
        task_timeout_s=TIMEOUT_S,
        task_idle_timeout_s=IDLE_S,
    )


async def main(redis_url: str, queue: str) -> None:
    broker = make_broker(worker_settings(redis_url), queue_name=queue)
    register(broker, crash=True)
    await broker.startup()
    await run_receiver_task(broker)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
