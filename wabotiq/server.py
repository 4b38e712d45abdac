"""Run the API (and, with `up`, the demo tenant) under uvicorn in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import uvicorn

from wabotiq.app import create_app
from wabotiq.core.settings import Settings, StartupError
from wabotiq.db.bootstrap import Database, connect, resolve_database
from wabotiq.db.connection import close_db
from wabotiq.tenancy.migrate import migrate_all

logger = logging.getLogger(__name__)


async def serve(settings: Settings, *, seed_demo: bool, port: int | None) -> int:
    """Listen, start the database (embedded if unset), migrate, optionally seed, serve until
    Ctrl-C."""
    # The port first: a second `wabotiq up` fails at once, before it touches the database.
    with listen(settings.host, settings.port if port is None else port) as sock:
        database = resolve_database(settings)
        try:
            await connect(settings, database)
            try:
                await _serve(settings, database, sock, seed_demo=seed_demo)
            finally:
                await close_db()
        finally:
            database.stop()
    return 0


def listen(host: str, port: int) -> socket.socket:
    """The API's listening socket, or a one-line `StartupError` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise StartupError(
            f"cannot listen on {host}:{port}: {reason} (choose another with --port or PORT)"
        ) from exc


async def _serve(
    settings: Settings, database: Database, sock: socket.socket, *, seed_demo: bool
) -> None:
    report = await migrate_all(concurrency=settings.migrate_concurrency)
    if not report.ok:
        print(f"warning: tenant migrations failed: {report.failed}", flush=True)
    app = create_app(settings, database_url=database.url, manage_db=False)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=port,
        log_config=None,
        lifespan="on",
        # The app reads X-Forwarded-For itself, from TRUSTED_PROXIES only.
        proxy_headers=False,
        ws="websockets-sansio" if _has_sansio() else "auto",
        ws_max_size=settings.max_body_bytes,  # the app refuses bigger ones too (1009)
    )
    server = uvicorn.Server(config)
    demo = None
    if seed_demo:
        from wabotiq.demo import ensure_demo_tenant

        demo = await ensure_demo_tenant(settings)
    # The in-process worker's tasks get the API's runtime: one cipher, one bus, one settings.
    app.state.runtime.serve_tasks()
    async with _workers(settings, enabled=seed_demo):
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if demo is not None and server.started:
            _announce(settings, port, demo)
        await serving


@contextlib.asynccontextmanager
async def _workers(settings: Settings, *, enabled: bool) -> AsyncIterator[None]:
    """`wabotiq up` runs the worker and the scheduler in this process too, and builds the
    search index of any tenant that has none yet (or one from another embedding model)."""
    if not enabled:
        yield
        return
    from taskiq import InMemoryBroker
    from taskiq.api import run_receiver_task, run_scheduler_task

    from wabotiq.workers.broker import start_broker, stop_broker
    from wabotiq.workers.scheduler import broker, scheduler

    await start_broker()
    every = timedelta(seconds=settings.scheduler_update_interval_s)
    background = [
        asyncio.create_task(run_scheduler_task(scheduler, interval=every)),
        asyncio.create_task(_index_stale_tenants(settings)),
    ]
    if not isinstance(broker, InMemoryBroker):
        background.append(asyncio.create_task(run_receiver_task(broker)))
    try:
        yield
    finally:
        for task in background:
            task.cancel()
        await asyncio.wait(background, timeout=10)
        await stop_broker()


async def _index_stale_tenants(settings: Settings) -> None:
    from wabotiq.search.runtime import configure
    from wabotiq.tenancy.service import list_tenants

    engine = configure(settings)
    for tenant in await list_tenants():
        try:
            await engine.ensure_indexed(tenant.id)
        except Exception:  # noqa: BLE001 - the next start or `wabotiq search reindex` retries
            logger.exception("search indexing failed", extra={"tenant": tenant.slug})


def _has_sansio() -> bool:
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
    except ImportError:
        return False
    return True


def _announce(settings: Settings, port: int, demo: dict[str, str]) -> None:
    host = "127.0.0.1" if settings.host in {"0.0.0.0", "127.0.0.1", "::"} else settings.host
    print(
        "\n".join(
            [
                "",
                f"WabotIQ is up: http://{host}:{port}/graphql",
                f"  demo tenant:  {demo['slug']} (X-Tenant-ID: {demo['tenant_id']})",
                f"  owner login:  {demo['owner_email']} / {demo['owner_password']}",
                f"  API key:      {demo['api_key']}",
                "  Ctrl-C stops it"
                + ("." if settings.database_url else " and the embedded database."),
                "",
            ]
        ),
        flush=True,
    )
