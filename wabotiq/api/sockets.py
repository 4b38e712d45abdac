"""graphql-transport-ws sockets: every operation routed to the socket's tenant, and access
changes of that tenant applied to sockets already open, at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from graphql import GraphQLError, OperationType, parse
from graphql.utilities import get_operation_ast
from starlette.websockets import WebSocketDisconnect
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)

from wabotiq.auth.authenticate import TenantSuspended, Unauthenticated, authenticate
from wabotiq.auth.principal import Principal
from wabotiq.auth.tokens import JwtSigner
from wabotiq.core.tenant import tenant_context
from wabotiq.db.outbox import channel
from wabotiq.graphql.requirements import Needs, RequirementIndex, requirement_index
from wabotiq.resolvers.context import Context
from wabotiq.tenancy.access import ACCESS

logger = logging.getLogger(__name__)

FORBIDDEN = 4403  # the code Strawberry closes with when `connection_init` is refused
INTERNAL_ERROR = 1011


async def socket_principal(
    params: Mapping[str, object] | None, signer: JwtSigner
) -> Principal | None:
    """The tenant principal a `connection_init` payload authenticates, or None."""
    headers = {str(k).lower(): v for k, v in (params or {}).items() if isinstance(v, str)}
    try:
        principal = await authenticate(headers=headers, signer=signer)
    except (Unauthenticated, TenantSuspended):
        return None
    if not principal.is_authenticated or principal.tenant is None:
        return None
    return principal


def _subscription_needs(
    index: RequirementIndex, query: str, operation_name: str | None
) -> Needs | None:
    """What a running subscription needs; None for a query or mutation (checked when it
    started, it ends soon, like a request in flight) or a document that fails on its own."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    return index.for_document((query, operation_name), document, operation)


class TenantSocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's handler, plus: the tenant routed for each operation's task, and a watcher
    that re-checks the socket's own credentials whenever the tenant's access changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watcher: asyncio.Task[None] | None = None
        self._closed = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch_access())

    async def handle_message(self, message: Message) -> None:
        if not self._closed:  # closed over an access change: nothing more runs
            await super().handle_message(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # Each operation runs in a task of its own: the tenant set here routes all it does
        # (queries, mutations and subscriptions alike), as the middleware does for a request.
        with tenant_context(self.context.principal.tenant):
            await super().run_operation(operation)

    async def shutdown(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._watcher
        await super().shutdown()

    async def _watch_access(self) -> None:
        """Follow the tenant's access changes while the socket is open; fail closed."""
        try:
            await self._follow_access_changes()
        except Exception:
            logger.exception("access changes could not be followed; closing the socket")
            await self._close(INTERNAL_ERROR, "Access could not be re-checked.")

    async def _follow_access_changes(self) -> None:
        tenant = self.context.principal.tenant
        if tenant is None:  # on_ws_connect admits tenant principals only
            return
        changed = asyncio.Event()
        listener = asyncio.create_task(self._listen(channel(tenant.id, ACCESS), changed))
        try:
            while True:
                await changed.wait()  # a burst of changes is one re-check
                changed.clear()
                if listener.done():
                    listener.result()
                    raise RuntimeError("the access channel ended")
                if not await self._reauthorise():
                    return
        finally:
            listener.cancel()
            await asyncio.wait([listener])  # its subscription ends before the socket does

    async def _listen(self, name: str, changed: asyncio.Event) -> None:
        # Also a check once the subscription is live: a change made between `connection_init`
        # and then was published to nobody.
        try:
            async for _ in self.context.runtime.bus.subscribe(name, on_ready=changed.set):
                changed.set()
        finally:
            changed.set()

    async def _reauthorise(self) -> bool:
        """Re-run the socket's `connection_init` credentials: close it when they no longer
        open its tenant or allow a subscription it runs; else later operations get new scopes."""
        context = self.context
        principal = await socket_principal(context.connection_params, context.runtime.signer)
        if (
            principal is None
            or principal.tenant != context.principal.tenant
            or self._running_denied(principal)
        ):
            await self._close(FORBIDDEN, "Forbidden")
            return False
        context.principal = principal
        return True

    def _running_denied(self, principal: Principal) -> bool:
        index = requirement_index(self.schema._schema)  # type: ignore[attr-defined]  # typed BaseSchema, is a Schema
        for operation in list(self.operations.values()):
            needs = _subscription_needs(index, operation.query, operation.operation_name)
            if needs is not None and index.check(needs, principal) is not None:
                return True
        return False

    async def _close(self, code: int, reason: str) -> None:
        """End every operation first, so none sends anything more, then the socket."""
        if self._closed:
            return
        self._closed = True
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with suppress(RuntimeError, WebSocketDisconnect):  # the client has gone already
            await self.websocket.close(code=code, reason=reason)
