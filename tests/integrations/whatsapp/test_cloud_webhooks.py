"""Meta's Cloud API webhooks through the ASGI app: the verify handshake, `X-Hub-Signature-256`
over the raw bytes, batched notifications, message echoes, statuses and the 24-hour window."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.conftest import MakeTenant
from tests.support.polling import eventually
from tests.support.whatsapp import (
    APP_SECRET,
    GRAPH_VERSION,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeProviders,
    cloud_channel,
    meta_notification,
    meta_text,
    meta_value,
    post_meta,
    providers,
)
from wabotiq.agent.turn import Reply, Turn
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations.models import Conversation, Message

WANJIKU = "254712345678"
OTIENO = "254722000111"


class Echo:
    def __init__(self) -> None:
        self.turns: list[list[str]] = []

    async def respond(self, turn: Turn) -> Reply:
        texts = [message.text for message in turn.messages]
        self.turns.append(texts)
        return Reply(texts=["got: " + " | ".join(texts)])


async def _sent(fake: FakeProviders, count: int) -> bool:
    return len(fake.sent) >= count


async def _messages(tenant_id: str) -> list[Message]:
    with tenant_context(TenantRef.of(tenant_id)):
        return list(await Message.all().order_by("seq"))


async def _conversations(tenant_id: str) -> list[Conversation]:
    with tenant_context(TenantRef.of(tenant_id)):
        return list(await Conversation.all().order_by("created_at"))


async def test_the_verify_handshake_echoes_the_challenge_only_for_our_token(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    url = f"/webhooks/whatsapp/{channel.id}"
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = await client.get(url, params=good)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert ok.headers["content-type"].startswith("text/plain")
    wrong = await client.get(url, params={**good, "hub.verify_token": "guess"})
    not_subscribe = await client.get(url, params={**good, "hub.mode": "unsubscribe"})
    unknown = await client.get(
        "/webhooks/whatsapp/7d0c8f9e-1111-4222-8333-944455556666", params=good
    )
    assert [wrong.status_code, not_subscribe.status_code, unknown.status_code] == [403, 403, 403]


async def test_a_bad_signature_is_403_and_stores_nothing(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    payload = meta_notification(
        meta_value(messages=[meta_text(WANJIKU, "Habari 😊", timestamp=int(time.time()))])
    )
    wrong_secret = await post_meta(client, channel.id, payload, secret="not-the-secret")
    no_prefix = await post_meta(client, channel.id, payload, sign=lambda raw: "")
    # Signed over the same JSON re-serialised with escapes: not the bytes we received.
    reencoded = await post_meta(
        client, channel.id, payload,
        sign=lambda raw: "sha256=" + _hmac(raw.decode().encode("ascii", "backslashreplace")),
    )  # fmt: skip
    assert [wrong_secret.status_code, no_prefix.status_code, reencoded.status_code] == [403] * 3
    assert await _messages(tenant.id) == []


def _hmac(raw: bytes) -> str:
    import hashlib
    import hmac

    return hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()


async def test_a_batched_notification_stores_each_message_in_its_own_conversation(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    now = int(time.time())
    first = meta_value(
        contacts=[{"profile": {"name": "Wanjiku"}, "wa_id": WANJIKU}],
        messages=[
            meta_text(WANJIKU, "Niaje 😊", timestamp=now),
            {"from": WANJIKU, "id": "wamid.photo1", "timestamp": str(now), "type": "image",
             "image": {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "x"}},
        ],
    )  # fmt: skip
    second = meta_value(
        contacts=[{"profile": {"name": "Otieno"}, "wa_id": OTIENO}],
        messages=[meta_text(OTIENO, "Bei ya TV?", timestamp=now)],
    )
    payload = meta_notification(first, second)
    echo = Echo()
    async with providers(app, echo) as fake:
        answer = await post_meta(client, channel.id, payload)
        assert answer.status_code == 200
        await eventually(lambda: _sent(fake, 2), "a reply in each conversation")
    conversations = await _conversations(tenant.id)
    assert len(conversations) == 2
    inbound = [m for m in await _messages(tenant.id) if m.direction == "inbound"]
    assert [(m.kind, m.text) for m in inbound] == [
        ("text", "Niaje 😊"), ("image", ""), ("text", "Bei ya TV?"),
    ]  # fmt: skip
    photo = inbound[1]
    assert photo.media_type == "image/jpeg"
    assert photo.media_url == f"https://graph.facebook.com/v{GRAPH_VERSION}/1479537139650973"
    sends = {r.json["to"]: r for r in fake.sent}
    assert set(sends) == {WANJIKU, OTIENO}
    assert sends[OTIENO].path == f"/v{GRAPH_VERSION}/{PHONE_NUMBER_ID}/messages"
    assert sends[OTIENO].json == {
        "messaging_product": "whatsapp", "to": OTIENO, "type": "text",
        "text": {"body": "got: Bei ya TV?"},
    }  # fmt: skip
    assert sorted(echo.turns) == [["Bei ya TV?"], ["Niaje 😊", ""]]


async def test_statuses_out_of_order_keep_the_furthest_and_failures_keep_their_code(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    async with providers(app, Echo()) as fake:
        for count, text in enumerate(("one", "two"), start=1):
            message = meta_text(WANJIKU, text, timestamp=int(time.time()))
            await post_meta(client, channel.id, meta_notification(meta_value(messages=[message])))
            await eventually(lambda n=count: _sent(fake, n), "the reply")
    first, second = [
        m.provider_message_id for m in await _messages(tenant.id) if m.direction == "outbound"
    ]

    def status(wamid: str, name: str, **extra: Any) -> dict[str, Any]:
        return {"id": wamid, "status": name, "timestamp": str(int(time.time())),
                "recipient_id": WANJIKU, **extra}  # fmt: skip

    failed = status(second, "failed", errors=[{"code": 131047, "title": "Re-engagement message"}])
    batch = meta_value(statuses=[status(first, "read"), status(first, "delivered"), failed])
    assert (await post_meta(client, channel.id, meta_notification(batch))).status_code == 200
    late = meta_value(statuses=[status(first, "sent"), status(second, "delivered")])
    assert (await post_meta(client, channel.id, meta_notification(late))).status_code == 200
    outbound = [m for m in await _messages(tenant.id) if m.direction == "outbound"]
    assert [(m.status, m.error_code) for m in outbound] == [("read", None), ("failed", "131047")]


async def test_an_echo_from_the_business_app_silences_the_assistant(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    echo = Echo()
    async with providers(app, echo) as fake:
        hello = meta_text(WANJIKU, "Habari", timestamp=int(time.time()))
        await post_meta(client, channel.id, meta_notification(meta_value(messages=[hello])))
        await eventually(lambda: _sent(fake, 1), "the assistant's reply")
        person = {"from": "254700000002", "to": WANJIKU, "id": "wamid.echo1",
                  "timestamp": str(int(time.time())), "type": "text",
                  "text": {"body": "Hi, Achieng here from the shop"}}  # fmt: skip
        echoes = meta_value() | {"message_echoes": [person]}
        answer = await post_meta(
            client, channel.id, meta_notification(echoes, field_name="smb_message_echoes")
        )
        assert answer.status_code == 200
        later = meta_text(WANJIKU, "Sawa, asante", timestamp=int(time.time()))
        await post_meta(client, channel.id, meta_notification(meta_value(messages=[later])))
        await eventually(lambda: _all_processed(tenant.id), "the later message was seen")
    assert echo.turns == [["Habari"]]
    assert len(fake.sent) == 1
    (conversation,) = await _conversations(tenant.id)
    assert conversation.status == "human"
    stored = [(m.author, m.text) for m in await _messages(tenant.id)]
    assert ("human", "Hi, Achieng here from the shop") in stored


async def _all_processed(tenant_id: str) -> bool:
    inbound = [m for m in await _messages(tenant_id) if m.direction == "inbound"]
    return bool(inbound) and all(m.processed_at for m in inbound)


async def test_outside_the_24_hour_window_the_assistant_s_text_is_held(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    echo = Echo()
    # Meta retried this delivery for a day: the customer wrote 25 hours ago.
    old = meta_text(WANJIKU, "Bado mko open?", timestamp=int(time.time()) - 25 * 3600)
    async with providers(app, echo) as fake:
        await post_meta(client, channel.id, meta_notification(meta_value(messages=[old])))
        await eventually(lambda: _all_processed(tenant.id), "the turn was taken")
    assert echo.turns == [["Bado mko open?"]]
    assert fake.sent == []
    outbound = [m for m in await _messages(tenant.id) if m.direction == "outbound"]
    assert [(m.status, m.text) for m in outbound] == [("held", "got: Bado mko open?")]


async def test_a_signed_body_that_is_not_a_notification_is_400_and_stores_nothing(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    odd = await post_meta(client, channel.id, {"object": "x", "entry": "not a list"})
    missing_id = meta_notification(meta_value(messages=[{"from": WANJIKU, "type": "text"}]))
    no_id = await post_meta(client, channel.id, missing_id)
    not_json = await client.post(
        f"/webhooks/whatsapp/{channel.id}",
        content=b"{not json",
        headers={"X-Hub-Signature-256": "sha256=" + _hmac(b"{not json")},
    )
    assert [odd.status_code, no_id.status_code, not_json.status_code] == [400, 400, 400]
    assert await _messages(tenant.id) == []


async def test_every_kind_of_message_is_stored_with_what_it_carries(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    now = str(int(time.time()))

    def message(kind: str, **body: Any) -> dict[str, Any]:
        return {"from": WANJIKU, "id": f"wamid.{kind}", "timestamp": now, "type": kind, **body}

    batch = [
        message("button", button={"text": "Ndio", "payload": "yes"}),
        message("interactive", interactive={"type": "list_reply",
                "list_reply": {"id": "2", "title": "Laptop ya pili"}}),
        message("location", location={"latitude": -1.29, "longitude": 36.82, "name": "CBD"}),
        message("document", document={"id": "55", "mime_type": "application/pdf",
                "filename": "quote.pdf", "caption": "Hii hapa"}),
        message("audio", audio={"id": "66", "mime_type": "audio/ogg; codecs=opus"}),
        message("reaction", reaction={"message_id": "wamid.x", "emoji": "👍"}),
    ]  # fmt: skip
    echo = Echo()
    async with providers(app, echo) as fake:
        answer = await post_meta(client, channel.id, meta_notification(meta_value(messages=batch)))
        assert answer.status_code == 200
        await eventually(lambda: _sent(fake, 1), "the reply")
    stored = [m for m in await _messages(tenant.id) if m.direction == "inbound"]
    assert [(m.kind, m.text, m.media_type) for m in stored] == [
        ("text", "Ndio", None),
        ("text", "Laptop ya pili", None),
        ("location", "", None),
        ("document", "Hii hapa", "application/pdf"),
        ("audio", "", "audio/ogg; codecs=opus"),
        ("other", "", None),
    ]
    assert stored[2].extra == {"latitude": -1.29, "longitude": 36.82, "name": "CBD"}
    assert stored[3].extra == {"media_id": "55", "filename": "quote.pdf"}
    assert stored[5].payload is not None and stored[5].payload["reaction"]["emoji"] == "👍"
    # One turn: everything that came together, answered together.
    assert echo.turns == [["Ndio", "Laptop ya pili", "", "Hii hapa", "", ""]]
