"""The outbound reconciliation, driven directly: a row left `sending` by a worker that died
during its provider call is adopted when Twilio has it, sent exactly once more when Twilio
does not, and shown as failed UNKNOWN_OUTCOME when nobody can tell (Meta, or a second loss);
a row whose attempt is still young is left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from taskiq.schedule_sources import LabelScheduleSource
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import (
    ACCOUNT_SID,
    SENDER,
    FakeProviders,
    cloud_channel,
    twilio_channel,
)
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.conversations import outbound, service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Author, Message, MessageKind
from wabotiq.domain.conversations.outbound import Outgoing
from wabotiq.integrations.whatsapp.outbound import deliver
from wabotiq.workers.messaging import Messaging
from wabotiq.workers.reconcile import reconcile_tenant, tenants_with_stale_sending
from wabotiq.workers.scheduler import scheduler

PHONE = "+254712345678"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


class WorkerDied(Exception):
    """The process running the provider call is gone: nothing after the call runs."""


class DiesDuringCall(httpx.AsyncBaseTransport):
    """The worker dies during the provider call, after the request reached the provider
    (`reached`) or before it left."""

    def __init__(self, fake: FakeProviders, *, reached: bool) -> None:
        self.fake, self.reached = fake, reached

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.reached:
            await request.aread()
            self.fake.handle(request)
        raise WorkerDied


class DiesOnPost(httpx.AsyncBaseTransport):
    """Lists as Twilio does; dies when the send is about to leave."""

    def __init__(self, fake: FakeProviders) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise WorkerDied
        await request.aread()
        return self.fake.handle(request)


async def _tenant(app: Any, make_tenant: MakeTenant, settings: Settings, *, cloud: bool = False):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await (cloud_channel if cloud else twilio_channel)(tenant.id, cipher)
    fake = FakeProviders()
    messaging = Messaging(settings=settings, cipher=cipher, transport=fake.transport)
    return tenant.id, channel, fake, messaging


async def _queue(tenant_id: str, messaging: Messaging, channel_id: uuid.UUID, text: str):
    """A customer's message and our text reply to it, committed `pending`."""
    inbound = InboundMessage(provider_message_id="SM" + uuid.uuid4().hex, phone=PHONE,
                             kind=MessageKind.TEXT, text="Habari")  # fmt: skip
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            recorded = await service.record_inbound(
                cipher=messaging.cipher, channel_id=channel_id, message=inbound
            )
            conversation = await service.get_conversation(conversation_id=recorded.conversation_id)
            row = await outbound.queue_outbound(
                conversation=conversation, outgoing=Outgoing(text=text), author=Author.BOT,
                idempotency_key=uuid.uuid4().hex,
            )  # fmt: skip
    return row.id


async def _deliver(tenant_id: str, messaging: Messaging, message_id: uuid.UUID, **dies: Any):
    """Deliver the row through `messaging`; with `dies`, the worker dies during the call."""
    transport = DiesDuringCall(**dies) if dies else messaging.transport
    with tenant_context(TenantRef.of(tenant_id)):
        async with httpx.AsyncClient(transport=transport) as client:
            delivery = messaging.delivery(client)
            if not dies:
                return await deliver(message_id=message_id, delivery=delivery)
            with pytest.raises(WorkerDied):
                await deliver(message_id=message_id, delivery=delivery)
    return None


async def _age(tenant_id: str, message_id: uuid.UUID, settings: Settings) -> None:
    """Let the row's attempt be older than OUTBOUND_SENDING_STALE_S (instead of waiting)."""
    with tenant_context(TenantRef.of(tenant_id)):
        row = await Message.get(id=message_id)
        assert row.attempted_at is not None
        older = row.attempted_at - timedelta(seconds=settings.outbound_sending_stale_s + 1)
        await Message.filter(id=message_id).update(attempted_at=older)


async def _row(tenant_id: str, message_id: uuid.UUID) -> Message:
    with tenant_context(TenantRef.of(tenant_id)):
        return await Message.get(id=message_id)


async def _deliveries(tenant_id: str, message_id: uuid.UUID) -> list[str | None]:
    """The `delivery_updated` events of the row, oldest first."""
    with tenant_context(TenantRef.of(tenant_id)):
        events = await OutboxEvent.filter(event_type="delivery_updated").order_by("id")
    return [e.payload.get("detail") for e in events if e.payload["message_id"] == str(message_id)]


async def test_a_send_that_reached_twilio_is_adopted_and_not_sent_again(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings)
    message_id = await _queue(tenant_id, messaging, channel.id, "Bei ni KSh 1,200.")
    await _deliver(tenant_id, messaging, message_id, fake=fake, reached=True)
    (twilio_has,) = fake.twilio_messages
    twilio_has["status"] = "delivered"  # Twilio went on without us
    await _age(tenant_id, message_id, settings)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 1
    row = await _row(tenant_id, message_id)
    assert (row.status, row.provider_message_id) == ("delivered", twilio_has["sid"])
    assert [r.text for r in fake.sent] == ["Bei ni KSh 1,200."]  # the dead worker's POST only
    (listing,) = [r for r in fake.requests if r.method == "GET"]
    assert (listing.path, listing.query["To"], listing.query["From"]) == (
        MESSAGES, f"whatsapp:{PHONE}", SENDER,
    )  # fmt: skip
    assert await _deliveries(tenant_id, message_id) == ["delivered"]
    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 0
    assert len(fake.sent) == 1


