"""The Starlette application: routes, middleware, lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import wabotiq.areas  # noqa: F401 - every area registers its models before the database opens
from wabotiq.api.middleware import (
    AuthMiddleware,
    BodyLimitMiddleware,
    DatabaseOutageMiddleware,
    RequestIdMiddleware,
)
from wabotiq.api.schema import build_schema
from wabotiq.api.view import GraphQLView
from wabotiq.api.webhooks import twilio_webhook, whatsapp_webhook
from wabotiq.core.settings import Settings
from wabotiq.db.connection import close_db, init_db
from wabotiq.runtime import Runtime
from wabotiq.search import runtime as search_runtime


async def healthz(request: Request) -> JSONResponse:
    health = request.app.state.runtime.db_health
    failure = await health.check()
    if failure is not None:
        return JSONResponse(
            {"status": "unhealthy", "database": type(failure).__name__},
            503,
            headers={"Retry-After": str(health.retry_after_s)},
        )
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(settings: Settings, *, database_url: str, manage_db: bool = True) -> Starlette:
    """Build the app; with `manage_db` its lifespan opens and closes the database pool."""
    runtime = Runtime.from_settings(settings)
    search_runtime.configure(settings)
    view = GraphQLView(build_schema(settings), runtime=runtime)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings, database_url)
        await runtime.start_background(database_url)
        try:
            yield
        finally:
            await runtime.stop_background()
            await search_runtime.close()
            if manage_db:
                await close_db()

    # Outermost, so every layer (auth, cost budgets, sign-in throttling) sees the real client.
    proxies = [Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)]
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/webhooks/twilio/{channel_id}", twilio_webhook, methods=["POST"]),
            Route("/webhooks/whatsapp/{channel_id}", whatsapp_webhook, methods=["GET", "POST"]),
        ],
        middleware=[
            *(proxies if settings.trusted_proxies else []),
            Middleware(RequestIdMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "x-tenant-id",
                    "x-tenant-api-key",
                    "x-request-id",
                ],
                expose_headers=["x-request-id"],
                max_age=600,
            ),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                upload_max_bytes=settings.max_document_bytes,
            ),
            Middleware(DatabaseOutageMiddleware, runtime=runtime),
            Middleware(AuthMiddleware, runtime=runtime),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app
