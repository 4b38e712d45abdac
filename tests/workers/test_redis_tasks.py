"""On the real Redis stream broker, with a receiver and a scheduler in this process: retries
wait in Redis and come back, a task failing for good is one dead letter, and a message that
kills every worker taking it ends as a dead letter after its attempts instead of looping."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from taskiq import AsyncBroker
from taskiq.api import run_scheduler_task

from tests.support.polling import DEADLINE_S, POLL_S, eventually
from tests.support.workers import drop_queue, running_worker
from tests.workers.crash_worker import IDLE_S, TIMEOUT_S
from tests.workers.crashing import CRASH_EXIT, POISON_ATTEMPTS, register
from wabotiq.core.settings import Settings
from wabotiq.domain.dead_letters.models import PlatformDeadLetter
from wabotiq.workers.broker import make_broker
from wabotiq.workers.brokers import StreamBroker
from wabotiq.workers.declare import reliable_task
from wabotiq.workers.scheduler import make_scheduler

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def redis_broker(settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    """A stream broker on a queue of the test's own, not yet listening."""
    redis_url = os.environ["REDIS_URL"]
    queue = f"wabotiq-test-{secrets.token_hex(4)}"
    broker = make_broker(
        settings.model_copy(
            update={
                "redis_url": redis_url,
                "task_timeout_s": TIMEOUT_S,
                "task_idle_timeout_s": IDLE_S,
            }
        ),
        queue_name=queue,
    )
    assert isinstance(broker, StreamBroker)
    await broker.startup()  # the consumer group, before anything is sent
    yield broker
    await broker.shutdown()
    await drop_queue(redis_url, queue)


async def _letters(task_id: str) -> list[PlatformDeadLetter]:
    return await PlatformDeadLetter.filter(task_id=task_id)


async def test_retries_wait_in_redis_and_a_task_failing_for_good_is_one_dead_letter(
    redis_broker: AsyncBroker, settings: Settings
):
    runs: list[float] = []
    doomed_runs: list[float] = []

    @reliable_task("test.redis.flaky", max_retries=3, broker=redis_broker)
    async def flaky_task(order_id: str) -> str:
        runs.append(time.monotonic())
        if len(runs) < 3:
            raise ConnectionError("provider down")
        return order_id

    @reliable_task("test.redis.doomed", max_retries=2, broker=redis_broker)
    async def doomed_task(order_id: str) -> None:
        doomed_runs.append(time.monotonic())
        raise ValueError(f"order {order_id} is malformed")

    every = timedelta(seconds=settings.scheduler_update_interval_s)
    scheduler = asyncio.create_task(
        run_scheduler_task(make_scheduler(redis_broker), interval=every)
    )
    try:
        async with running_worker(redis_broker):
            await flaky_task.kiq("o-1")
            doomed = await doomed_task.kiq("o-2")

            async def flaky_done() -> bool:
                return len(runs) == 3

            await eventually(flaky_done, "the third run of the flaky task")
            await eventually(lambda: _letters(doomed.task_id), "the doomed task's dead letter")
    finally:
        scheduler.cancel()
        await asyncio.wait([scheduler], timeout=DEADLINE_S)

    # Each retry came back later (through the schedule source and the scheduler).
    assert runs == sorted(runs) and runs[1] - runs[0] >= settings.task_retry_delay_s
    [letter] = await _letters(doomed.task_id)
    assert len(doomed_runs) == 2
    assert (letter.error_type, letter.attempts) == ("ValueError", 2)
    assert letter.error_message == "order o-2 is malformed"


async def test_a_message_that_kills_its_worker_each_time_ends_as_a_dead_letter(
    redis_broker: StreamBroker, tmp_path: Path
):
    poison_task, tick_task = register(redis_broker, crash=False)
    sent = await poison_task.kiq("o-3")
    redis_url = os.environ["REDIS_URL"]

    # Each worker process takes the message and dies with it; the next one gets it back once
    # it has been unacknowledged for IDLE_S.
    for attempt in range(POISON_ATTEMPTS):
        log = tmp_path / f"worker-{attempt}.log"
        status = await _run_crash_worker(redis_broker, tick_task, log)
        assert status == CRASH_EXIT, f"worker {attempt} exited with {status}:\n{log.read_text()}"

    # A worker that survives: the next delivery is past the task's attempts, so it is buried.
    async with running_worker(redis_broker):

        async def buried() -> list[PlatformDeadLetter]:
            await tick_task.kiq()
            return await _letters(sent.task_id)

        await eventually(buried, "the poison message's dead letter")
        # Acknowledged: it is no longer pending, and its delivery count is gone.
        client = aioredis.from_url(redis_url, socket_timeout=DEADLINE_S)
        try:
            entries = await client.xrange(redis_broker.queue_name)
            [poison_entry] = [i for i, e in entries if sent.task_id.encode() in e[b"data"]]

            async def settled() -> bool:
                await tick_task.kiq()
                pending = await client.xpending_range(
                    redis_broker.queue_name, redis_broker.consumer_group_name, "-", "+", 100
                )
                return poison_entry not in {entry["message_id"] for entry in pending}

            await eventually(settled, "the poison message acknowledged")
            assert not await client.exists(f"{redis_broker.queue_name}:deliveries:{sent.task_id}")
        finally:
            await client.aclose()

    [letter] = await _letters(sent.task_id)
    assert letter.error_type == "WorkerLost"
    assert letter.attempts == POISON_ATTEMPTS
    assert letter.args == ["o-3"]


async def _run_crash_worker(broker: StreamBroker, tick_task: Any, log: Path) -> int:
    """Run a crash worker process on `broker`'s queue, sending ticks until it exits (within the
    deadline, else it is killed and the test fails); its exit status. Its output goes to `log`,
    a file: a pipe nobody reads would stop it once full."""
    with log.open("w") as output:
        # A plain Popen polled from here: asyncio's child watcher is not needed.
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.workers.crash_worker", os.environ["REDIS_URL"],
             broker.queue_name],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
        )  # fmt: skip
        try:

            async def exited() -> bool:
                await tick_task.kiq()
                for _ in range(10):
                    if process.poll() is not None:
                        return True
                    await asyncio.sleep(POLL_S)
                return False

            try:
                # A process start imports the whole app: on a loaded machine, seconds alone.
                await eventually(exited, "the worker process exiting", deadline_s=2 * DEADLINE_S)
            except AssertionError as error:
                raise AssertionError(f"{error}; its output:\n{log.read_text()}") from None
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=DEADLINE_S)
    return process.returncode
