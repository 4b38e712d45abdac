"""A local stand-in for Twilio's Messages API: answers as Twilio does and keeps every message
the platform would have sent, so replies can be shown instead of delivered."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx

API_VERSION = "2010-04-01"


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message the platform handed to "Twilio"."""

    sid: str
    to: str  # whatsapp:+254…
    body: str
    at: float  # time.perf_counter() when it arrived


@dataclass
class LocalTwilio:
    """Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` for one account (Basic
    auth with the account SID and auth token, as Twilio checks it), on an `httpx.MockTransport`.
    Any host: the platform calls whatever TWILIO_API_BASE_URL says."""

    account_sid: str
    auth_token: str
    sent: list[SentMessage] = field(default_factory=list)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        base = f"/{API_VERSION}/Accounts/{self.account_sid}"
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        if request.method == "GET" and request.url.path == f"{base}.json":
            return httpx.Response(200, json={"sid": self.account_sid, "status": "active",
                                             "friendly_name": "Local chat"})  # fmt: skip
        if request.method != "POST" or request.url.path != f"{base}/Messages.json":
            return _error(404, 20404, f"The requested resource {request.url.path} was not found")
        form = dict(parse_qsl(request.content.decode()))
        if not form.get("To") or not (form.get("Body") or form.get("ContentSid")):
            return _error(400, 21602, "Message body is required.")
        message = SentMessage(
            sid="SM" + secrets.token_hex(16),
            to=form["To"],
            body=form.get("Body", ""),
            at=time.perf_counter(),
        )
        self.sent.append(message)
        return httpx.Response(201, json=self._resource(message, form))

    def _authorised(self, request: httpx.Request) -> bool:
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        expected = "Basic " + base64.b64encode(pair).decode()
        return secrets.compare_digest(request.headers.get("authorization", ""), expected)

    def _resource(self, message: SentMessage, form: dict[str, str]) -> dict[str, object]:
        """The Message resource as Twilio returns it on create."""
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message.sid}"
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "messaging_service_sid": None,
            "from": form.get("From"),
            "to": message.to,
            "body": message.body,
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "api_version": API_VERSION,
            "date_created": None,
            "date_sent": None,
            "date_updated": None,
            "uri": f"{path}.json",
        }


def _error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"code": code, "message": message, "status": status,
              "more_info": f"https://www.twilio.com/docs/errors/{code}"},
    )  # fmt: skip
