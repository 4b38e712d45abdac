"""The outbox dispatcher stops when asked, whatever it is doing: even as a wake arrives."""

from __future__ import annotations

import asyncio
import contextlib

from tests.conftest import MakeTenant
from tests.support.polling import DEADLINE_S
from wabotiq.core.tenant import schema_for
from wabotiq.db.connection import credentials_from_url
from wabotiq.events.bus import make_bus
from wabotiq.events.dispatcher import Dispatcher


async def _wake_always(dispatcher: Dispatcher, schema: str) -> None:
    while True:
        dispatcher.wake(schema)
        await asyncio.sleep(0)


async def test_stop_ends_the_dispatcher_even_as_wakes_keep_arriving(
    make_tenant: MakeTenant, database_url: str
) -> None:
    """A wake that lands as `stop()` cancels the dispatcher must not swallow the cancellation
    (Python 3.11's `asyncio.wait_for` returns the value instead of raising when both meet):
    the server's shutdown would wait for ever. Wakes arrive on every turn of the loop here, so
    each stop meets the dispatcher at a different point of taking one."""
    schema = schema_for((await make_tenant()).id)  # nothing pending: a wake is a quick look
    dsn = {**credentials_from_url(database_url)}
    dsn["password"] = dsn["password"] or None
    for turns in range(30):
        dispatcher = Dispatcher(make_bus(None), listen_dsn=dsn, sweep_s=3600)
        await dispatcher.start()

        waker = asyncio.create_task(_wake_always(dispatcher, schema))
        try:
            for _ in range(turns * 7):  # somewhere into the stream of wakes
                await asyncio.sleep(0)
            stopping = asyncio.create_task(dispatcher.stop())
            done, _ = await asyncio.wait([stopping], timeout=DEADLINE_S)
            assert done == {stopping}, f"stop() still waiting after {turns * 7} turns"
        finally:
            waker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waker