async def test_a_send_that_never_left_is_sent_exactly_once_by_the_sweep(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings)
    message_id = await _queue(tenant_id, messaging, channel.id, "Sawa, asante!")
    await _deliver(tenant_id, messaging, message_id, fake=fake, reached=False)
    assert (await _row(tenant_id, message_id)).status == "sending" and fake.requests == []
    await _age(tenant_id, message_id, settings)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 1
    (sent,) = fake.sent
    row = await _row(tenant_id, message_id)
    assert (sent.text, row.status) == ("Sawa, asante!", "accepted")
    assert row.provider_message_id == fake.twilio_messages[0]["sid"]
    assert "resent_at" in row.extra
    for _ in range(2):  # later sweeps, even once the row is old again, send nothing
        await _age(tenant_id, message_id, settings)
        assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 0
    assert len(fake.sent) == 1


async def test_the_same_words_sent_before_are_not_taken_for_the_lost_send(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings)
    fake.max_page_size = 1  # the listing must follow `next_page_uri`
    first = await _queue(tenant_id, messaging, channel.id, "Sawa")
    assert await _deliver(tenant_id, messaging, first) is True
    second = await _queue(tenant_id, messaging, channel.id, "Sawa")
    await _deliver(tenant_id, messaging, second, fake=fake, reached=False)
    await _age(tenant_id, second, settings)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 1
    assert [r.text for r in fake.sent] == ["Sawa", "Sawa"]
    sids = [m["sid"] for m in fake.twilio_messages]
    rows = [await _row(tenant_id, first), await _row(tenant_id, second)]
    assert [r.provider_message_id for r in rows] == sids


async def test_a_resend_whose_outcome_is_lost_too_is_failed_for_a_person_not_sent_again(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings)
    message_id = await _queue(tenant_id, messaging, channel.id, "Karibu tena")
    await _deliver(tenant_id, messaging, message_id, fake=fake, reached=False)
    await _age(tenant_id, message_id, settings)
    dying = Messaging(settings=settings, cipher=messaging.cipher, transport=DiesOnPost(fake))
    with pytest.raises(WorkerDied):  # the sweep's own worker dies during the resend
        await reconcile_tenant(tenant_id=tenant_id, messaging=dying)
    await _age(tenant_id, message_id, settings)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 1
    row = await _row(tenant_id, message_id)
    assert (row.status, row.error_code, fake.sent) == ("failed", "UNKNOWN_OUTCOME", [])
    assert await _deliveries(tenant_id, message_id) == ["failed"]


async def test_a_cloud_api_row_is_failed_unknown_outcome_and_nothing_is_sent(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings, cloud=True)
    message_id = await _queue(tenant_id, messaging, channel.id, "Tutakuletea kesho")
    await _deliver(tenant_id, messaging, message_id, fake=fake, reached=True)
    await _age(tenant_id, message_id, settings)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 1
    row = await _row(tenant_id, message_id)
    assert (row.status, row.error_code) == ("failed", "UNKNOWN_OUTCOME")
    assert len(fake.requests) == 1  # the dead worker's send; the sweep asked and sent nothing
    assert await _deliveries(tenant_id, message_id) == ["failed"]


async def test_a_young_sending_row_is_left_alone(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _tenant(app, make_tenant, settings)
    message_id = await _queue(tenant_id, messaging, channel.id, "Subiri kidogo")
    await _deliver(tenant_id, messaging, message_id, fake=fake, reached=False)
    stale_s = settings.outbound_sending_stale_s
    assert tenant_id not in await tenants_with_stale_sending(stale_s=stale_s)

    assert await reconcile_tenant(tenant_id=tenant_id, messaging=messaging) == 0
    row = await _row(tenant_id, message_id)
    assert (row.status, row.extra, fake.requests) == ("sending", {}, [])
    await _age(tenant_id, message_id, settings)
    assert tenant_id in await tenants_with_stale_sending(stale_s=stale_s)


async def test_the_scheduler_runs_the_reconciliation_every_minute():
    source = LabelScheduleSource(scheduler.broker)
    await source.startup()  # reads every task's `schedule` label
    schedules = await source.get_schedules()
    name = "wabotiq.conversations.reconcile_sending"
    (reconcile,) = [s for s in schedules if s.task_name == name]
    assert (reconcile.cron, reconcile.args, reconcile.kwargs) == ("* * * * *", [], {})


def test_a_row_is_never_stale_while_its_provider_call_may_still_run():
    with pytest.raises(ValidationError, match="OUTBOUND_SENDING_STALE_S must exceed"):
        Settings(_env_file=None, provider_timeout_s=30, outbound_sending_stale_s=30)  # type: ignore[call-arg]
    assert Settings(_env_file=None).outbound_sending_stale_s == 120  # type: ignore[call-arg]
