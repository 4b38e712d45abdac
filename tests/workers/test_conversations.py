"""The conversation drain, driven directly with a deterministic responder handed in: turns in
arrival order, messages that come during a turn answered together, at most one provider call
per reply row whatever crashes and re-runs, silence while a person has the conversation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.whatsapp import PHONE_NUMBER_ID, FakeProviders, cloud_channel, twilio_channel
from wabotiq.agent.turn import Reply, Turn
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import outbound, service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Message, MessageKind
from wabotiq.integrations.whatsapp.channel import ProviderUnreachable
from wabotiq.workers.conversations import drain_conversation, take_turn
from wabotiq.workers.messaging import Messaging

PHONE = "+254712345678"


class Scripted:
    """Answers each turn with one line naming the texts it was given; `gate` (when set) holds
    the first turn open until the test releases it; `fail_first` raises once."""

    def __init__(self, *, gate: bool = False, fail_first: bool = False) -> None:
        self.turns: list[list[str]] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        if not gate:
            self.release.set()
        self.fail_first = fail_first

    async def respond(self, turn: Turn) -> Reply:
        texts = [message.text for message in turn.messages]
        self.entered.set()
        await self.release.wait()
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("the model crashed")
        self.turns.append(texts)
        return Reply(texts=["re: " + " + ".join(texts)])


class Unreachable(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


async def _setup(app: Any, make_tenant: MakeTenant, settings: Settings, cloud: bool = False):
    tenant = await make_tenant()
    cipher = app.state.runtime.cipher
    make = cloud_channel if cloud else twilio_channel
    channel = await make(tenant.id, cipher)
    fake = FakeProviders()
    messaging = Messaging(settings=settings, cipher=cipher, transport=fake.transport)
    return tenant.id, channel, fake, messaging


async def _receive(
    tenant_id: str, messaging: Messaging, channel_id: uuid.UUID, text: str
) -> uuid.UUID:
    """Store a customer's message as the webhook does; the conversation it went to."""
    message = InboundMessage(
        provider_message_id="SM" + uuid.uuid4().hex, phone=PHONE, kind=MessageKind.TEXT, text=text
    )
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            recorded = await service.record_inbound(
                cipher=messaging.cipher, channel_id=channel_id, message=message
            )
    return recorded.conversation_id


async def _outbound(tenant_id: str) -> list[Message]:
    with tenant_context(TenantRef.of(tenant_id)):
        return list(await Message.filter(direction="outbound").order_by("seq"))


