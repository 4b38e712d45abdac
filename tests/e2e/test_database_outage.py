"""The database goes away under a running server and comes back: 503s with a JSON GraphQL error
and `Retry-After` meanwhile, one log line each way, normal answers after; `/healthz` says so."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from tests.conftest import LOGIN, MakeTenant, gql
from tests.support.polling import eventually
from wabotiq.app import create_app
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.connection import credentials_from_url, init_db
from wabotiq.db.outbox import emit

ME = "{ me { kind tenant { slug } } }"
DOWN = "database unavailable"
UP = "database available again"


@dataclass
class _Session:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    listens: bool = False  # it sent LISTEN: the outbox dispatcher's connection

    def drop(self) -> None:
        self.client.transport.abort()
        self.server.transport.abort()


class Proxy:
    """A TCP proxy in front of the test database. `cut()` refuses new connections and drops the
    open ones, as a database that is gone would, but spares the sessions that LISTEN: so the
    server's outbox dispatcher still hears a commit made meanwhile and must meet the outage
    itself. `restore()` listens again on the same port."""

    def __init__(self, database_url: str) -> None:
        self.creds = credentials_from_url(database_url)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._sessions: list[_Session] = []

    @property
    def url(self) -> str:
        c = self.creds
        return f"postgresql://{c['user']}:{c['password']}@127.0.0.1:{self.port}/{c['database']}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    restore = start

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for session in [s for s in self._sessions if not s.listens]:
            session.drop()
            self._sessions.remove(session)

    async def close(self) -> None:
        await self.cut()
        for session in self._sessions:
            session.drop()

    async def _upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host, port = self.creds["host"], self.creds["port"]
        if host.startswith("/"):  # the embedded server listens on a Unix socket only
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await self._upstream()
        session = _Session(client=writer, server=up_writer)
        self._sessions.append(session)
        await asyncio.gather(
            self._pipe(reader, up_writer, session),
            self._pipe(up_reader, writer, None),
            return_exceptions=True,
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: _Session | None
    ) -> None:
        try:
            while data := await reader.read(65536):
                if session is not None and b"LISTEN" in data:
                    session.listens = True
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()


async def _commit_an_event(tenant_id: str) -> None:
    """A committed outbox row in the tenant (straight to the database, not through the proxy):
    its NOTIFY wakes every dispatcher listening."""
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            await emit(
                aggregate_type="outage_test", aggregate_id=tenant_id, event_type="noted", payload={}
            )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(settings: Settings, database_url: str, data_dir: Path) -> dict[str, str]:
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        JWT_KEYS=json.dumps(settings.jwt_keys),
        JWT_ACTIVE_KID=settings.jwt_active_kid or "",
        FIELD_ENCRYPTION_KEYS=",".join(settings.field_encryption_keys),
        LOOKUP_HASH_KEY=settings.lookup_hash_key or "",
        DB_RETRY_AFTER_S="7",
    )
    return env


async def _until(check: Any, what: str, deadline_s: float = 90) -> Any:
    deadline = time.monotonic() + deadline_s
    while True:
        with contextlib.suppress(httpx.TransportError):
            if result := await check():
                return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def _serving(env: dict[str, str], log: Path) -> AsyncIterator[httpx.AsyncClient]:
    """`wabotiq serve` in a subprocess, its JSON logs in `log`, stopped with SIGTERM."""
    port = _free_port()
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "wabotiq.cli", "serve", "--port", str(port)],
            env=env,
            cwd=log.parent,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

            async def healthy() -> bool:
                assert process.poll() is None, log.read_text()
                return (await http.get("/healthz")).status_code == 200

            await _until(healthy, "the server to start")
            yield http
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 60)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "database is unavailable" in error["message"]


def _log_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


async def _logged(log: Path, message: str) -> bool:
    return any(line["message"] == message for line in _log_lines(log))


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[Proxy]:
    made = Proxy(database_url)
    await made.start()
    yield made
    await made.close()


async def test_a_database_outage_answers_503_until_it_is_back_and_logs_once_each_way(
    proxy: Proxy, settings: Settings, make_tenant: MakeTenant, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    log = tmp_path / "server.log"
    credentials = {"email": tenant.owner_email, "password": tenant.password}
    login_body = {"query": LOGIN, "variables": credentials}
    me_body = {"query": ME}
    async with _serving(_server_env(settings, proxy.url, tmp_path), log) as http:
        signed_in = await gql(http, LOGIN, credentials)
        token = signed_in["data"]["login"]["session"]["accessToken"]
        bearer = {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant.id}
        assert (await gql(http, ME, headers=bearer))["data"]["me"]["tenant"]["slug"] == tenant.slug

        await proxy.cut()
        # The server's dispatcher hears this commit and meets the outage first: its one line.
        await _commit_an_event(tenant.id)
        await _until(lambda: _logged(log, DOWN), "the dispatcher to report the outage")
        for _ in range(3):  # every request while it is down, not just the first
            for headers in (bearer, tenant.key_headers()):
                _assert_unavailable(await http.post("/graphql", json=me_body, headers=headers))
            _assert_unavailable(await http.post("/graphql", json=login_body))
            health = await http.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "unhealthy"
            assert health.headers["retry-after"] == "7"

        await proxy.restore()
        # Nobody asks: the health's background probe notices the database is back by itself.
        await _until(lambda: _logged(log, UP), "the database-is-back log line")

        async def answered() -> bool:
            response = await http.post("/graphql", json=me_body, headers=bearer)
            return response.status_code == 200

        await _until(answered, "normal answers after the database came back")
        again = await gql(http, LOGIN, credentials)
        assert again["_status"] == 200 and again["data"]["login"]["session"]["accessToken"]
        me = await gql(http, ME, headers=tenant.key_headers())
        assert me.get("errors") is None and me["data"]["me"]["kind"] == "API_KEY"
        assert (await http.get("/healthz")).json() == {"status": "ok", "database": "ok"}

    lines = _log_lines(log)
    changes = [line for line in lines if line["message"] in {DOWN, UP}]
    assert [line["message"] for line in changes] == [DOWN, UP], changes
    assert changes[0]["level"] == "warning" and changes[0]["reason"]
    assert not [line for line in lines if "exception" in line], "a traceback was logged"
    assert "Traceback" not in log.read_text()


async def test_healthz_is_503_while_the_database_is_away_and_ok_once_it_is_back(
    proxy: Proxy, settings: Settings
) -> None:
    """In process: an app whose pool reaches the database through the proxy. The pool lives in
    a Tortoise context of its own (as a second database would), so the suite's stays as it is."""
    async with TortoiseContext():
        await init_db(settings, proxy.url)  # into this context: the app's own way to connect
        app = create_app(
            settings.model_copy(update={"db_retry_after_s": 7}),
            database_url=proxy.url,
            manage_db=False,
        )
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                healthy = await http.get("/healthz")
                assert healthy.status_code == 200, healthy.text
                assert healthy.json() == {"status": "ok", "database": "ok"}

                await proxy.cut()
                for _ in range(2):  # the pool's dropped connections, then refused new ones
                    down = await http.get("/healthz")
                    assert down.status_code == 503, down.text
                    assert down.headers["content-type"] == "application/json"
                    assert down.headers["retry-after"] == "7"
                    body = down.json()
                    assert set(body) == {"status", "database"}, body
                    assert body["status"] == "unhealthy"
                    assert body["database"].endswith("Error"), body  # what failed, by type

                await proxy.restore()

                async def healthy_again() -> bool:
                    response = await http.get("/healthz")
                    return response.status_code == 200 and response.json() == {
                        "status": "ok",
                        "database": "ok",
                    }

                await eventually(healthy_again, "/healthz healthy after the database came back")
        finally:
            await app.state.runtime.db_health.close()
