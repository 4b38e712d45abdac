"""WhatsApp webhooks: the least work that makes a delivery durable. Find the channel (and so
the tenant) from the URL, check the provider's signature, store each message once, kick one
drain per conversation, answer at once. A bad signature, an unknown or disabled channel: 403
and nothing stored. A redelivery: 200, nothing stored twice, no second turn."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from tortoise.transactions import in_transaction

from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.models import Channel as ChannelRecord
from wabotiq.domain.channels.models import ChannelProvider, ChannelStatus
from wabotiq.domain.channels.service import tenant_of_channel
from wabotiq.domain.conversations import service
from wabotiq.domain.conversations.inbound import Notification
from wabotiq.domain.customers.errors import CustomerError
from wabotiq.integrations.whatsapp.channel import Channel, WebhookRequest
from wabotiq.integrations.whatsapp.cloud import CloudChannel
from wabotiq.integrations.whatsapp.registry import build_channel
from wabotiq.runtime import Runtime
from wabotiq.workers.conversations import drain_conversation_task

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def forbidden() -> Response:
    return PlainTextResponse("Forbidden.", status_code=403)


# Which tenant each channel belongs to, as first looked up: a channel's route never moves to
# another tenant. Only a hint, so the lookup and the request's transaction use one routed
# connection (no switching to `public` and back); the route and the tenant's status are read
# again in that transaction, so an unknown channel or a suspended tenant is refused as before.
_TENANT_HINTS: dict[uuid.UUID, str] = {}
MAX_TENANT_HINTS = 10_000


async def _tenant_hint(channel_id: uuid.UUID) -> str | None:
    tenant_id = _TENANT_HINTS.get(channel_id)
    if tenant_id is None:
        tenant_id = await tenant_of_channel(channel_id=channel_id)
        if tenant_id is not None:
            if len(_TENANT_HINTS) >= MAX_TENANT_HINTS:
                _TENANT_HINTS.clear()
            _TENANT_HINTS[channel_id] = tenant_id
    return tenant_id


@contextlib.asynccontextmanager
async def _channel(
    request: Request, provider: ChannelProvider
) -> AsyncIterator[tuple[str, ChannelRecord, Channel] | None]:
    """The tenant, stored channel and provider channel the URL names if it is active (else
    None), inside one transaction in that tenant: what the block stores commits with it."""
    try:
        channel_id = uuid.UUID(request.path_params["channel_id"])
    except ValueError:
        yield None
        return
    tenant_id = await _tenant_hint(channel_id)
    if tenant_id is None:
        yield None
        return
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            if await tenant_of_channel(channel_id=channel_id) != tenant_id:
                _TENANT_HINTS.pop(channel_id, None)
                yield None
                return
            record = await ChannelRecord.get_or_none(id=channel_id)
            if (
                record is None
                or record.provider is not provider
                or record.status is not ChannelStatus.ACTIVE
            ):
                yield None
                return
            runtime: Runtime = request.app.state.runtime
            yield (
                tenant_id,
                record,
                build_channel(record, cipher=runtime.cipher, settings=runtime.settings),
            )


def _public_url(request: Request, runtime: Runtime) -> str:
    """The URL the provider called, as it signed it (our public address, not the proxy's)."""
    query = request.url.query
    return runtime.settings.public_base_url + request.url.path + (f"?{query}" if query else "")


async def _store(
    runtime: Runtime, channel_id: uuid.UUID, notification: Notification
) -> set[uuid.UUID]:
    """Store everything (in the caller's tenant and transaction); the conversations that now
    wait for a turn."""
    waiting: set[uuid.UUID] = set()
    for message in notification.messages:
        try:
            recorded = await service.record_inbound(
                cipher=runtime.cipher, channel_id=channel_id, message=message
            )
        except CustomerError:  # a sender with no phone number we can reach
            log.warning("inbound message %s without a usable phone", message.provider_message_id)
            continue
        if recorded.new or await service.has_unprocessed(conversation_id=recorded.conversation_id):
            waiting.add(recorded.conversation_id)
    for echo in notification.echoes:
        await service.record_echo(cipher=runtime.cipher, channel_id=channel_id, echo=echo)
    for update in notification.statuses:
        await service.apply_status(update=update)
    return waiting


async def _accept(
    request: Request,
    provider: ChannelProvider,
    body: bytes,
    form: dict[str, str],
) -> Response:
    """Find the channel, verify, parse and store in one transaction, then kick a drain per
    waiting conversation (after the commit, so the drain sees the messages)."""
    runtime: Runtime = request.app.state.runtime
    async with _channel(request, provider) as resolved:
        if resolved is None:
            return forbidden()
        tenant_id, record, channel = resolved
        incoming = WebhookRequest(
            url=_public_url(request, runtime), headers=request.headers, body=body, form=form
        )
        if not channel.verify(incoming):
            return forbidden()
        try:
            notification = channel.parse(incoming)
        except (ValueError, TypeError, KeyError, AttributeError):  # signed, yet not the format
            return PlainTextResponse("Not a notification.", status_code=400)
        waiting = await _store(runtime, record.id, notification)
    for conversation_id in waiting:
        await drain_conversation_task.kiq(tenant_id, str(conversation_id))
    return PlainTextResponse("")


async def twilio_webhook(request: Request) -> Response:
    """`POST /webhooks/twilio/{channel_id}`: messages and status callbacks, as a form."""
    body = await request.body()
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    answer = await _accept(request, ChannelProvider.TWILIO, body, form)
    if answer.status_code != 200:
        return answer
    return Response(EMPTY_TWIML, media_type="text/xml")


async def whatsapp_webhook(request: Request) -> Response:
    """`GET|POST /webhooks/whatsapp/{channel_id}`: Meta's handshake, then notifications."""
    if request.method == "GET":
        async with _channel(request, ChannelProvider.CLOUD) as resolved:
            channel = None if resolved is None else resolved[2]
        if not isinstance(channel, CloudChannel):
            return forbidden()
        challenge = channel.handshake(request.query_params)
        return forbidden() if challenge is None else PlainTextResponse(challenge)
    return await _accept(request, ChannelProvider.CLOUD, await request.body(), {})
