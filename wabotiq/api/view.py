"""The Strawberry ASGI view: builds the typed context from what the middleware resolved."""

from __future__ import annotations

from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from wabotiq.api.schema import LOADERS
from wabotiq.api.sockets import TenantSocketHandler, socket_principal
from wabotiq.auth.principal import ANONYMOUS
from wabotiq.db.health import UNAVAILABLE_CODE as UNAVAILABLE
from wabotiq.resolvers.context import Context
from wabotiq.resolvers.loaders import LoaderFactories, Loaders
from wabotiq.runtime import Runtime

# A cross-site HTML form can post `multipart/form-data` without a CORS preflight, but it cannot
# set any of these headers: a multipart request must carry one (the GraphQL multipart request
# spec's CSRF advice). Our credentials travel in headers, so real clients send one anyway.
PREFLIGHT_HEADERS = (
    "authorization",
    "x-tenant-api-key",
    "graphql-require-preflight",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)


class GraphQLView(GraphQL):  # type: ignore[type-arg]
    graphql_transport_ws_handler_class = TenantSocketHandler

    def __init__(
        self, schema: Any, *, runtime: Runtime, loaders: LoaderFactories = LOADERS
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if runtime.settings.introspection else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=runtime.settings.max_subscriptions_per_connection,
            multipart_uploads_enabled=True,
        )
        self.runtime = runtime
        Loaders.check(loaders)
        self.loader_factories = loaders

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        if not any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise HTTPException(
                400, "Multipart requests need a non-simple header, e.g. GraphQL-Require-Preflight."
            )
        return await super().parse_multipart(request)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: Any,
        context: Any,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        """An operation the database failed to serve (masking turned its failure into
        SERVICE_UNAVAILABLE) is answered 503 with `Retry-After` and that one error."""
        result = await super().execute_operation(
            request=request,
            request_adapter=request_adapter,
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )
        if not isinstance(result, ExecutionResult):
            return result
        error = next(
            (e for e in result.errors or [] if (e.extensions or {}).get("code") == UNAVAILABLE),
            None,
        )
        if error is None:
            return result
        sub_response.status_code = 503
        sub_response.headers["retry-after"] = str(self.runtime.db_health.retry_after_s)
        return ExecutionResult(data=None, errors=[error], extensions=result.extensions)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.get("state", {})
        client = request.client.host if request.client else ""
        return Context(
            runtime=self.runtime,
            principal=state.get("principal", ANONYMOUS),
            request_id=state.get("request_id", ""),
            loaders=Loaders(self.loader_factories),
            request=request,
            response=response,
            client_key=client,
        )

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        """The principal of a socket comes from `connection_init`, never from the client later
        (the socket re-runs those same credentials when its tenant's access changes)."""
        principal = await socket_principal(context.connection_params, self.runtime.signer)
        if principal is None:
            raise ConnectionRejectionError({"reason": "unauthorized"})
        context.principal = principal
