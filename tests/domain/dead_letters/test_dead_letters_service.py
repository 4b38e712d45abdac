"""Dead letters: one per task id, in the tenant's schema or `public`; a re-run that cannot be
sent leaves the letter as it was."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from taskiq import AsyncBroker
from taskiq.exceptions import SendTaskError
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.dead_letters.models import DeadLetter, PlatformDeadLetter
from wabotiq.domain.dead_letters.service import (
    Failure,
    get_dead_letter,
    record_dead_letter,
    retry_dead_letter,
)
from wabotiq.workers.broker import make_broker
from wabotiq.workers.rerun import rerun_with


def _failure(task_name: str, tenant_id: str | None = None, task_id: str = "") -> Failure:
    now = datetime.now(UTC)
    return Failure(
        task_name=task_name,
        task_id=task_id or uuid.uuid4().hex,
        error_type="ValueError",
        error_message="bad",
        traceback="",
        attempts=2,
        first_failed_at=now,
        last_failed_at=now,
        tenant_id=tenant_id,
        args=["x"],
    )


@pytest.fixture
async def local_broker(settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    broker = make_broker(settings.model_copy(update={"redis_url": None}))
    await broker.startup()
    yield broker
    await broker.shutdown()


async def test_one_letter_per_task_id_in_its_tenants_schema_or_public(make_tenant: MakeTenant):
    tenant = await make_tenant()
    task_id = uuid.uuid4().hex
    with tenant_context(TenantRef.of(tenant.id)):
        first = await record_dead_letter(_failure("test.twice", tenant.id, task_id))
        again = await record_dead_letter(_failure("test.twice", tenant.id, task_id))
        assert again.id == first.id
        assert await DeadLetter.filter(task_id=task_id).count() == 1
    assert isinstance(first, DeadLetter)
    assert await PlatformDeadLetter.filter(task_id=task_id).count() == 0

    platform = await record_dead_letter(_failure("test.platform"))
    assert isinstance(platform, PlatformDeadLetter)
    assert (await get_dead_letter(platform.id, platform=True)).task_name == "test.platform"


async def test_a_rerun_that_cannot_be_sent_leaves_the_letter_unretried(local_broker: AsyncBroker):
    letter = await record_dead_letter(_failure("test.nowhere.registered"))
    with pytest.raises(SendTaskError):
        async with in_transaction():
            await retry_dead_letter(letter.id, kick=rerun_with(local_broker), platform=True)
    unchanged = await get_dead_letter(letter.id, platform=True)
    assert unchanged.retried_at is None and unchanged.retry_task_id is None
