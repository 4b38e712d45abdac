"""Meta's WhatsApp Cloud API: JSON webhooks signed with `X-Hub-Signature-256` over the raw
body, batched (entries → changes → messages/statuses), the `hub.verify_token` handshake, and
outbound through `POST /{phone_number_id}/messages` on the Graph API."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from wabotiq.domain.channels.service import Template
from wabotiq.domain.conversations.inbound import (
    Echo,
    InboundMessage,
    Notification,
    StatusUpdate,
)
from wabotiq.domain.conversations.models import MessageKind, MessageStatus
from wabotiq.integrations.whatsapp.channel import (
    Checked,
    ProviderRefused,
    Sent,
    WebhookRequest,
    refused_or_unreachable,
)

STATUSES: dict[str, MessageStatus] = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}
MEDIA_KINDS: dict[str, MessageKind] = {
    "image": MessageKind.IMAGE,
    "sticker": MessageKind.IMAGE,
    "audio": MessageKind.AUDIO,
    "voice": MessageKind.AUDIO,
    "video": MessageKind.VIDEO,
    "document": MessageKind.DOCUMENT,
}


def _timestamp(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _text_of(message: Mapping[str, Any]) -> str:
    """The words of a text, button or interactive reply."""
    kind = message.get("type")
    if kind == "text":
        return str(message.get("text", {}).get("body", ""))
    if kind == "button":
        return str(message.get("button", {}).get("text", ""))
    if kind == "interactive":
        interactive = message.get("interactive", {})
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply.get("title", ""))
    return ""


@dataclass(frozen=True)
class CloudChannel:
    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str
    graph_base_url: str
    graph_version: str
    provider: str = "cloud"

    @property
    def _base(self) -> str:
        return f"{self.graph_base_url}/v{self.graph_version}"

    def verify(self, request: WebhookRequest) -> bool:
        header = request.headers.get("x-hub-signature-256", "")
        expected = hmac.new(self.app_secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header.encode(), f"sha256={expected}".encode())

    def handshake(self, params: Mapping[str, str]) -> str | None:
        """The challenge to echo when Meta verifies the subscription with our token."""
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), self.verify_token.encode()
        ):
            return None
        return params.get("hub.challenge", "")

    def parse(self, request: WebhookRequest) -> Notification:
        payload = json.loads(request.body)
        found = Notification()
        for field_name, value in _changes(payload):
            if field_name == "messages":
                names = {c.get("wa_id"): c.get("profile", {}).get("name", "") for c in
                         value.get("contacts", [])}  # fmt: skip
                for message in value.get("messages", []):
                    found.messages.append(self._message(message, names))
                found.statuses.extend(_statuses(value))
            elif field_name == "smb_message_echoes":
                found.echoes.extend(_echo(echo) for echo in value.get("message_echoes", []))
        return found

    def _message(self, message: Mapping[str, Any], names: Mapping[Any, str]) -> InboundMessage:
        kind_name = str(message.get("type", ""))
        common: dict[str, Any] = {
            "provider_message_id": str(message["id"]),
            "phone": "+" + str(message.get("from", "")).lstrip("+"),
            "profile_name": names.get(message.get("from"), ""),
            "sent_at": _timestamp(message.get("timestamp")),
            "raw": dict(message),
        }
        if kind_name in MEDIA_KINDS:
            media = message.get(kind_name, {})
            return InboundMessage(
                kind=MEDIA_KINDS[kind_name],
                text=str(media.get("caption", "")),
                media_url=f"{self._base}/{media.get('id', '')}",
                media_type=media.get("mime_type"),
                extra={"media_id": media.get("id"), "filename": media.get("filename")},
                **common,
            )
        if kind_name == "location":
            location = message.get("location", {})
            return InboundMessage(kind=MessageKind.LOCATION, extra=dict(location), **common)
        text = _text_of(message)
        kind = MessageKind.TEXT if text or kind_name == "text" else MessageKind.OTHER
        return InboundMessage(kind=kind, text=text, **common)

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Sent:
        try:
            response = await client.post(
                f"{self._base}/{self.phone_number_id}/messages",
                json={"messaging_product": "whatsapp", **body},
                headers={"Authorization": f"Bearer {self.access_token}"},
            )
        except httpx.HTTPError as exc:
            raise refused_or_unreachable(exc) from exc
        answer = _json(response)
        messages = answer.get("messages") or []
        if response.is_error or not messages:
            error = answer.get("error") or {}
            raise ProviderRefused(
                str(error.get("code", response.status_code)), str(error.get("message", ""))
            )
        return Sent(provider_message_id=str(messages[0]["id"]))

    async def send_text(self, client: httpx.AsyncClient, *, to: str, text: str) -> Sent:
        body = {"to": to.lstrip("+"), "type": "text", "text": {"body": text}}
        return await self._post(client, body)

    async def send_template(
        self,
        client: httpx.AsyncClient,
        *,
        to: str,
        template: Template,
        variables: Mapping[str, str],
    ) -> Sent:
        spec: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
        if variables:
            parameters = [{"type": "text", "text": variables[key]} for key in sorted(variables)]
            spec["components"] = [{"type": "body", "parameters": parameters}]
        body = {"to": to.lstrip("+"), "type": "template", "template": spec}
        return await self._post(client, body)

    async def check(self, client: httpx.AsyncClient) -> Checked:
        try:
            response = await client.get(
                f"{self._base}/{self.phone_number_id}",
                headers={"Authorization": f"Bearer {self.access_token}"},
            )
        except httpx.HTTPError as exc:
            raise refused_or_unreachable(exc) from exc
        answer = _json(response)
        if response.is_error:
            error = answer.get("error") or {}
            raise ProviderRefused(
                str(error.get("code", response.status_code)), str(error.get("message", ""))
            )
        name = str(answer.get("verified_name", ""))
        return Checked(name=name, detail=str(answer.get("display_phone_number", "")))


def _changes(payload: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every change of every entry in a notification."""
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            yield str(change.get("field", "")), change.get("value") or {}


def _statuses(value: Mapping[str, Any]) -> Iterator[StatusUpdate]:
    for status in value.get("statuses", []):
        mapped = STATUSES.get(str(status.get("status", "")))
        if mapped is None:
            continue
        errors = status.get("errors") or []
        code = str(errors[0].get("code")) if errors else None
        yield StatusUpdate(str(status["id"]), mapped, code)


def _echo(echo: Mapping[str, Any]) -> Echo:
    kind = MessageKind.TEXT if echo.get("type") == "text" else MessageKind.OTHER
    return Echo(
        provider_message_id=str(echo["id"]),
        phone="+" + str(echo.get("to", "")).lstrip("+"),
        kind=kind,
        text=_text_of(echo),
        raw=dict(echo),
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
