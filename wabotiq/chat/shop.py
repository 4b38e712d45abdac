"""A shop to talk to from this process: each customer message is posted to the app's Twilio
webhook, signed as Twilio signs it, goes through the queue and the assistant like any other, and
the reply is taken from a local stand-in for Twilio's Messages API instead of being delivered.

`wabotiq chat` and the agent benchmark both drive the app through this one class, so what they
show is what a WhatsApp customer would have got."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from tortoise.transactions import in_transaction
from twilio.request_validator import RequestValidator

from wabotiq.chat.twilio import LocalTwilio, SentMessage
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.domain.channels.models import ChannelProvider, ChannelStatus
from wabotiq.domain.channels.service import create_channel, list_channels
from wabotiq.domain.conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
)
from wabotiq.domain.conversations.service import resolve_conversation
from wabotiq.domain.customers.service import find_customer_by_phone
from wabotiq.integrations.whatsapp.registry import build_channel, webhook_path
from wabotiq.integrations.whatsapp.twilio import TwilioChannel
from wabotiq.workers.broker import broker, drain
from wabotiq.workers.brokers import LocalBroker
from wabotiq.workers.messaging import Messaging, current, install, uninstall

CHANNEL_NAME = "Local chat"
# The shop's WhatsApp number on the local channel, and the customer `wabotiq chat` is by default.
SENDER = "whatsapp:+254700000100"
DEMO_PHONE = "+254712000100"
# How long a turn may take when another process's worker runs it (Redis); the in-process
# broker is waited for exactly instead.
WORKER_TURN_S = 60.0
POLL_S = 0.01
UNSETTLED = (MessageStatus.PENDING, MessageStatus.SENDING)


class ShopError(Exception):
    """The shop did not take or answer a message the way a working deployment would."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """A customer's message and what came of it: the texts sent back in its turn (none while a
    person has the conversation) and how long the first took from the webhook POST."""

    text: str
    message_sid: str
    conversation_id: uuid.UUID
    replies: tuple[str, ...]
    latency_ms: float | None
    with_bot: bool  # the assistant still has the conversation after this turn


async def local_channel(
    *, tenant_id: str, cipher: FieldCipher, settings: Settings
) -> tuple[ChannelRecord, TwilioChannel]:
    """The tenant's local Twilio channel, made on first use with a random account SID and auth
    token (kept encrypted with the channel, like any channel's) and kept for later chats."""
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            rows, _ = await list_channels(limit=10_000)
            record = next((row for row in rows if _is_local(row)), None)
            if record is None:
                record = await create_channel(
                    cipher=cipher,
                    tenant_id=tenant_id,
                    provider=ChannelProvider.TWILIO,
                    name=CHANNEL_NAME,
                    secrets={"auth_token": secrets.token_urlsafe(24)},
                    account_sid="AC" + secrets.token_hex(16),
                    sender=SENDER,
                )
    channel = build_channel(record, cipher=cipher, settings=settings)
    if not isinstance(channel, TwilioChannel):  # pragma: no cover - _is_local checked it
        raise ShopError("the local channel is not a Twilio channel")
    return record, channel


def _is_local(row: ChannelRecord) -> bool:
    return (
        row.provider is ChannelProvider.TWILIO
        and row.name == CHANNEL_NAME
        and row.status is ChannelStatus.ACTIVE
    )


class LocalShop:
    """One tenant's shop behind its app: `send` a customer's message, get the `Exchange`."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        settings: Settings,
        cipher: FieldCipher,
        tenant_id: str,
        channel_id: uuid.UUID,
        channel: TwilioChannel,
        twilio: LocalTwilio,
    ) -> None:
        self.client = client
        self.settings = settings
        self.cipher = cipher
        self.tenant_id = tenant_id
        self.channel_id = channel_id
        self.channel = channel
        self.twilio = twilio

    @classmethod
    @asynccontextmanager
    async def open(
        cls, app: Any, *, tenant_id: str, lifespan: bool = False
    ) -> AsyncIterator[LocalShop]:
        """The shop of `tenant_id` on `app` (a `create_app` app). With `lifespan` the app's
        lifespan runs for the block (its outbox dispatcher, the broker); without it the caller
        has started the app's background work. The process's messaging sends through the local
        Twilio for the block, with the responder it had."""
        runtime = app.state.runtime
        async with AsyncExitStack() as stack:
            if lifespan:
                await stack.enter_async_context(app.router.lifespan_context(app))
            record, channel = await local_channel(
                tenant_id=tenant_id, cipher=runtime.cipher, settings=runtime.settings
            )
            twilio = LocalTwilio(account_sid=channel.account_sid, auth_token=channel.auth_token)
            messaging = Messaging(
                settings=runtime.settings,
                cipher=runtime.cipher,
                responder=current().responder,
                transport=twilio.transport,
            )
            install(messaging)
            stack.callback(uninstall, messaging)
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop")
            )
            yield cls(
                client=client,
                settings=runtime.settings,
                cipher=runtime.cipher,
                tenant_id=tenant_id,
                channel_id=record.id,
                channel=channel,
                twilio=twilio,
            )

    async def send(self, text: str, *, phone: str, profile_name: str = "Mteja") -> Exchange:
        """Post `text` from `phone` (E.164) as Twilio would, wait for its turn and its replies."""
        sid = "SM" + secrets.token_hex(16)
        before = len(self.twilio.sent)
        started = time.perf_counter()
        response = await self._post(self.inbound_form(text, phone=phone, sid=sid,
                                                      profile_name=profile_name))  # fmt: skip
        if response.status_code != 200:
            raise ShopError(f"the webhook answered {response.status_code}: {response.text[:200]}")
        conversation_id, with_bot = await self._settled(sid)
        to = f"whatsapp:{phone}"
        replies = [sent for sent in self.twilio.sent[before:] if sent.to == to]
        return Exchange(
            text=text,
            message_sid=sid,
            conversation_id=conversation_id,
            replies=tuple(sent.body for sent in replies),
            latency_ms=_latency_ms(started, replies),
            with_bot=with_bot,
        )

    def inbound_form(self, text: str, *, phone: str, sid: str, profile_name: str) -> dict[str, str]:
        """An inbound WhatsApp text as Twilio posts it to the webhook."""
        return {
            "SmsMessageSid": sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.channel.account_sid,
            "From": f"whatsapp:{phone}",
            "To": self.channel.sender,
            "Body": text,
            "NumMedia": "0",
            "NumSegments": "1",
            "MessageType": "text",
            "ProfileName": profile_name,
            "WaId": phone.lstrip("+"),
            "SmsStatus": "received",
            "ReferralNumMedia": "0",
            "ApiVersion": "2010-04-01",
        }

    async def _post(self, form: dict[str, str]) -> httpx.Response:
        path = webhook_path(ChannelProvider.TWILIO, self.channel_id)
        url = self.settings.public_base_url + path
        signature = RequestValidator(self.channel.auth_token).compute_signature(url, form)
        return await self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    async def _settled(self, sid: str) -> tuple[uuid.UUID, bool]:
        """Wait until the message's turn is taken and its replies went out; its conversation
        and whether the assistant still has it. In-process tasks are awaited; tasks another
        process runs (Redis) are watched in the database."""
        if isinstance(broker, LocalBroker):
            await drain(broker)
            state = await self._state(sid)
            if state is None:
                raise ShopError(
                    "the message was stored but its turn failed (see the log, or"
                    " `wabotiq tasks dead --tenant …`)"
                )
            return state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WORKER_TURN_S
        while (state := await self._state(sid)) is None:
            if loop.time() > deadline:
                raise ShopError(f"no turn within {WORKER_TURN_S:g} s: is a worker running?")
            await asyncio.sleep(POLL_S)
        return state

    async def _state(self, sid: str) -> tuple[uuid.UUID, bool] | None:
        """The conversation and whether the bot has it, once the message was answered."""
        with tenant_context(TenantRef.of(self.tenant_id)):
            message = await Message.get_or_none(
                provider_message_id=sid, direction=Direction.INBOUND
            )
            if message is None or message.processed_at is None:
                return None
            unsent = await Message.filter(
                conversation_id=message.conversation_id,
                direction=Direction.OUTBOUND,
                status__in=UNSETTLED,
            ).exists()
            if unsent:
                return None
            conversation = await Conversation.get(id=message.conversation_id)
        return conversation.id, conversation.status is ConversationStatus.BOT

    async def open_conversation(self, phone: str) -> Conversation | None:
        """The customer's conversation on this shop's channel that is not resolved, if any."""
        with tenant_context(TenantRef.of(self.tenant_id)):
            customer = await find_customer_by_phone(cipher=self.cipher, phone=phone)
            if customer is None:
                return None
            return (
                await Conversation.filter(channel_id=self.channel_id, customer_id=customer.id)
                .exclude(status=ConversationStatus.RESOLVED)
                .first()
            )

    async def reset(self, conversation_id: uuid.UUID) -> None:
        """Close the conversation: the customer's next message opens a new one."""
        with tenant_context(TenantRef.of(self.tenant_id)):
            async with in_transaction():
                await resolve_conversation(conversation_id=conversation_id)


def _latency_ms(started: float, replies: list[SentMessage]) -> float | None:
    return (replies[0].at - started) * 1000 if replies else None
