"""A worker process for the killed-worker tests: `python -m tests.workers.killed_worker POINT
MARKER` runs the app's broker and its conversation tasks with settings from the environment, as
`wabotiq worker` does, and dies (exit KILLED_EXIT, no clean-up, no acknowledgement) at POINT
unless the MARKER file exists: a worker started after it finds the marker and works normally.

POINT is `responder` (while the turn is being answered, before anything is committed) or
`sent` (right after the provider accepted the reply, before the row records it and before the
task is acknowledged). The responder and the transport are handed in through `install`, the
way the code takes them; nothing of ours is patched."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import httpx
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask
from taskiq.api import run_receiver_task

import wabotiq.workers.conversations  # noqa: F401 - registers the drain on the app's broker
from wabotiq.agent.turn import Reply, Turn
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import get_settings
from wabotiq.workers.broker import broker
from wabotiq.workers.messaging import Messaging, install

KILLED_EXIT = 19
TICK = "test.killed.tick"
POINTS = ("responder", "sent")


def register_tick(broker: AsyncBroker) -> AsyncTaskiqDecoratedTask[[], None]:
    """A no-op task, in the workers and in the test: a stream worker reclaims a dead worker's
    messages only after a read returns something, and the test sends ticks for it to read (the
    scheduler's heartbeat does in production)."""

    @broker.task(task_name=TICK)
    async def tick_task() -> None:
        return None

    return tick_task


def reply_to(texts: list[str]) -> str:
    return "re: " + " + ".join(texts)


def _die_once(marker: Path) -> None:
    if marker.exists():
        return
    marker.touch()
    os._exit(KILLED_EXIT)  # as SIGKILL or the OOM killer would: nothing flushed, nothing acked


class Replies:
    """Answers each turn with one line naming its texts; first dies once when given a marker."""

    def __init__(self, marker: Path | None) -> None:
        self.marker = marker

    async def respond(self, turn: Turn) -> Reply:
        if self.marker is not None:
            _die_once(self.marker)
        return Reply(texts=[reply_to([message.text for message in turn.messages])])


class DieAfterSend(httpx.AsyncBaseTransport):
    """The real HTTP transport, dying once right after a response came back in full."""

    def __init__(self, marker: Path) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.marker = marker

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        _die_once(self.marker)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def main(point: str, marker: Path) -> None:
    if point not in POINTS:
        raise SystemExit(f"POINT must be one of {POINTS}, not {point!r}")
    settings = get_settings()
    register_tick(broker)
    broker.is_worker_process = True
    await broker.startup()  # a worker's start-up: the database pool, the agent warmed up
    # After start-up, so that nothing it installs comes after ours.
    install(
        Messaging(
            settings=settings,
            cipher=FieldCipher(settings),
            responder=Replies(marker if point == "responder" else None),
            transport=DieAfterSend(marker) if point == "sent" else None,
        )
    )
    await run_receiver_task(broker)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
