"""Wait for a state by polling it, within a deadline generous enough for a loaded machine."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# Seconds, not milliseconds: the tests share two cores with other work, and the states they
# wait for (a dispatched outbox, an indexed product, a listening subscription) pass through
# background tasks, a worker and sometimes Redis.
DEADLINE_S = 20.0
POLL_S = 0.05


async def eventually(
    check: Callable[[], Awaitable[object]],
    what: str = "the condition",
    *,
    deadline_s: float = DEADLINE_S,
) -> None:
    """Poll `check` until it returns something true; fail naming `what` past the deadline, also
    when a check is still waiting then (a read that never returns), and also when a library
    drops the cancellation that would have stopped it (the time is checked between polls)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    failure = AssertionError(f"never happened within {deadline_s:g} s: {what}")
    bound = asyncio.timeout_at(deadline)
    try:
        async with bound:
            while not await check():
                if loop.time() > deadline:
                    raise failure
                await asyncio.sleep(POLL_S)
    except TimeoutError:
        if bound.expired():
            raise failure from None
        raise