async def test_messages_arriving_during_a_turn_are_answered_together_in_one_next_turn(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted(gate=True)
    conversation_id = await _receive(tenant_id, messaging, channel.id, "m1")

    def drain() -> asyncio.Task[int]:
        return asyncio.create_task(
            drain_conversation(
                tenant_id=tenant_id, conversation_id=conversation_id,
                responder=responder, messaging=messaging,
            )
        )  # fmt: skip

    first = drain()
    await asyncio.wait_for(responder.entered.wait(), timeout=20)
    later = []
    for text in ("m2", "m3", "m4"):  # each arrival kicks its own drain, as the webhook does
        await _receive(tenant_id, messaging, channel.id, text)
        later.append(drain())
    responder.release.set()
    sent = await asyncio.gather(first, *later)
    assert responder.turns == [["m1"], ["m2", "m3", "m4"]]
    assert sum(sent) == 2
    assert [r.text for r in fake.sent] == ["re: m1", "re: m2 + m3 + m4"]


async def test_a_lone_message_is_answered_at_once(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "alone")
    sent = await drain_conversation(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        responder=responder,
        messaging=messaging,
    )
    assert (sent, responder.turns, [r.text for r in fake.sent]) == (1, [["alone"]], ["re: alone"])


async def test_a_crash_before_the_turn_commits_leaves_the_messages_for_the_retry(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted(fail_first=True)
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    kwargs = dict(tenant_id=tenant_id, conversation_id=conversation_id, messaging=messaging)
    with pytest.raises(RuntimeError, match="the model crashed"):
        await drain_conversation(responder=responder, **kwargs)
    assert await _outbound(tenant_id) == []
    assert await drain_conversation(responder=responder, **kwargs) == 1
    assert await drain_conversation(responder=responder, **kwargs) == 0
    assert [r.text for r in fake.sent] == ["re: hello"]


async def test_a_crash_between_commit_and_provider_call_is_retried_into_one_call(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings, cloud=True)
    responder = Scripted()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    # The turn commits its reply row, and the worker dies before delivering it.
    with tenant_context(TenantRef.of(tenant_id)):
        assert await take_turn(
            tenant_id=tenant_id, conversation_id=conversation_id, responder=responder
        )
    assert [m.status for m in await _outbound(tenant_id)] == ["pending"]
    assert fake.sent == []
    kwargs = dict(
        tenant_id=tenant_id, conversation_id=conversation_id, responder=responder,
        messaging=messaging,
    )  # fmt: skip
    # Redelivered twice at once, and once more later: one provider call in all.
    results = await asyncio.gather(drain_conversation(**kwargs), drain_conversation(**kwargs))
    results.append(await drain_conversation(**kwargs))
    assert sorted(results) == [0, 0, 1]
    assert [r.path for r in fake.sent] == [f"/v21.0/{PHONE_NUMBER_ID}/messages"]
    assert responder.turns == [["hello"]]
    (row,) = await _outbound(tenant_id)
    assert row.status == "accepted" and row.provider_message_id.startswith("wamid.")


async def test_a_row_whose_attempt_had_begun_is_never_sent_again(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    with tenant_context(TenantRef.of(tenant_id)):
        await take_turn(tenant_id=tenant_id, conversation_id=conversation_id, responder=responder)
        (row,) = await _outbound(tenant_id)
        # A worker claimed it and died during the provider call: did it go out? Unknown.
        async with in_transaction():
            assert await outbound.claim_delivery(message_id=row.id) is not None
    sent = await drain_conversation(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        responder=responder,
        messaging=messaging,
    )
    assert (sent, fake.sent) == (0, [])
    assert [m.status for m in await _outbound(tenant_id)] == ["sending"]


async def test_an_unreachable_provider_leaves_the_reply_for_the_retry(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    down = Messaging(settings=settings, cipher=messaging.cipher, transport=Unreachable())
    kwargs = dict(tenant_id=tenant_id, conversation_id=conversation_id, responder=responder)
    with pytest.raises(ProviderUnreachable):
        await drain_conversation(messaging=down, **kwargs)
    assert [m.status for m in await _outbound(tenant_id)] == ["pending"]
    assert await drain_conversation(messaging=messaging, **kwargs) == 1
    assert [r.text for r in fake.sent] == ["re: hello"]
    assert responder.turns == [["hello"]]


async def test_a_refusal_keeps_the_provider_s_error_code(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    fake.refuse_next.append(("63016", "Failed to send freeform message outside the window"))
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    sent = await drain_conversation(
        tenant_id=tenant_id, conversation_id=conversation_id, responder=Scripted(),
        messaging=messaging,
    )  # fmt: skip
    assert sent == 0
    assert [(m.status, m.error_code) for m in await _outbound(tenant_id)] == [("failed", "63016")]


async def test_while_a_person_has_the_conversation_the_assistant_is_silent(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    with tenant_context(TenantRef.of(tenant_id)):
        await service.take_over(conversation_id=conversation_id)
    kwargs = dict(
        tenant_id=tenant_id, conversation_id=conversation_id, responder=responder,
        messaging=messaging,
    )  # fmt: skip
    assert await drain_conversation(**kwargs) == 0
    await _receive(tenant_id, messaging, channel.id, "still there?")
    assert await drain_conversation(**kwargs) == 0
    assert (responder.turns, fake.sent, await _outbound(tenant_id)) == ([], [], [])
    # Released, the assistant answers the next message only, not what the person saw.
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            await service.release_to_bot(conversation_id=conversation_id)
    await _receive(tenant_id, messaging, channel.id, "back to the bot")
    assert await drain_conversation(**kwargs) == 1
    assert responder.turns == [["back to the bot"]]


async def test_a_handoff_reply_is_sent_and_then_the_assistant_is_silent(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)

    class HandsOff:
        calls = 0

        async def respond(self, turn: Turn) -> Reply:
            self.calls += 1
            return Reply(texts=["A person will answer you here."], handoff=True, language="en")

    responder = HandsOff()
    conversation_id = await _receive(tenant_id, messaging, channel.id, "nataka kuongea na mtu")
    kwargs = dict(
        tenant_id=tenant_id, conversation_id=conversation_id, responder=responder,
        messaging=messaging,
    )  # fmt: skip
    assert await drain_conversation(**kwargs) == 1
    await _receive(tenant_id, messaging, channel.id, "hello?")
    assert await drain_conversation(**kwargs) == 0
    assert responder.calls == 1
    assert [r.text for r in fake.sent] == ["A person will answer you here."]
    with tenant_context(TenantRef.of(tenant_id)):
        conversation = await service.get_conversation(conversation_id=conversation_id)
    assert (conversation.status, conversation.language) == ("human", "en")


async def test_a_person_taking_over_during_a_turn_keeps_the_assistant_s_reply_unsent(
    app: Any, make_tenant: MakeTenant, settings: Settings
):
    tenant_id, channel, fake, messaging = await _setup(app, make_tenant, settings)
    responder = Scripted(gate=True)
    conversation_id = await _receive(tenant_id, messaging, channel.id, "hello")
    drain = asyncio.create_task(
        drain_conversation(
            tenant_id=tenant_id, conversation_id=conversation_id,
            responder=responder, messaging=messaging,
        )
    )  # fmt: skip
    await asyncio.wait_for(responder.entered.wait(), timeout=20)
    with tenant_context(TenantRef.of(tenant_id)):  # a person answers while the model thinks
        async with in_transaction():
            await service.take_over(conversation_id=conversation_id)
    responder.release.set()
    assert await drain == 0
    assert (responder.turns, fake.sent, await _outbound(tenant_id)) == ([["hello"]], [], [])
