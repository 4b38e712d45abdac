"""Twilio's WhatsApp API: form webhooks signed with `X-Twilio-Signature` (checked by Twilio's
own `RequestValidator`), outbound through the Messages resource with a status callback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from wabotiq.domain.channels.service import Template
from wabotiq.domain.conversations.inbound import InboundMessage, Notification, StatusUpdate
from wabotiq.domain.conversations.models import MessageKind, MessageStatus
from wabotiq.integrations.whatsapp.channel import (
    Checked,
    ProviderRefused,
    Sent,
    WebhookRequest,
    refused_or_unreachable,
)

# Twilio's `MessageStatus` values in our words; unknown new ones are ignored.
STATUSES: dict[str, MessageStatus] = {
    "queued": MessageStatus.ACCEPTED,
    "accepted": MessageStatus.ACCEPTED,
    "scheduled": MessageStatus.ACCEPTED,
    "sending": MessageStatus.SENDING,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
    "undelivered": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
PREFIX = "whatsapp:"
# Listing what Twilio holds for one customer (reconciliation): Twilio allows up to 1,000 a page;
# more pages than this for one customer and day is not a conversation but a flood.
LIST_PAGE_SIZE = 100
MAX_LIST_PAGES = 10


@dataclass(frozen=True, slots=True)
class Listed:
    """A message as Twilio's Messages list shows it (`date_created` in RFC 2822)."""

    sid: str
    body: str
    status: MessageStatus | None  # None: a status we do not know
    error_code: str | None
    created_at: datetime | None


def media_kind(content_type: str) -> MessageKind:
    """The kind of a media message from its content type."""
    major = content_type.partition("/")[0].lower()
    return {
        "image": MessageKind.IMAGE,
        "audio": MessageKind.AUDIO,
        "video": MessageKind.VIDEO,
    }.get(major, MessageKind.DOCUMENT)


def _media(form: Mapping[str, str]) -> list[dict[str, str]]:
    """Every attachment (a WhatsApp message has one; Twilio numbers them all the same)."""
    count = int(form.get("NumMedia") or 0)
    return [
        {"url": form.get(f"MediaUrl{i}", ""), "type": form.get(f"MediaContentType{i}", "")}
        for i in range(count)
    ]


def _message(form: Mapping[str, str]) -> InboundMessage:
    raw = dict(form)
    common: dict[str, Any] = {
        "provider_message_id": form["MessageSid"],
        "phone": form.get("From", "").removeprefix(PREFIX),
        "profile_name": form.get("ProfileName", ""),
        "raw": raw,
    }
    if form.get("MessageType") == "location" or "Latitude" in form:
        extra = {"latitude": form.get("Latitude"), "longitude": form.get("Longitude")}
        return InboundMessage(kind=MessageKind.LOCATION, extra=extra, **common)
    if int(form.get("NumMedia") or 0) > 0:
        content_type = form.get("MediaContentType0", "")
        return InboundMessage(
            kind=media_kind(content_type),
            text=form.get("Body", ""),
            media_url=form.get("MediaUrl0"),
            media_type=content_type or None,
            extra={"media": _media(form)},
            **common,
        )
    text = form.get("Body") or form.get("ButtonText", "")
    return InboundMessage(kind=MessageKind.TEXT, text=text, **common)


@dataclass(frozen=True)
class TwilioChannel:
    account_sid: str
    auth_token: str
    sender: str  # whatsapp:+254…
    api_base_url: str
    status_callback: str
    provider: str = "twilio"

    def verify(self, request: WebhookRequest) -> bool:
        signature = request.headers.get("x-twilio-signature", "")
        validator = RequestValidator(self.auth_token)
        return bool(signature) and validator.validate(request.url, dict(request.form), signature)

    def parse(self, request: WebhookRequest) -> Notification:
        form = request.form
        if "MessageSid" not in form:
            return Notification()
        if "MessageStatus" in form:
            status = STATUSES.get(form["MessageStatus"].lower())
            if status is None:
                return Notification()
            code = form.get("ErrorCode") or None
            return Notification(statuses=[StatusUpdate(form["MessageSid"], status, code)])
        return Notification(messages=[_message(form)])

    def _url(self, path: str) -> str:
        return f"{self.api_base_url}/2010-04-01/Accounts/{self.account_sid}{path}"

    async def _post(self, client: httpx.AsyncClient, form: dict[str, str]) -> Sent:
        try:
            response = await client.post(
                self._url("/Messages.json"),
                data={**form, "From": self.sender, "StatusCallback": self.status_callback},
                auth=(self.account_sid, self.auth_token),
            )
        except httpx.HTTPError as exc:
            raise refused_or_unreachable(exc) from exc
        body = _json(response)
        if response.is_error or "sid" not in body:
            raise ProviderRefused(
                str(body.get("code", response.status_code)), body.get("message", "")
            )
        return Sent(provider_message_id=body["sid"])

    async def send_text(self, client: httpx.AsyncClient, *, to: str, text: str) -> Sent:
        return await self._post(client, {"To": PREFIX + to, "Body": text})

    async def send_template(
        self,
        client: httpx.AsyncClient,
        *,
        to: str,
        template: Template,
        variables: Mapping[str, str],
    ) -> Sent:
        form = {
            "To": PREFIX + to,
            "ContentSid": template.content_sid,
            "ContentVariables": json.dumps(dict(variables)),
        }
        return await self._post(client, form)

    async def check(self, client: httpx.AsyncClient) -> Checked:
        body = await self._get(client, self._url(".json"))
        return Checked(name=str(body.get("friendly_name", "")), detail=str(body.get("status", "")))

    async def sent_to(self, client: httpx.AsyncClient, *, to: str, since: datetime) -> list[Listed]:
        """What Twilio holds from our sender to `to` sent on or after `since`'s day (Twilio
        filters by UTC date only), every page (`next_page_uri`) up to MAX_LIST_PAGES."""
        url = self._url("/Messages.json")
        params: dict[str, str] | None = {
            "To": PREFIX + to,
            "From": self.sender,
            "DateSent>": since.astimezone(UTC).date().isoformat(),
            "PageSize": str(LIST_PAGE_SIZE),
        }
        found: list[Listed] = []
        for _ in range(MAX_LIST_PAGES):
            body = await self._get(client, url, params)
            found += [_listed(item) for item in body.get("messages") or []]
            next_page = body.get("next_page_uri")
            if not next_page:
                break
            url, params = self.api_base_url + str(next_page), None  # it carries the filters
        return found

    async def _get(
        self, client: httpx.AsyncClient, url: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            response = await client.get(
                url, params=params, auth=(self.account_sid, self.auth_token)
            )
        except httpx.HTTPError as exc:
            raise refused_or_unreachable(exc) from exc
        body = _json(response)
        if response.is_error:
            raise ProviderRefused(
                str(body.get("code", response.status_code)), body.get("message", "")
            )
        return body


def _listed(item: Mapping[str, Any]) -> Listed:
    created = item.get("date_created")
    try:
        created_at = parsedate_to_datetime(str(created)) if created else None
    except (TypeError, ValueError):
        created_at = None
    code = item.get("error_code")
    return Listed(
        sid=str(item.get("sid", "")),
        body=str(item.get("body") or ""),
        status=STATUSES.get(str(item.get("status", "")).lower()),
        error_code=str(code) if code is not None else None,
        created_at=created_at,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:200]}
    return body if isinstance(body, dict) else {}
