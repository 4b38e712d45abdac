"""Retries are real with the in-process broker: backoff that waits, a timeout per task, a bounded
number of attempts, then exactly one dead letter holding the error."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from taskiq import AsyncBroker

from tests.support.polling import DEADLINE_S, eventually
from wabotiq.core.settings import Settings
from wabotiq.domain.dead_letters.models import PlatformDeadLetter
from wabotiq.workers.broker import make_broker
from wabotiq.workers.brokers import LocalBroker
from wabotiq.workers.declare import reliable_task

DELAY_S = 0.05


@pytest.fixture
async def local_broker(settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    """A broker of the test's own, in process, retrying after DELAY_S, 2·DELAY_S, …"""
    broker = make_broker(
        settings.model_copy(update={"redis_url": None, "task_retry_delay_s": DELAY_S})
    )
    assert isinstance(broker, LocalBroker)
    await broker.startup()
    yield broker
    await broker.shutdown()


async def _letters(task_id: str) -> list[PlatformDeadLetter]:
    return await PlatformDeadLetter.filter(task_id=task_id)


async def test_a_task_failing_twice_then_succeeding_runs_three_times_later_each_time(
    local_broker: AsyncBroker,
):
    runs: list[float] = []

    @reliable_task("test.retries.flaky", max_retries=3, broker=local_broker)
    async def flaky_task(order_id: str) -> str:
        runs.append(time.monotonic())
        if len(runs) < 3:
            raise ConnectionError("provider down")
        return order_id

    sent = await flaky_task.kiq("o-1")
    result = await sent.wait_result(timeout=DEADLINE_S)

    assert result.return_value == "o-1"
    assert len(runs) == 3
    # Each retry waited at least its backoff: DELAY_S, then twice that (jitter only adds; the
    # margin is for the wall clock the delay is set by against the monotonic one here).
    first_gap, second_gap = runs[1] - runs[0], runs[2] - runs[1]
    assert first_gap >= 0.95 * DELAY_S
    assert second_gap >= 0.95 * 2 * DELAY_S
    assert await _letters(sent.task_id) == []


async def test_a_task_that_always_fails_ends_as_exactly_one_dead_letter(
    local_broker: AsyncBroker,
):
    runs: list[float] = []

    @reliable_task("test.retries.doomed", max_retries=3, broker=local_broker)
    async def doomed_task(order_id: str) -> None:
        runs.append(time.monotonic())
        raise ValueError(f"order {order_id} is malformed")

    sent = await doomed_task.kiq("o-2")
    await eventually(lambda: _letters(sent.task_id), "the dead letter")
    # No further attempt comes after the letter.
    await local_broker.wait_all()  # type: ignore[attr-defined]
    assert len(runs) == 3

    [letter] = await _letters(sent.task_id)
    assert letter.task_name == "test.retries.doomed"
    assert letter.args == ["o-2"]
    assert letter.error_type == "ValueError"
    assert letter.error_message == "order o-2 is malformed"
    assert "doomed_task" in letter.traceback and "ValueError" in letter.traceback
    assert letter.attempts == 3
    assert letter.first_failed_at < letter.last_failed_at
    assert letter.tenant_id is None and letter.request_id is None
    # Labels come back as text after a scheduled retry (taskiq keeps no label types there).
    assert str(letter.labels["max_retries"]) == "3"
    assert str(letter.labels["retry_on_error"]) == "True"
    assert letter.retried_at is None


async def test_a_task_over_its_timeout_is_retried_then_dead_lettered(local_broker: AsyncBroker):
    started: list[float] = []

    @reliable_task("test.retries.slow", max_retries=2, timeout_s=0.1, broker=local_broker)
    async def slow_task() -> None:
        started.append(time.monotonic())
        await asyncio.sleep(DEADLINE_S)

    sent = await slow_task.kiq()
    await eventually(lambda: _letters(sent.task_id), "the dead letter")

    [letter] = await _letters(sent.task_id)
    assert len(started) == 2
    assert letter.error_type == "TimeoutError"
    assert letter.attempts == 2
    assert float(letter.labels["timeout"]) == 0.1


async def test_a_task_without_retries_is_dead_lettered_after_its_one_attempt(
    local_broker: AsyncBroker,
):
    @local_broker.task(task_name="test.retries.once")
    async def once_task() -> None:
        raise RuntimeError("no second chance")

    sent = await once_task.kiq()
    await eventually(lambda: _letters(sent.task_id), "the dead letter")
    [letter] = await _letters(sent.task_id)
    assert (letter.error_type, letter.attempts) == ("RuntimeError", 1)
