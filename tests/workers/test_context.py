"""A task runs in the context of what caused it (request id, tenant) and of nothing else: not
in the kicker's transaction, whatever the in-memory broker's default of copying the caller's
context would give it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from taskiq import AsyncBroker
from tortoise import connections
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.polling import DEADLINE_S
from wabotiq.core.logs import request_id_var
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, current_tenant, tenant_context
from wabotiq.workers.broker import make_broker


@pytest.fixture
async def local_broker(settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    await broker.startup()
    yield broker
    await broker.shutdown()


async def _backend_pid() -> int:
    rows = await connections.get("default").execute_query_dict("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


async def test_a_task_carries_the_request_id_and_tenant_of_its_kicker(
    local_broker: AsyncBroker, make_tenant: MakeTenant
):
    kicker_tenant, named_tenant = await make_tenant(), await make_tenant()

    @local_broker.task(task_name="test.context.where")
    async def where_task(tenant_id: str | None = None) -> list[str | None]:
        tenant = current_tenant()
        return [request_id_var.get(), tenant.id if tenant else None]

    token = request_id_var.set("rq-kicker-0001")
    try:
        with tenant_context(TenantRef.of(kicker_tenant.id)):
            inherited = await where_task.kiq()
            named = await where_task.kiq(named_tenant.id)
    finally:
        request_id_var.reset(token)
    unrelated = await where_task.kiq()

    assert (await inherited.wait_result(timeout=DEADLINE_S)).return_value == [
        "rq-kicker-0001",
        kicker_tenant.id,
    ]
    # A task's own `tenant_id` argument names its tenant.
    assert (await named.wait_result(timeout=DEADLINE_S)).return_value == [
        "rq-kicker-0001",
        named_tenant.id,
    ]
    assert (await unrelated.wait_result(timeout=DEADLINE_S)).return_value == [None, None]


async def test_a_task_kicked_inside_a_transaction_runs_outside_it(local_broker: AsyncBroker):
    @local_broker.task(task_name="test.context.backend")
    async def backend_task() -> int:
        return await _backend_pid()

    async with in_transaction():
        in_transaction_pid = await _backend_pid()
        sent = await backend_task.kiq()
        result = await sent.wait_result(timeout=DEADLINE_S)
    assert result.return_value != in_transaction_pid
