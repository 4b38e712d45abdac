"""A Redis stream read cancelled at any point ends: taskiq's receiver stops by cancelling its
read and waits for it, so a cancellation lost in the client would hang every stopping worker."""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
import redis.asyncio as aioredis

from tests.support.polling import DEADLINE_S
from wabotiq.core.settings import Settings
from wabotiq.workers.broker import make_broker
from wabotiq.workers.brokers import StreamBroker

pytestmark = pytest.mark.redis


async def test_a_stream_read_cancelled_at_any_point_of_its_commands_ends(settings: Settings):
    redis_url = os.environ["REDIS_URL"]
    queue = f"wabotiq-test-{secrets.token_hex(4)}"
    broker = make_broker(settings.model_copy(update={"redis_url": redis_url}), queue_name=queue)
    assert isinstance(broker, StreamBroker)
    await broker.startup()
    try:
        for turns in range(40):
            reads = broker.listen()
            read = asyncio.create_task(anext(reads))  # type: ignore[arg-type]
            for _ in range(turns):  # let it get that far into sending its read
                await asyncio.sleep(0)
            read.cancel()
            done, _ = await asyncio.wait([read], timeout=DEADLINE_S)
            assert done == {read}, f"still reading after a cancel at turn {turns}"
            assert read.cancelled()
            await reads.aclose()
    finally:
        await broker.shutdown()
        client = aioredis.from_url(redis_url)
        try:
            await client.delete(queue)
        finally:
            await client.aclose()
