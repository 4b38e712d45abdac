"""What conversation tasks need from their process: settings, the field cipher, the responder
that answers turns, and the HTTP transport to the providers. The API process installs its
runtime's (`Runtime.start_background`); a worker process builds one from its settings. Tests
hand in an `httpx.MockTransport` and a responder of their own here, not by patching."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

import httpx

from wabotiq.agent.holding import HoldingResponder
from wabotiq.agent.turn import MediaAwareResponder, Responder
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings, get_settings
from wabotiq.integrations.whatsapp.outbound import Delivery


def default_responder() -> Responder:
    """Media-only turns answered in kind; text turns, until an assistant is configured, get a
    holding reply and go to a person."""
    return MediaAwareResponder(inner=HoldingResponder())


@dataclass
class Messaging:
    settings: Settings
    cipher: FieldCipher
    responder: Responder = field(default_factory=default_responder)
    transport: httpx.AsyncBaseTransport | None = None
    _tls: ssl.SSLContext | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Messaging:
        return cls(settings=settings, cipher=FieldCipher(settings))

    def client(self) -> httpx.AsyncClient:
        """A client for provider calls (close it after use). Its TLS context (httpx's default:
        certificate checks on, SSL_CERT_FILE/SSL_CERT_DIR honoured) is built once: loading the
        CA bundle took ~40 ms of CPU, and every drain of a conversation opens a client."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return httpx.AsyncClient(
            transport=self.transport, timeout=self.settings.provider_timeout_s, verify=self._tls
        )

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
