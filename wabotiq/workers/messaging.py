"""What conversation tasks need from their process: settings, the field cipher, the responder
that answers turns, and the HTTP transport to the providers. The API process installs its
runtime's (`Runtime.start_background`); a worker process builds one from its settings. Tests
hand in an `httpx.MockTransport` and a responder of their own here, not by patching."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from functools import cache

import httpx

from wabotiq.agent.llm_agent import language_tier
from wabotiq.agent.responder import AgentResponder
from wabotiq.agent.turn import MediaAwareResponder, Responder
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings, get_settings
from wabotiq.integrations.whatsapp.outbound import Delivery


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context (certificates checked, SSL_CERT_FILE/SSL_CERT_DIR honoured),
    built once per process: loading the CA bundle costs ~40 ms of CPU, and every drain of a
    conversation opens a client."""
    return httpx.create_ssl_context()


@dataclass
class Messaging:
    settings: Settings
    cipher: FieldCipher
    responder: Responder | None = None
    transport: httpx.AsyncBaseTransport | None = None
    _llm_http: httpx.AsyncClient | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Messaging:
        return cls(settings=settings, cipher=FieldCipher(settings))

    def turn_responder(self) -> Responder:
        """The responder turns go to: the one handed in, else the default (built once)."""
        if self.responder is None:
            self.responder = self.default_responder()
        return self.responder

    def default_responder(self) -> Responder:
        """The shop's assistant (a tenant's language models first when any is configured,
        the offline tier otherwise and as the fallback); media-only turns answered in kind."""
        return MediaAwareResponder(
            inner=AgentResponder(language_tier=language_tier(self.settings, self._llm_client()))
        )

    def _llm_client(self) -> httpx.AsyncClient:
        """The language-model providers' HTTP client, shared by every turn of the process."""
        if self._llm_http is None:
            self._llm_http = httpx.AsyncClient(timeout=self.settings.llm_timeout_s, verify=_tls())
        return self._llm_http

    def client(self) -> httpx.AsyncClient:
        """A client for provider calls (close it after use)."""
        return httpx.AsyncClient(
            transport=self.transport, timeout=self.settings.provider_timeout_s, verify=_tls()
        )

    def delivery(self, client: httpx.AsyncClient) -> Delivery:
        return Delivery(cipher=self.cipher, settings=self.settings, client=client)

    async def aclose(self) -> None:
        if self._llm_http is not None:
            await self._llm_http.aclose()
            self._llm_http = None


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
