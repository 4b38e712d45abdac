"""What conversation tasks need from their process: settings, the field cipher, the responder
that answers turns, and the HTTP transport to the providers. The API process installs its
runtime's (`Runtime.start_background`); a worker process builds one from its settings. Tests
hand in an `httpx.MockTransport` and a responder of their own here, not by patching."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from wabotiq.agent.responder import AgentResponder
from wabotiq.agent.turn import MediaAwareResponder, Responder
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings, get_settings
from wabotiq.integrations.whatsapp.outbound import Delivery


def default_responder() -> Responder:
    """The shop's assistant; media-only turns answered in kind."""
    return MediaAwareResponder(inner=AgentResponder())


@dataclass
class Messaging:
    settings: Settings
    cipher: FieldCipher
    responder: Responder = field(default_factory=default_responder)
    transport: httpx.AsyncBaseTransport | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Messaging:
        return cls(settings=settings, cipher=FieldCipher(settings))

    def client(self) -> httpx.AsyncClient:
        """A client for provider calls (close it after use)."""
        return httpx.AsyncClient(transport=self.transport, timeout=self.settings.provider_timeout_s)

    def delivery(self, client: httpx.AsyncClient) -> Delivery:
        return Delivery(cipher=self.cipher, settings=self.settings, client=client)


_installed: list[Messaging] = []


def install(messaging: Messaging) -> None:
    """Make `messaging` the process's (the latest installed wins until it is removed)."""
    _installed.append(messaging)


def uninstall(messaging: Messaging) -> None:
    if messaging in _installed:
        _installed.remove(messaging)


def current() -> Messaging:
    """The process's messaging; a worker process builds its own from settings once."""
    if not _installed:
        install(Messaging.from_settings(get_settings()))
    return _installed[-1]
