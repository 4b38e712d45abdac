"""graphql-transport-ws helpers for whole-flow tests: run operations, wait for the close."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect

# Generous: the machine running the tests is shared and often loaded.
DEADLINE_S = 10.0
POLL_S = 0.02

_ids = itertools.count()


async def run(
    ws: AsyncWebSocketSession, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run one query or mutation over the socket; its result (`data`/`errors`)."""
    op_id = f"op-{next(_ids)}"
    await ws.send_json(
        {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )
    result: dict[str, Any] | None = None
    while True:
        message = await ws.receive_json(timeout=DEADLINE_S)
        assert message.get("id") == op_id, message
        if message["type"] == "next":
            result = message["payload"]
        elif message["type"] == "error":
            return {"data": None, "errors": message["payload"]}
        else:
            assert message["type"] == "complete", message
            assert result is not None, "completed without a result"
            return result


def error_codes(result: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


async def close_code(ws: AsyncWebSocketSession) -> int:
    """The code the server closes the socket with; nothing may arrive before the close."""
    with pytest.raises(WebSocketDisconnect) as closed:
        message = await ws.receive_json(timeout=DEADLINE_S)
        raise AssertionError(f"a message arrived instead of the close: {message}")
    return closed.value.code


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `check` until it holds, within the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(POLL_S)
