"""Platform tasks. Tasks pass ids only, are named `*_task`, and are safe to run twice."""

from __future__ import annotations

import time

from wabotiq.workers.broker import broker


@broker.task(task_name="wabotiq.heartbeat", schedule=[{"cron": "* * * * *"}])
async def heartbeat_task() -> float:
    """A tick every minute: a Redis stream broker only reclaims a crashed worker's messages
    when a read returns something, so this keeps redelivery moving on a quiet queue. Not
    retried: the next minute's tick is its retry."""
    return time.time()
