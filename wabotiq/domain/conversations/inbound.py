"""What a provider's webhook says, in the domain's words: parsed by each integration, stored
by `service.record_inbound` and friends. Providers add fields without notice, so the raw
payload of each message travels along to be stored as received."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wabotiq.domain.conversations.models import MessageKind, MessageStatus


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A customer's message."""

    provider_message_id: str
    phone: str  # E.164 or a bare wa_id; normalised when stored
    kind: MessageKind
    text: str = ""
    profile_name: str = ""
    media_url: str | None = None
    media_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. latitude/longitude
    sent_at: datetime | None = None  # the provider's timestamp, when it gives one
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Echo:
    """A message the business sent from its own WhatsApp app (Cloud API message echoes): a
    person answered, so the conversation is theirs."""

    provider_message_id: str
    phone: str  # the customer's
    kind: MessageKind
    text: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The provider's news of one of our outbound messages."""

    provider_message_id: str
    status: MessageStatus
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """Everything one webhook delivery carries (a Cloud API POST may batch many)."""

    messages: list[InboundMessage] = field(default_factory=list)
    echoes: list[Echo] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
