"""Settling rows left `sending`: every change is conditional on the row being stale and
unsettled, so sweeps racing on one row settle it exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import twilio_channel
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import outbound, sending, service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Author, Message, MessageKind, MessageStatus
from wabotiq.domain.conversations.outbound import Outgoing

STALE_S = 120.0


async def _stale_row(app: Any, make_tenant: MakeTenant) -> tuple[TenantRef, uuid.UUID]:
    """A claimed reply whose attempt began longer than STALE_S ago."""
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    channel = await twilio_channel(tenant.id, cipher)
    ref = TenantRef.of(tenant.id)
    inbound = InboundMessage(provider_message_id="SM" + uuid.uuid4().hex, phone="+254712345678",
                             kind=MessageKind.TEXT, text="Habari")  # fmt: skip
    with tenant_context(ref):
        async with in_transaction():
            recorded = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=inbound
            )
            conversation = await service.get_conversation(conversation_id=recorded.conversation_id)
            row = await outbound.queue_outbound(
                conversation=conversation, outgoing=Outgoing(text="Sawa"), author=Author.BOT,
                idempotency_key="k1",
            )  # fmt: skip
        claimed = await outbound.claim_delivery(message_id=row.id)
        assert claimed is not None and claimed.attempted_at is not None
        older = claimed.attempted_at - timedelta(seconds=STALE_S + 1)
        await Message.filter(id=row.id).update(attempted_at=older)
    return ref, row.id


async def test_of_sweeps_racing_for_the_one_extra_attempt_exactly_one_wins(
    app: Any, make_tenant: MakeTenant
):
    ref, message_id = await _stale_row(app, make_tenant)

    async def claim() -> bool:
        with tenant_context(ref):
            async with in_transaction():
                return await sending.claim_resend(message_id=message_id, stale_s=STALE_S)

    assert sorted(await asyncio.gather(*(claim() for _ in range(6)))) == [False] * 5 + [True]
    with tenant_context(ref):
        row = await Message.get(id=message_id)
        assert sending.was_resent(row)
        assert await sending.stale_sending(stale_s=STALE_S) == []  # its attempt is fresh again
        # The extra attempt under way is not given up on by a sweep that read the row before.
        assert await sending.give_up(message_id=message_id, stale_s=STALE_S) is False


async def test_a_row_adopted_is_no_longer_stale_and_cannot_be_given_up(
    app: Any, make_tenant: MakeTenant
):
    ref, message_id = await _stale_row(app, make_tenant)
    with tenant_context(ref):
        assert [m.id for m in await sending.stale_sending(stale_s=STALE_S)] == [message_id]
        assert await sending.any_stale(stale_s=STALE_S)
        async with in_transaction():
            assert await sending.adopt(
                message_id=message_id, provider_message_id="SM" + "a" * 32,
                status=MessageStatus.SENT,
            )  # fmt: skip
            assert not await sending.adopt(
                message_id=message_id, provider_message_id="SM" + "b" * 32,
                status=MessageStatus.SENT,
            )  # fmt: skip
        assert not await sending.any_stale(stale_s=STALE_S)
        assert await sending.give_up(message_id=message_id, stale_s=STALE_S) is False
        row = await Message.get(id=message_id)
    assert (row.status, row.provider_message_id) == ("sent", "SM" + "a" * 32)
