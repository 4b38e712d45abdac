"""Pure-ASGI middleware: request id, body limit, and credentials → principal → tenant."""

from __future__ import annotations

import json
import secrets

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wabotiq.auth.authenticate import TenantSuspended, Unauthenticated, authenticate
from wabotiq.auth.principal import ANONYMOUS
from wabotiq.core.logs import request_id_var
from wabotiq.core.tenant import reset_tenant, set_tenant
from wabotiq.db.health import connection_error, unavailable_error
from wabotiq.runtime import Runtime


async def send_json(
    send: Send,
    status: int,
    body: dict[str, object],
    request_id: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"x-request-id", request_id.encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _error(message: str, code: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming one) and echo it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isprintable() else ""
        request_id = request_id or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodyTooLarge(Exception):
    pass


# Room for the operation, the file map and the part headers around an uploaded document.
MULTIPART_SLACK_BYTES = 64 * 1024
UPLOAD_PATHS = frozenset({"/graphql"})


# RFC 6455: the close code of an endpoint refusing a message too big to process.
WS_MESSAGE_TOO_BIG = 1009


def _ws_message_size(message: Message) -> int:
    text = message.get("text")
    return len(text.encode()) if text is not None else len(message.get("bytes") or b"")


class BodyLimitMiddleware:
    """Refuse request bodies over the limit with 413, by header or by counting the stream,
    and WebSocket messages over it by closing the socket with 1009.

    Multipart requests to the GraphQL route carry uploaded documents, so they may hold up to
    `upload_max_bytes` plus the form around it; every other body keeps the small limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = (
            max_bytes
            if upload_max_bytes is None
            else max(max_bytes, upload_max_bytes + MULTIPART_SLACK_BYTES)
        )

    def _limit(self, scope: Scope, headers: Headers) -> int:
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        if scope["path"] in UPLOAD_PATHS and media_type == "multipart/form-data":
            return self.upload_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id", "")
        headers = Headers(scope=scope)
        limit = self._limit(scope, headers)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await send_json(
                send, 413, _error("Request body too large.", "PAYLOAD_TOO_LARGE"), request_id
            )
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_json(
                    send, 413, _error("Request body too large.", "PAYLOAD_TOO_LARGE"), request_id
                )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Here, not only in the server's settings, so the limit holds under any server: the
        app gets a disconnect instead of the message, and nothing it sends after goes out."""
        closed = False

        async def limited_receive() -> Message:
            nonlocal closed
            message = await receive()
            if message["type"] == "websocket.receive" and (
                _ws_message_size(message) > self.max_bytes
            ):
                closed = True
                reason = "Message too big."
                await send(
                    {"type": "websocket.close", "code": WS_MESSAGE_TOO_BIG, "reason": reason}
                )
                return {
                    "type": "websocket.disconnect",
                    "code": WS_MESSAGE_TOO_BIG,
                    "reason": reason,
                }
            return message

        async def guarded_send(message: Message) -> None:
            if not closed:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


class DatabaseOutageMiddleware:
    """A request that meets an unreachable database before its response has started (checking
    its credentials, say) gets 503 with a GraphQL error and `Retry-After`, not a 500 and a
    traceback; the runtime's database health logs the outage once. (Inside GraphQL execution
    the error masking and the view do the same.)"""

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.health = runtime.db_health

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            cause = connection_error(exc)
            if cause is None or started:
                raise
            self.health.failed(cause)
            request_id = scope.get("state", {}).get("request_id", "")
            await send_json(
                send,
                503,
                {"errors": [unavailable_error(self.health.retry_after_s)]},
                request_id,
                headers=[(b"retry-after", str(self.health.retry_after_s).encode())],
            )


WEBHOOKS = "/webhooks/"


class AuthMiddleware:
    """Resolve the principal once, at the edge, and route the rest of the request to its tenant.

    WebSocket connections authenticate in `connection_init` instead (see the GraphQL view).
    """

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        # Webhooks carry the provider's signature, not ours: they find their tenant themselves.
        if (
            scope["type"] != "http"
            or scope["path"] in {"/healthz", "/metrics"}
            or scope["path"].startswith(WEBHOOKS)
        ):
            state.setdefault("principal", ANONYMOUS)
            await self.app(scope, receive, send)
            return
        request_id = state.get("request_id", "")
        try:
            principal = await authenticate(headers=Headers(scope=scope), signer=self.runtime.signer)
        except Unauthenticated:
            await send_json(send, 401, _error("Unauthorized.", "UNAUTHENTICATED"), request_id)
            return
        except TenantSuspended:
            await send_json(
                send, 403, _error("This tenant is suspended.", "TENANT_SUSPENDED"), request_id
            )
            return
        state["principal"] = principal
        token = set_tenant(principal.tenant)
        try:
            await self.app(scope, receive, send)
        finally:
            reset_tenant(token)
