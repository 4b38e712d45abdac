"""Redis connections that never lose a cancellation.

redis-py (from 8, whose default socket timeout is 5 s) sends each command through
`asyncio.wait_for`; on Python 3.11 that drops a cancellation arriving just as the send
completes. The task goes on as if never cancelled: taskiq's receiver, which stops by cancelling
its blocked stream read, then waits forever for a read that loops on (every empty read sends
the next), and a worker or a test never finishes stopping. A connection of this pool raises the
dropped cancellation again right after the send; the task still counts it
(`Task.cancelling()`), which is how it is told apart from a send that was never cancelled."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool


class _KeepsCancellation(AbstractConnection):
    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        task = asyncio.current_task()
        requested = task.cancelling() if task is not None else 0
        await super().send_packed_command(command, check_health)
        if task is not None and task.cancelling() > requested:
            # The command is sent but its reply will never be read: the connection is spoiled.
            await self.disconnect(nowait=True)
            raise asyncio.CancelledError


_made: dict[type[AbstractConnection], type[AbstractConnection]] = {}


def _keeping(connection_class: type[AbstractConnection]) -> type[AbstractConnection]:
    if issubclass(connection_class, _KeepsCancellation):
        return connection_class
    if connection_class not in _made:
        bases = (_KeepsCancellation, connection_class)
        _made[connection_class] = type(connection_class.__name__, bases, {})
    return _made[connection_class]


def keep_cancellations(pool: ConnectionPool) -> None:
    """Make the connections `pool` opens from now on (of the class its URL chose: TCP, TLS or
    a Unix socket) raise a cancellation their send dropped."""
    pool.connection_class = _keeping(pool.connection_class)
