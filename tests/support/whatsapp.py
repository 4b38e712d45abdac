"""Local stand-ins for Twilio and Meta: an `httpx.MockTransport` answering with each
provider's JSON and keeping every outbound request; webhook bodies signed the providers' way;
channels made through the domain service; and the app's messaging pointed at them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from tortoise.transactions import in_transaction
from twilio.request_validator import RequestValidator

from wabotiq.agent.turn import Responder
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.models import Channel, ChannelProvider
from wabotiq.domain.channels.service import Template, create_channel
from wabotiq.workers.messaging import Messaging

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-auth-token-for-tests"
SENDER = "whatsapp:+254700000001"
PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "meta-access-token-for-tests"
APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "meta-verify-token-for-tests"
GRAPH_VERSION = "21.0"
CONTENT_SID = "HX" + "abcdef0123456789" * 2


@dataclass
class Outbound:
    """One request a provider received from us."""

    provider: str
    method: str
    path: str
    auth: str
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.provider == "twilio":
            return self.form.get("Body", "")
        return str(self.json.get("text", {}).get("body", ""))


class FakeProviders:
    """Twilio's REST API and Meta's Graph API as far as we use them; `refuse_next` makes the
    next sends fail the way a provider refuses (Twilio 63016, Meta 131047 ...). Twilio's
    Messages list answers from the messages it created (`twilio_messages`, oldest first),
    newest first and paged as Twilio pages (at most `max_page_size` a page)."""

    def __init__(self) -> None:
        self.requests: list[Outbound] = []
        self.refuse_next: list[tuple[str, str]] = []
        self.twilio_messages: list[dict[str, Any]] = []
        self.max_page_size = 1000
        self.transport = httpx.MockTransport(self.handle)

    @property
    def sent(self) -> list[Outbound]:
        return [r for r in self.requests if r.method == "POST"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.twilio.com":
            return self._twilio(request)
        if request.url.host == "graph.facebook.com":
            return self._meta(request)
        return httpx.Response(404, json={"message": "unknown host"})

    def _twilio(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        auth = request.headers.get("authorization", "")
        form = dict(parse_qsl(request.content.decode())) if request.content else {}
        query = dict(request.url.params)
        self.requests.append(
            Outbound("twilio", request.method, request.url.path, auth, form=form, query=query)
        )
        if auth != expected:
            return httpx.Response(
                401, json={"code": 20003, "message": "Authenticate", "status": 401}
            )
        if (
            request.method == "GET"
            and request.url.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"
        ):
            return httpx.Response(
                200, json={"sid": ACCOUNT_SID, "friendly_name": "Duka Test", "status": "active"}
            )
        if request.url.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return httpx.Response(404, json={"code": 20404, "message": "Not found", "status": 404})
        if request.method == "GET":
            return httpx.Response(200, json=self._twilio_list(request.url.params))
        if self.refuse_next:
            code, message = self.refuse_next.pop(0)
            return httpx.Response(400, json={"code": int(code), "message": message, "status": 400})
        now = format_datetime(datetime.now(UTC))
        created = {
            "sid": "SM" + secrets.token_hex(16),
            "status": "queued",
            "account_sid": ACCOUNT_SID,
            "from": form.get("From"),
            "to": form.get("To"),
            "body": form.get("Body", ""),
            "direction": "outbound-api",
            "date_created": now,
            "date_updated": now,
            "date_sent": now,
            "error_code": None,
            "error_message": None,
            "num_segments": "1",
            "api_version": "2010-04-01",
        }
        self.twilio_messages.append(created)
        return httpx.Response(201, json=created)

    def _twilio_list(self, params: httpx.QueryParams) -> dict[str, Any]:
        """`GET .../Messages.json`: filtered by `To`, `From` and `DateSent>` (a UTC date: sent
        on or after that day), newest first, `PageSize` a page, `Page` from 0."""
        since = params.get("DateSent>")
        found = [
            m
            for m in reversed(self.twilio_messages)
            if params.get("To") in (None, m["to"]) and params.get("From") in (None, m["from"])
            if since is None or parsedate_to_datetime(m["date_sent"]).date().isoformat() >= since
        ]
        size = min(int(params.get("PageSize", 50)), self.max_page_size)
        page = int(params.get("Page", 0))
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        filters = {k: v for k, v in params.items() if k not in ("Page", "PageToken", "PageSize")}

        def uri(number: int) -> str:
            query = {**filters, "PageSize": size, "Page": number}
            if number:
                query["PageToken"] = f"PASM{number}"
            return f"{path}?{urlencode(query)}"

        more = (page + 1) * size < len(found)
        return {
            "messages": found[page * size : (page + 1) * size],
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": min((page + 1) * size, len(found)) - 1,
            "uri": uri(page),
            "first_page_uri": uri(0),
            "previous_page_uri": uri(page - 1) if page else None,
            "next_page_uri": uri(page + 1) if more else None,
        }

    def _meta(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        body = json.loads(request.content) if request.content else {}
        self.requests.append(Outbound("meta", request.method, request.url.path, auth, json=body))
        if auth != f"Bearer {ACCESS_TOKEN}":
            error = {
                "message": "Invalid OAuth access token.",
                "type": "OAuthException",
                "code": 190,
            }
            return httpx.Response(401, json={"error": error})
        base = f"/v{GRAPH_VERSION}/{PHONE_NUMBER_ID}"
        if request.method == "GET" and request.url.path == base:
            return httpx.Response(
                200,
                json={"verified_name": "Duka Test", "display_phone_number": "+254 700 000002",
                      "id": PHONE_NUMBER_ID},
            )  # fmt: skip
        if request.url.path != f"{base}/messages":
            return httpx.Response(404, json={"error": {"message": "Unknown path", "code": 100}})
        if self.refuse_next:
            code, message = self.refuse_next.pop(0)
            return httpx.Response(400, json={"error": {"message": message, "code": int(code)}})
        to = body.get("to")
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": "wamid." + secrets.token_hex(20)}],
            },
        )


@asynccontextmanager
async def providers(app: Any, responder: Responder | None = None) -> AsyncIterator[FakeProviders]:
    """Point the app's messaging (the process's) at fake providers, and at `responder` if
    given, for the duration."""
    messaging: Messaging = app.state.runtime.messaging
    fake = FakeProviders()
    saved = (messaging.transport, messaging.responder)
    messaging.transport = fake.transport
    if responder is not None:
        messaging.responder = responder
    try:
        yield fake
    finally:
        messaging.transport, messaging.responder = saved


async def twilio_channel(tenant_id: str, cipher: FieldCipher, **overrides: Any) -> Channel:
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            return await create_channel(
                cipher=cipher,
                tenant_id=tenant_id,
                provider=ChannelProvider.TWILIO,
                name="Twilio test",
                secrets={"auth_token": AUTH_TOKEN},
                account_sid=ACCOUNT_SID,
                sender=SENDER,
                templates=[Template(name="follow_up", content_sid=CONTENT_SID)],
                **overrides,
            )


async def cloud_channel(tenant_id: str, cipher: FieldCipher, **overrides: Any) -> Channel:
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            return await create_channel(
                cipher=cipher,
                tenant_id=tenant_id,
                provider=ChannelProvider.CLOUD,
                name="Cloud test",
                secrets={
                    "access_token": ACCESS_TOKEN,
                    "app_secret": APP_SECRET,
                    "verify_token": VERIFY_TOKEN,
                },
                phone_number_id=PHONE_NUMBER_ID,
                graph_version=GRAPH_VERSION,
                templates=[Template(name="follow_up", language="sw")],
                **overrides,
            )


def twilio_message(phone: str, body: str = "", **fields: str) -> dict[str, str]:
    """An inbound message form as Twilio posts it."""
    return {
        "SmsMessageSid": (sid := fields.pop("MessageSid", "SM" + secrets.token_hex(16))),
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{phone}",
        "To": SENDER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ProfileName": "Wanjiku",
        "WaId": phone.lstrip("+"),
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        **fields,
    }


def twilio_status(message_sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    """A status callback as Twilio posts it."""
    form = {
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": SENDER,
        "To": "whatsapp:+254712345678",
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
    }
    if error_code:
        form.update(ErrorCode=error_code, ErrorMessage="Message failed")
    return form


async def post_twilio(
    client: httpx.AsyncClient,
    settings: Settings,
    channel_id: uuid.UUID | str,
    form: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
) -> httpx.Response:
    """POST a form signed as Twilio signs it: over our public URL and the sorted fields."""
    path = f"/webhooks/twilio/{channel_id}"
    signature = RequestValidator(token).compute_signature(settings.public_base_url + path, form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def meta_notification(*values: dict[str, Any], field_name: str = "messages") -> dict[str, Any]:
    """A Cloud API notification: one entry, one change per value."""
    changes = [{"field": field_name, "value": value} for value in values]
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1029384756", "changes": changes}],
    }


def meta_value(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "254700000002", "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return value


def meta_text(wa_id: str, body: str, *, timestamp: int, wamid: str | None = None) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": wamid or "wamid." + secrets.token_hex(20),
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": body},
    }


async def post_meta(
    client: httpx.AsyncClient,
    channel_id: uuid.UUID | str,
    payload: dict[str, Any],
    *,
    secret: str = APP_SECRET,
    sign: Callable[[bytes], str] | None = None,
) -> httpx.Response:
    """POST raw JSON bytes signed as Meta signs them: HMAC-SHA256 of exactly these bytes."""
    raw = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    signature = sign(raw) if sign else f"sha256={digest}"
    return await client.post(
        f"/webhooks/whatsapp/{channel_id}",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
