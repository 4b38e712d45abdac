"""graphql-transport-ws helpers: connect, run operations, wait for events or for the close."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from tests.conftest import TenantFixture
from tests.support.polling import DEADLINE_S, eventually
from wabotiq.db.outbox import channel

_ids = itertools.count()


@asynccontextmanager
async def socket(app: Any, headers: dict[str, str]) -> AsyncIterator[AsyncWebSocketSession]:
    """A graphql-transport-ws connection, authenticated in `connection_init` (not headers)."""
    transport = ASGIWebSocketTransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": headers})
            yield ws


async def acknowledged(ws: AsyncWebSocketSession) -> None:
    message = await ws.receive_json(timeout=DEADLINE_S)
    assert message["type"] == "connection_ack", message


async def listening(app: Any, tenant: TenantFixture, count: int, aggregate: str = "order") -> None:
    """Wait until `count` subscriptions of the tenant listen on its `aggregate` channel (the
    protocol has no acknowledgement of a subscription)."""
    bus = app.state.runtime.bus

    async def enough() -> bool:
        return await bus.subscriber_count(channel(tenant.id, aggregate)) >= count

    await eventually(enough, f"{count} subscriptions listening to {aggregate} events")


async def next_events(ws: AsyncWebSocketSession, count: int) -> list[dict[str, Any]]:
    """The next `count` messages, each within the deadline; each must be an event."""
    received = []
    for _ in range(count):
        message = await ws.receive_json(timeout=DEADLINE_S)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        received.append(message)
    return received


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
