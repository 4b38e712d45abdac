"""The one interface both WhatsApp providers implement: verify and parse what they send us,
send what we say, and check that a channel's credentials work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from wabotiq.domain.channels.service import Template
from wabotiq.domain.conversations.inbound import Notification


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """An inbound request as the provider signed it: the public URL it called, headers, the
    raw body and (for form posts) its fields."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    form: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sent:
    """The provider took the message under this id."""

    provider_message_id: str


@dataclass(frozen=True, slots=True)
class Checked:
    """The provider answered a credentials check: what it calls the account or number."""

    name: str
    detail: str = ""


class ProviderRefused(Exception):
    """The provider answered with an error: the request reached it and was refused."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ProviderUnreachable(Exception):
    """No connection to the provider: nothing was sent."""


class Channel(Protocol):
    @property
    def provider(self) -> str:
        """`twilio` or `cloud`."""
        ...

    def verify(self, request: WebhookRequest) -> bool:
        """Whether the provider signed this request with the channel's secret."""
        ...

    def parse(self, request: WebhookRequest) -> Notification:
        """Messages, echoes and delivery statuses in a verified request."""
        ...

    async def send_text(self, client: httpx.AsyncClient, *, to: str, text: str) -> Sent:
        """Send free-form text to an E.164 number."""
        ...

    async def send_template(
        self,
        client: httpx.AsyncClient,
        *,
        to: str,
        template: Template,
        variables: Mapping[str, str],
    ) -> Sent:
        """Send an approved template to an E.164 number."""
        ...

    async def check(self, client: httpx.AsyncClient) -> Checked:
        """Ask the provider whether the credentials work."""
        ...


def refused_or_unreachable(exc: httpx.HTTPError) -> ProviderUnreachable | ProviderRefused:
    """A transport error: unreachable when nothing can have been sent, else a refusal we
    cannot retry safely (the request may have arrived)."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ProviderUnreachable(str(exc) or type(exc).__name__)
    return ProviderRefused("network", str(exc) or type(exc).__name__)
