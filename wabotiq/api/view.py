"""The Strawberry ASGI view: strict request parsing with coded JSON refusals, and the typed
context built from what the middleware resolved."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from wabotiq.api.schema import LOADERS
from wabotiq.api.sockets import TenantSocketHandler, socket_principal
from wabotiq.auth.principal import ANONYMOUS
from wabotiq.db.health import UNAVAILABLE_CODE as UNAVAILABLE
from wabotiq.graphql.extensions.document import operation_resolution_error
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


def http_error_response(exc: HTTPException) -> JSONResponse:
    """A refused request as a GraphQL response body, coded by its status (e.g. BAD_REQUEST)."""
    try:
        code = HTTPStatus(exc.status_code).name
    except ValueError:
        code = "BAD_REQUEST"
    body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=exc.status_code)


# Coded errors of requests refused before execution: the request was at fault, so over HTTP the
# answer is a 4xx (the GraphQL-over-HTTP spec's 400 for request errors), not a 200.
REQUEST_ERROR_CODES = frozenset(
    {
        "OPERATION_RESOLUTION_FAILURE",
        "MAX_FRAGMENTS_EXCEEDED",
        "MAX_SELECTIONS_EXCEEDED",
        "MAX_FIELD_REPEATS_EXCEEDED",
        "BAD_USER_INPUT",
    }
)


def refused_before_execution(result: ExecutionResult) -> bool:
    """No data and only request-level errors (no path: no field ran) of the codes above."""
    return (
        result.data is None
        and bool(result.errors)
        and all(
            error.path is None and (error.extensions or {}).get("code") in REQUEST_ERROR_CODES
            for error in result.errors or []
        )
    )


def _file_map(value: object) -> dict[str, list[str]]:
    """The multipart `map`: form field name → the operation paths its file goes to."""
    if not isinstance(value, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in value.values()
    ):
        raise HTTPException(400, "The multipart `map` must map field names to lists of paths.")
    return value


class GraphQLView(GraphQL[Context, None]):
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # As Strawberry's own `__call__`, but a refused request gets a JSON GraphQL error
        # (clients parse every answer of this route as JSON) instead of plain text.
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = http_error_response(exc)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        """JSON of a GraphQL-over-HTTP request: UTF-8, and an object (or a batch's array)."""
        try:
            text = data.decode() if isinstance(data, bytes) else data
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "The request body must be UTF-8 encoded JSON.") from exc
        try:
            parsed = self.decode_json(text)
        except json.JSONDecodeError as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "A GraphQL request must be a JSON object.")
        return parsed

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        for item in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null."
                )
        return parsed

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            cause = exc.__cause__
            if not isinstance(cause, CannotGetOperationTypeError):
                raise
            # A request error of a well-formed request: nothing executed; coded, and answered
            # 400 like the other request errors (see `execute_operation`).
            return ExecutionResult(data=None, errors=[operation_resolution_error(cause)])

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        if not any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise HTTPException(
                400, "Multipart requests need a non-simple header, e.g. GraphQL-Require-Preflight."
            )
        try:
            form = await request.get_form_data()
        except ValueError as exc:
            raise HTTPException(400, "Unable to parse the multipart body") from exc
        fields = [form.form.get(name, "{}") for name in ("operations", "map")]
        if not all(isinstance(field, str | bytes) for field in fields):
            raise HTTPException(400, "The multipart `operations` and `map` must be JSON fields.")
        operations, files_map = (self.parse_json(field) for field in fields)
        try:
            return replace_placeholders_with_files(operations, _file_map(files_map), form.files)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            # The map names a missing file, or a path that is not in the operations.
            raise HTTPException(400, "The multipart `map` does not match the request.") from exc

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: Any,
        context: Any,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        """A request refused before anything ran (its operation cannot be picked, the document
        is over its bounds, a variable holds text Postgres cannot store) is answered 400; an
        operation the database failed to serve (masking turned its failure into
        SERVICE_UNAVAILABLE) 503 with `Retry-After` and that one error."""
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
        if refused_before_execution(result):
            sub_response.status_code = 400
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

    async def on_ws_connect(self, context: Context) -> None:
        """The principal of a socket comes from `connection_init`, never from the client later
        (the socket re-runs those same credentials when its tenant's access changes)."""
        principal = await socket_principal(context.connection_params, self.runtime.signer)
        if principal is None:
            raise ConnectionRejectionError({"reason": "unauthorized"})
        context.principal = principal
