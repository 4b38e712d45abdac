"""The event bus: Redis pub/sub when REDIS_URL is set, in-process otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

SUBSCRIBER_QUEUE = 1000

# Called once the subscription is live: a caller that must not miss a change published after
# some check of its own (a socket re-checking its credentials) repeats that check then.
OnReady = Callable[[], None]


class EventBus(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str, *, on_ready: OnReady | None = None
    ) -> AsyncIterator[dict[str, Any]]: ...

    async def subscriber_count(self, channel: str) -> int: ...

    async def close(self) -> None: ...


class InProcessBus:
    """Fan-out to subscribers of this process; a slow subscriber drops its oldest messages."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    async def subscribe(
        self, channel: str, *, on_ready: OnReady | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE)
        self._subscribers[channel].add(queue)
        try:
            if on_ready is not None:
                on_ready()
            while True:
                yield await queue.get()
        finally:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                del self._subscribers[channel]

    async def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus:
    """Redis pub/sub: every API process receives what any dispatcher publishes."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(channel, json.dumps(message))

    async def subscribe(
        self, channel: str, *, on_ready: OnReady | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(channel)
            if _cancel_swallowed():
                raise asyncio.CancelledError
            async for raw in pubsub.listen():
                kind = raw.get("type")
                if kind == "message":
                    yield json.loads(raw["data"])
                elif kind == "subscribe" and on_ready is not None:
                    on_ready()  # the server's confirmation: from here nothing is missed
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(channel)
            await pubsub.aclose()

    async def subscriber_count(self, channel: str) -> int:
        """Listeners on the channel across every process (PUBSUB NUMSUB)."""
        counts = await self._redis.pubsub_numsub(channel)
        return int(counts[0][1]) if counts else 0

    async def close(self) -> None:
        await self._redis.aclose()


def _cancel_swallowed() -> bool:
    """Python 3.11's `asyncio.wait_for`, which redis-py sends commands through, drops a
    cancellation that arrives just as the send completes; the task still counts it. Without
    this check such a subscriber listens on forever and whoever awaits its end hangs."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def make_bus(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
