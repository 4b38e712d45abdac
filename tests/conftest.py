"""Real Postgres for every test: a throwaway embedded server unless TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import contextvars
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from elasticsearch import AsyncElasticsearch

# Tasks this run kicks go to a queue of its own (with REDIS_URL set, a shared Redis).
os.environ.setdefault("TASKIQ_QUEUE", f"wabotiq-test-{uuid.uuid4().hex[:8]}")
# Retries a test waits for come after tens of milliseconds, not the production seconds.
os.environ.setdefault("TASK_RETRY_DELAY_S", "0.05")

from tests.suite import drop_indexes, suite_settings
from wabotiq.app import create_app
from wabotiq.core.settings import Settings
from wabotiq.db.bootstrap import Database, connect
from wabotiq.db.connection import close_db
from wabotiq.db.embedded import database_url_from_env
from wabotiq.db.scratch import throwaway_database
from wabotiq.domain.tenants.provisioning import ProvisionedTenant, create_tenant
from wabotiq.search import runtime as search_runtime

OWNER_PASSWORD = "correct horse battery"
# CI exports REQUIRE_REDIS=1 beside REDIS_URL: there a test that needs Redis must fail without
# it, not skip, or a run that lost its Redis would pass having tested less.
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS", "").strip() not in {"", "0"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `redis` skip without REDIS_URL, or fail when REQUIRE_REDIS says it is
    expected (before any fixture starts)."""
    if item.get_closest_marker("redis") is None or os.environ.get("REDIS_URL"):
        return
    if REQUIRE_REDIS:
        pytest.fail(
            "REQUIRE_REDIS is set but REDIS_URL is not: this test needs Redis", pytrace=False
        )
    pytest.skip("needs REDIS_URL (a Redis server)")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with throwaway_database(database_url_from_env(), prefix="wabotiq_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Postgres search whatever ELASTICSEARCH_URL says, unless TEST_SEARCH_BACKEND asks."""
    return suite_settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
async def db(settings: Settings, database_url: str) -> AsyncIterator[None]:
    await connect(settings, Database(url=database_url, embedded=None))
    # The process's search engine from the suite's settings, before any test asks for it:
    # `get_engine()` alone would build one from the environment.
    search_runtime.configure(settings)
    yield
    await search_runtime.close()
    if settings.elasticsearch_url:
        cluster = AsyncElasticsearch(settings.elasticsearch_url)
        try:
            await drop_indexes(cluster, settings.elasticsearch_index_prefix)
        finally:
            await cluster.close()
    await close_db()


@pytest.fixture(scope="session")
async def app(settings: Settings, database_url: str, db: None) -> AsyncIterator[Any]:
    """The app, with its outbox dispatcher running (httpx does not run ASGI lifespans)."""
    from datetime import timedelta

    from taskiq import InMemoryBroker
    from taskiq.api import run_receiver_task, run_scheduler_task

    from wabotiq.workers.broker import broker
    from wabotiq.workers.scheduler import scheduler

    application = create_app(settings, database_url=database_url, manage_db=False)
    await application.state.runtime.start_background(database_url)
    # With Redis, a worker in this process runs the tasks the app kicks and a scheduler sends
    # their delayed retries (as `wabotiq up` does).
    background = []
    if not isinstance(broker, InMemoryBroker):
        every = timedelta(seconds=settings.scheduler_update_interval_s)
        background.append(asyncio.create_task(run_receiver_task(broker)))
        background.append(asyncio.create_task(run_scheduler_task(scheduler, interval=every)))
    yield application
    if background:
        for task in background:
            task.cancel()
        # Bounded, as `wabotiq up` bounds it: taskiq's receiver can lose a cancellation that
        # lands as Redis answers its blocking read, and then waits for a next message that never
        # comes; waiting for it unbounded hung the end of the run.
        await asyncio.wait(background, timeout=10)
    await application.state.runtime.stop_background()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class TenantFixture:
    provisioned: ProvisionedTenant
    password: str

    @property
    def id(self) -> str:
        return self.provisioned.tenant.id

    @property
    def slug(self) -> str:
        return self.provisioned.tenant.slug

    @property
    def owner_email(self) -> str:
        return self.provisioned.owner.email

    def key_headers(self, key: str | None = None) -> dict[str, str]:
        return {"X-Tenant-ID": self.id, "X-Tenant-API-Key": key or self.provisioned.api_key}


MakeTenant = Callable[..., Awaitable[TenantFixture]]


# Routing, pooling and transaction bookkeeping: not statements a page issues.
_BOOKKEEPING = ("SET ", "RESET ", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE ",
                "SELECT pg_advisory_unlock_all")  # fmt: skip
_counted: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "counted_statements", default=None
)


@pytest.fixture
def count_statements(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """`with count_statements() as statements:` lists the SQL statements the code under it
    sends (in its task and the tasks it starts), leaving out routing and transaction
    bookkeeping; the outbox dispatcher and other tests' tasks are not counted."""
    connection_class = asyncpg.connection.Connection

    def note(query: str) -> None:
        statements = _counted.get()
        if statements is not None and not query.lstrip().startswith(_BOOKKEEPING):
            statements.append(query)

    original_execute = connection_class.execute
    original_run = connection_class._execute
    original_many = connection_class._executemany

    async def execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:  # with arguments it goes through `_execute`
            note(query)
        return await original_execute(self, query, *args, **kwargs)

    async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        note(query)
        return await original_run(self, query, *args, **kwargs)

    async def many(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        note(query)
        return await original_many(self, query, *args, **kwargs)

    monkeypatch.setattr(connection_class, "execute", execute)
    monkeypatch.setattr(connection_class, "_execute", run)
    monkeypatch.setattr(connection_class, "_executemany", many)

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []
        token = _counted.set(statements)
        try:
            yield statements
        finally:
            _counted.reset(token)

    return counting


@pytest.fixture
def make_tenant(db: None) -> MakeTenant:
    """Provision a fresh tenant (its own schema) with an owner who has a password."""

    async def make(name: str = "Shop", **kwargs: Any) -> TenantFixture:
        slug = f"t-{uuid.uuid4().hex[:10]}"
        email = f"owner-{slug}@example.com"
        made = await create_tenant(
            name=name, slug=slug, owner_email=email, owner_password=OWNER_PASSWORD, **kwargs
        )
        return TenantFixture(provisioned=made, password=OWNER_PASSWORD)

    return make


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL operation; returns the JSON body (asserting a JSON response)."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    body["_status"] = response.status_code
    return body


LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    session { accessToken refreshToken user { email } }
    userErrors { field message code }
  }
}
"""


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    body = await gql(client, LOGIN, {"email": email, "password": password})
    return body["data"]["login"]


async def bearer_headers(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    email: str | None = None,
    password: str | None = None,
) -> dict[str, str]:
    result = await login(client, email or tenant.owner_email, password or tenant.password)
    token = result["session"]["accessToken"]
    return {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant.id}


os.environ.setdefault("TZ", "UTC")
