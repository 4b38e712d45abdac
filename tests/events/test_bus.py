"""The event bus: a subscription says when it is live, and ends whenever it is cancelled."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.polling import DEADLINE_S
from wabotiq.events.bus import EventBus, make_bus


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    made = make_bus(os.environ["REDIS_URL"] if request.param == "redis" else None)
    yield made
    await made.close()


def a_channel() -> str:
    return f"wabotiq-test:{uuid.uuid4().hex}"


async def test_once_ready_a_subscription_receives_what_is_published_next(bus: EventBus) -> None:
    channel = a_channel()
    ready = asyncio.Event()

    async def first() -> dict[str, Any]:
        async for message in bus.subscribe(channel, on_ready=ready.set):
            return message
        raise AssertionError("the subscription ended without a message")

    listener = asyncio.create_task(first())
    await asyncio.wait_for(ready.wait(), DEADLINE_S)
    await bus.publish(channel, {"n": 1})
    assert await asyncio.wait_for(listener, DEADLINE_S) == {"n": 1}


async def test_a_subscription_cancelled_at_any_point_of_subscribing_ends(bus: EventBus) -> None:
    """Whoever cancels a subscriber waits for it to end (a socket closing its subscriptions):
    a cancellation lost inside the client library would hang them."""
    channel = a_channel()

    async def listen() -> None:
        async for _ in bus.subscribe(channel):
            pass

    for turns in range(60):
        listener = asyncio.create_task(listen())
        for _ in range(turns):  # let it get that far into subscribing
            await asyncio.sleep(0)
        listener.cancel()
        done, _ = await asyncio.wait([listener], timeout=DEADLINE_S)
        assert done == {listener}, f"still running after cancel at turn {turns}"
    assert await bus.subscriber_count(channel) == 0
