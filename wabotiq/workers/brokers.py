"""The two brokers, each with what taskiq's leaves to us.

- `LocalBroker` (in-memory): runs each task in a clean copy of the context the broker started
  in. Taskiq's runs it in a copy of the kicker's context, so a task kicked inside a request's
  transaction would share the transaction's connection (the ORM keeps it in a context variable)
  and the request's tenant.
- `StreamBroker` (Redis streams, acknowledged): counts the deliveries of each task id. A message
  whose processing kills the worker is never acknowledged and comes back after the idle timeout,
  forever; past the task's `max_retries` deliveries it becomes a dead letter instead."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

from redis.asyncio import Redis
from taskiq import AckableMessage, BrokerMessage, InMemoryBroker, TaskiqMessage
from taskiq.exceptions import UnknownTaskError
from taskiq.labels import LabelType
from taskiq.utils import maybe_awaitable
from taskiq_redis import RedisStreamBroker

from wabotiq.workers.dead_letters import DELIVERY, bury, failure_of
from wabotiq.workers.redis_connections import keep_cancellations

logger = logging.getLogger(__name__)

# A delivery count outlives any sane retry schedule, then expires on its own.
DELIVERIES_TTL_S = 7 * 24 * 3600


class LocalBroker(InMemoryBroker):
    """The in-memory broker, each task in a clean context."""

    _context: contextvars.Context | None = None

    async def startup(self) -> None:
        await super().startup()
        # After the start-up hooks, which may open the database in this context.
        self._context = contextvars.copy_context()

    async def kick(self, message: BrokerMessage) -> None:
        if self.find_task(message.task_name) is None:
            raise UnknownTaskError(task_name=message.task_name)
        base = self._context if self._context is not None else contextvars.copy_context()
        task = asyncio.get_running_loop().create_task(
            self.receiver.callback(message=message.message), context=base.copy()
        )
        self._running_tasks.add(task)
        task.add_done_callback(self._running_tasks.discard)


class StreamBroker(RedisStreamBroker):
    """`RedisStreamBroker` that dead-letters a message delivered too often."""

    def __init__(self, url: str, *, default_max_attempts: int, **kwargs: object) -> None:
        super().__init__(url, **kwargs)  # type: ignore[arg-type]
        # Else taskiq's receiver can hang as it stops, its read's cancellation dropped.
        keep_cancellations(self.connection_pool)
        self.default_max_attempts = default_max_attempts

    def _deliveries_key(self, task_id: str) -> str:
        return f"{self.queue_name}:deliveries:{task_id}"

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        deliveries = super().listen()
        try:
            async for delivery in deliveries:
                admitted = await self._admit(delivery)
                if admitted is not None:
                    yield admitted
        finally:
            await deliveries.aclose()

    async def forget_deliveries(self, task_id: str) -> None:
        """The task finished (or is a dead letter): stop counting its deliveries."""
        async with Redis(connection_pool=self.connection_pool) as redis:
            await redis.delete(self._deliveries_key(task_id))

    async def _admit(self, delivery: AckableMessage) -> AckableMessage | None:
        """Count this delivery; pass it on with its number in the `_delivery` label, or, past
        the task's attempts, record a dead letter and acknowledge it unrun."""
        try:
            message = self.formatter.loads(delivery.data)
        except Exception:  # noqa: BLE001 - the receiver logs it and acknowledges it
            return delivery
        count, first_seen = await self._count(message.task_id)
        if count > self._limit(message):
            await self._bury_lost(delivery, message, count - 1, first_seen)
            return None
        message.labels[DELIVERY] = str(count)
        message.labels_types = {**(message.labels_types or {}), DELIVERY: LabelType.INT.value}
        return AckableMessage(data=self.formatter.dumps(message).message, ack=delivery.ack)

    def _limit(self, message: TaskiqMessage) -> int:
        try:
            return int(message.labels.get("max_retries", self.default_max_attempts))
        except (TypeError, ValueError):
            return self.default_max_attempts

    async def _count(self, task_id: str) -> tuple[int, datetime]:
        key = self._deliveries_key(task_id)
        async with Redis(connection_pool=self.connection_pool) as redis:
            pipe = redis.pipeline(transaction=True)
            pipe.hincrby(key, "n", 1)
            pipe.hsetnx(key, "first", datetime.now(UTC).isoformat())
            pipe.expire(key, DELIVERIES_TTL_S)
            pipe.hget(key, "first")
            count, _, _, first = await pipe.execute()
        return int(count), datetime.fromisoformat(first.decode())

    async def _bury_lost(
        self, delivery: AckableMessage, message: TaskiqMessage, started: int, first: datetime
    ) -> None:
        failure = failure_of(
            message,
            error_type="WorkerLost",
            error_message=(
                f"Delivered {started} times without finishing: the worker stopped each time"
                " (a crash, a kill or running out of memory)."
            ),
            trace="",
            attempts=started,
            first_seen=first,
        )
        try:
            await bury(failure)
        except Exception:  # noqa: BLE001 - left unacknowledged, it comes back and is tried again
            logger.exception("could not record a dead letter", extra={"task_id": message.task_id})
            return
        await maybe_awaitable(delivery.ack())
        await self.forget_deliveries(message.task_id)
