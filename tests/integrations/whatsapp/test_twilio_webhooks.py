"""Twilio's webhooks through the ASGI app: signatures computed Twilio's way, replies captured
by a local Twilio speaking its JSON, statuses applied as Twilio reports them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import MakeTenant
from tests.support.polling import eventually
from tests.support.whatsapp import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SENDER,
    FakeProviders,
    post_twilio,
    providers,
    twilio_channel,
    twilio_message,
    twilio_status,
)
from wabotiq.agent.turn import MediaAwareResponder, Reply, Turn
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.service import disable_channel
from wabotiq.domain.conversations.models import Conversation, Message
from wabotiq.domain.customers.models import Customer
from wabotiq.tenancy.models import TenantStatus
from wabotiq.tenancy.service import set_status

PHONE = "+254712345678"


class Echo:
    """Answers each turn with the texts it was given, so a test sees what went together."""

    def __init__(self) -> None:
        self.turns: list[list[str]] = []

    async def respond(self, turn: Turn) -> Reply:
        texts = [message.text for message in turn.messages]
        self.turns.append(texts)
        return Reply(texts=["got: " + " | ".join(texts)])


async def _rows(tenant_id: str) -> dict[str, list[Any]]:
    with tenant_context(TenantRef.of(tenant_id)):
        return {
            "customers": await Customer.all(),
            "conversations": await Conversation.all(),
            "messages": await Message.all().order_by("seq"),
        }


async def test_a_message_is_stored_answered_with_empty_twiml_and_replied_to(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    async with providers(app, MediaAwareResponder(inner=Echo())) as fake:
        response = await post_twilio(client, settings, channel.id, twilio_message(PHONE, "Niaje"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text.endswith("<Response/>")
        await eventually(lambda: _sent(fake, 1), "the reply went to Twilio")
    reply = fake.sent[0]
    assert reply.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert reply.form["From"] == SENDER
    assert reply.form["To"] == f"whatsapp:{PHONE}"
    assert reply.form["Body"] == "got: Niaje"
    assert (
        reply.form["StatusCallback"] == f"{settings.public_base_url}/webhooks/twilio/{channel.id}"
    )
    rows = await _rows(tenant.id)
    assert [c.name for c in rows["customers"]] == ["Wanjiku"]
    assert len(rows["conversations"]) == 1
    inbound, outbound = rows["messages"]
    assert (inbound.direction, inbound.text, inbound.processed_at is not None) == (
        "inbound", "Niaje", True,
    )  # fmt: skip
    assert inbound.payload is not None and inbound.payload["ProfileName"] == "Wanjiku"
    assert (outbound.direction, outbound.status, outbound.provider_message_id[:2]) == (
        "outbound", "accepted", "SM",
    )  # fmt: skip


async def _sent(fake: FakeProviders, count: int) -> bool:
    return len(fake.sent) >= count


async def test_a_forged_signature_is_403_and_stores_nothing(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    form = twilio_message(PHONE, "hello")
    async with providers(app, Echo()) as fake:
        forged = await post_twilio(client, settings, channel.id, form, token="not-the-token")
        unsigned = await client.post(f"/webhooks/twilio/{channel.id}", data=form)
        signed = await post_twilio(client, settings, channel.id, form)
        tampered = await client.post(
            f"/webhooks/twilio/{channel.id}",
            data={**form, "Body": "changed"},
            headers={"X-Twilio-Signature": _signature_of(settings, channel.id, form)},
        )
        await eventually(lambda: _sent(fake, 1), "the genuine message's reply")
    assert [forged.status_code, unsigned.status_code, tampered.status_code] == [403, 403, 403]
    assert signed.status_code == 200
    rows = await _rows(tenant.id)
    assert [m.text for m in rows["messages"] if m.direction == "inbound"] == ["hello"]


def _signature_of(settings: Settings, channel_id: Any, form: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    url = f"{settings.public_base_url}/webhooks/twilio/{channel_id}"
    return RequestValidator(AUTH_TOKEN).compute_signature(url, form)


async def test_unknown_disabled_or_other_provider_channels_are_403(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    form = twilio_message(PHONE, "hello")
    unknown = await post_twilio(client, settings, "7d0c8f9e-1111-4222-8333-944455556666", form)
    not_an_id = await post_twilio(client, settings, "not-a-uuid", form)
    as_cloud = await client.post(f"/webhooks/whatsapp/{channel.id}", json={})
    with tenant_context(TenantRef.of(tenant.id)):
        await disable_channel(channel_id=channel.id)
    disabled = await post_twilio(client, settings, channel.id, form)
    assert [r.status_code for r in (unknown, not_an_id, as_cloud, disabled)] == [403] * 4
    assert (await _rows(tenant.id))["messages"] == []


async def test_a_suspended_tenants_channel_is_403_after_it_was_accepted_and_200_on_resume(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    """The channel's tenant is known from an earlier delivery; suspension still applies to the
    very next one."""
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    async with providers(app, Echo()):
        first = await post_twilio(client, settings, channel.id, twilio_message(PHONE, "one"))
        await set_status(ref=tenant.id, status=TenantStatus.SUSPENDED)
        refused = await post_twilio(client, settings, channel.id, twilio_message(PHONE, "two"))
        await set_status(ref=tenant.id, status=TenantStatus.ACTIVE)
        resumed = await post_twilio(client, settings, channel.id, twilio_message(PHONE, "three"))
        await eventually(lambda: _all_processed(tenant.id, 2), "both accepted messages' turns")
    assert [first.status_code, refused.status_code, resumed.status_code] == [200, 403, 200]
    inbound = [m for m in (await _rows(tenant.id))["messages"] if m.direction == "inbound"]
    assert [m.text for m in inbound] == ["one", "three"]


async def test_a_redelivered_message_is_stored_once_and_answered_once(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    echo = Echo()
    form = twilio_message(PHONE, "Una laptop ngapi?")
    async with providers(app, echo) as fake:
        first = await post_twilio(client, settings, channel.id, form)
        await eventually(lambda: _sent(fake, 1), "the reply")
        again = await post_twilio(client, settings, channel.id, form)
        third = await post_twilio(client, settings, channel.id, form)
        # A later message shows the queue moved on, with no second answer to the first.
        await post_twilio(client, settings, channel.id, twilio_message(PHONE, "Asante"))
        await eventually(lambda: _sent(fake, 2), "the next message's reply")
    assert [first.status_code, again.status_code, third.status_code] == [200, 200, 200]
    assert echo.turns == [["Una laptop ngapi?"], ["Asante"]]
    assert [r.text for r in fake.sent] == ["got: Una laptop ngapi?", "got: Asante"]
    inbound = [m for m in (await _rows(tenant.id))["messages"] if m.direction == "inbound"]
    assert [m.text for m in inbound] == ["Una laptop ngapi?", "Asante"]


async def test_first_messages_at_once_from_a_new_customer_open_one_conversation(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    forms = [twilio_message(PHONE, f"forwarded {n}") for n in range(6)]
    async with providers(app, Echo()) as fake:
        answers = await asyncio.gather(
            *(post_twilio(client, settings, channel.id, form) for form in forms)
        )
        await eventually(lambda: _all_processed(tenant.id, 6), "every message had its turn")

        async def all_answered() -> bool:  # replies go out after their turn commits
            replied = " ".join(r.text for r in fake.sent)
            return all(f"forwarded {n}" in replied for n in range(6))

        await eventually(all_answered, "every message was answered")
    assert [a.status_code for a in answers] == [200] * 6
    rows = await _rows(tenant.id)
    assert len(rows["customers"]) == 1
    assert len(rows["conversations"]) == 1
    assert {m.conversation_id for m in rows["messages"]} == {rows["conversations"][0].id}


async def _all_processed(tenant_id: str, count: int) -> bool:
    rows = await _rows(tenant_id)
    inbound = [m for m in rows["messages"] if m.direction == "inbound"]
    return len(inbound) == count and all(m.processed_at for m in inbound)


async def test_media_is_stored_with_type_and_url_and_answered_in_kind(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    echo = Echo()
    media_url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"
    photo = twilio_message(
        PHONE, "", NumMedia="1", MediaUrl0=media_url, MediaContentType0="image/jpeg"
    )
    async with providers(app, MediaAwareResponder(inner=echo)) as fake:
        await post_twilio(client, settings, channel.id, photo)
        await eventually(lambda: _sent(fake, 1), "the answer to the photo")
        location = twilio_message(
            PHONE, "", MessageType="location", Latitude="-1.2921", Longitude="36.8219"
        )
        await post_twilio(client, settings, channel.id, location)
        await eventually(lambda: _sent(fake, 2), "the answer to the location")
    assert echo.turns == []  # no text: the assistant was not asked
    assert "I can read text for now" in fake.sent[0].text
    assert "location" in fake.sent[1].text
    inbound = [m for m in (await _rows(tenant.id))["messages"] if m.direction == "inbound"]
    assert [(m.kind, m.media_type, m.media_url) for m in inbound] == [
        ("image", "image/jpeg", media_url),
        ("location", None, None),
    ]
    assert inbound[1].extra == {"latitude": "-1.2921", "longitude": "36.8219"}


async def test_status_callbacks_keep_the_furthest_status_and_the_error_code(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    async with providers(app, Echo()) as fake:
        await post_twilio(client, settings, channel.id, twilio_message(PHONE, "one"))
        await eventually(lambda: _sent(fake, 1), "the first reply")
        await post_twilio(client, settings, channel.id, twilio_message(PHONE, "two"))
        await eventually(lambda: _sent(fake, 2), "the second reply")
    first, second = await _outbound_sids(tenant.id)
    for status in ("sent", "read", "delivered", "sent"):  # delivered and sent come late
        answer = await post_twilio(client, settings, channel.id, twilio_status(first, status))
        assert answer.status_code == 200 and answer.text.endswith("<Response/>")
    await post_twilio(client, settings, channel.id, twilio_status(second, "sent"))
    await post_twilio(client, settings, channel.id, twilio_status(second, "undelivered", "63016"))
    await post_twilio(client, settings, channel.id, twilio_status(second, "delivered"))
    await post_twilio(client, settings, channel.id, twilio_status("SM" + "0" * 32, "read"))
    outbound = [m for m in (await _rows(tenant.id))["messages"] if m.direction == "outbound"]
    assert [(m.status, m.error_code) for m in outbound] == [("read", None), ("failed", "63016")]


async def _outbound_sids(tenant_id: str) -> list[str]:
    rows = await _rows(tenant_id)
    return [m.provider_message_id for m in rows["messages"] if m.direction == "outbound"]


async def test_a_body_over_the_limit_is_refused_before_anything_is_stored(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    huge = twilio_message(PHONE, "x" * (settings.max_body_bytes + 1))
    answer = await post_twilio(client, settings, channel.id, huge)
    assert answer.status_code == 413
    assert (await _rows(tenant.id))["messages"] == []


class Gated(Echo):
    """Holds its first turn open until released, as a slow model would."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def respond(self, turn: Turn) -> Reply:
        self.entered.set()
        await self.release.wait()
        return await super().respond(turn)


async def test_three_messages_during_a_turn_get_one_further_reply(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    gated = Gated()
    async with providers(app, gated) as fake:
        await post_twilio(client, settings, channel.id, twilio_message(PHONE, "Niaje"))
        await asyncio.wait_for(gated.entered.wait(), timeout=20)
        for text in ("una laptop", "ya gaming", "budget 50K"):
            answer = await post_twilio(client, settings, channel.id, twilio_message(PHONE, text))
            assert answer.status_code == 200  # answered at once, while the turn still runs
        gated.release.set()
        await eventually(lambda: _all_processed(tenant.id, 4), "every message had its turn")
        await eventually(lambda: _sent(fake, 2), "both replies went out")
    assert gated.turns == [["Niaje"], ["una laptop", "ya gaming", "budget 50K"]]
    assert [r.text for r in fake.sent] == ["got: Niaje", "got: una laptop | ya gaming | budget 50K"]
