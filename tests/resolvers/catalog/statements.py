"""Count the SQL statements a block of code sends, through every asyncpg connection it uses.

Every statement leaves through one of asyncpg's `Connection` query methods (the ORM, raw SQL,
the pool's per-acquire `setup` and its `RESET` on release, transactions). Patching them on the
class catches all of them, and a contextvar limits the count to the calling task and the tasks
it starts (a request served in-process), so the outbox dispatcher's background work does not
muddle it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg
import pytest

_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval", "fetchmany", "prepare")
_sink: ContextVar[list[str] | None] = ContextVar("sql_statements", default=None)


def _counting(original: Callable[..., Any]) -> Callable[..., Any]:
    async def method(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sink = _sink.get()
        if sink is not None:
            sink.append(" ".join(query.split()))
        return await original(self, query, *args, **kwargs)

    return method


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _METHODS:
        monkeypatch.setattr(
            asyncpg.connection.Connection, name, _counting(getattr(asyncpg.Connection, name))
        )


@contextmanager
def recorded() -> Iterator[list[str]]:
    """The statements sent inside the block (by this task and the tasks it starts)."""
    statements: list[str] = []
    token = _sink.set(statements)
    try:
        yield statements
    finally:
        _sink.reset(token)
