"""Retries with backoff and jitter, then a dead letter: taskiq's `SmartRetryMiddleware` schedules
each retry through a schedule source (`wabotiq.workers.delays`); this subclass gives it an
exponential backoff and records the last failure instead of only logging it."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from taskiq import ScheduleSource, SmartRetryMiddleware, TaskiqMessage, TaskiqResult
from taskiq.exceptions import NoResultError

from wabotiq.core.settings import Settings
from wabotiq.workers.dead_letters import (
    FIRST_FAILED_AT,
    attempts_of,
    bury,
    failure_from_error,
)

logger = logging.getLogger(__name__)

# Up to this fraction of the delay is added at random, so retries of many tasks that failed
# together (a provider outage) spread out instead of coming back at once. Below 1, each delay
# stays longer than the one before (the base doubles).
JITTER = 0.25

# Forget the deliveries counted for a task id (the Redis broker counts them; see brokers.py).
Forget = Callable[[str], Awaitable[None]]


class RetryMiddleware(SmartRetryMiddleware):
    """Tasks opt in with `retry_on_error=True` (see `wabotiq.workers.declare.reliable_task`);
    `max_retries` counts every attempt, the first included. A task that does not opt in, or
    fails with its last attempt, ends as a dead letter."""

    def __init__(self, settings: Settings, schedule_source: ScheduleSource) -> None:
        super().__init__(
            default_retry_count=settings.task_max_retries,
            default_delay=settings.task_retry_delay_s,
            use_jitter=True,
            use_delay_exponent=True,
            max_delay_exponent=settings.task_retry_max_delay_s,
            schedule_source=schedule_source,
        )
        self.forget: Forget | None = None

    def make_delay(self, message: TaskiqMessage, retries: int) -> float:
        """`delay · 2^(retries-1)`, capped, plus up to a quarter of it at random (taskiq's own
        "exponent" is linear and its jitter a flat second whatever the delay)."""
        base = float(message.labels.get("delay", self.default_delay))
        delay = min(base * 2 ** (retries - 1), self.max_delay_exponent)
        return delay * (1 + JITTER * random.random())  # noqa: S311 - spreading, not secrets

    def will_retry(self, message: TaskiqMessage, exception: BaseException) -> bool:
        types = self._get_types_of_exceptions(message)
        if types is not None and not isinstance(exception, tuple(types)):
            return False
        limit = int(message.labels.get("max_retries", self.default_retry_count))
        return self.is_retry_on_error(message) and attempts_of(message) < limit

    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        if isinstance(exception, NoResultError):
            return
        if self.will_retry(message, exception):
            # Carried by every retry, so the letter can say when the trouble began.
            message.labels.setdefault(FIRST_FAILED_AT, datetime.now(UTC).isoformat())
            await super().on_error(message, result, exception)
            return
        await bury(failure_from_error(message, exception, attempts=attempts_of(message)))
        await self._forget(message)

    async def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        if not result.is_err:
            await self._forget(message)

    async def _forget(self, message: TaskiqMessage) -> None:
        if self.forget is not None:
            try:
                await self.forget(message.task_id)
            except Exception:  # noqa: BLE001 - the count expires on its own
                logger.warning("could not clear a task's delivery count", exc_info=True)

    async def shutdown(self) -> None:
        if self.schedule_source is not None:
            await self.schedule_source.shutdown()
