"""The one error a provider raises, whatever its SDK raised, and which of them are worth a retry."""

from __future__ import annotations

from enum import StrEnum

# Statuses that say "not now" rather than "never": a retry or another provider may succeed.
TRANSIENT_STATUSES = frozenset({408, 429})
# Statuses that blame this request (malformed, too long), not the provider: they do not count
# towards its breaker. A wrong key or model (401, 403, 404) does: every call would fail alike.
REQUEST_FAULT_STATUSES = frozenset({400, 413, 422})


class FailureKind(StrEnum):
    """Why a provider gave no answer; recorded on each failover hop."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    CLIENT_ERROR = "client_error"
    BAD_RESPONSE = "bad_response"
    CIRCUIT_OPEN = "circuit_open"
    NOT_CONFIGURED = "not_configured"


def kind_for_status(status: int) -> FailureKind:
    """Map an HTTP status to a failure kind."""
    if status == 429:
        return FailureKind.RATE_LIMITED
    if status == 408:
        return FailureKind.TIMEOUT
    if status >= 500:
        return FailureKind.SERVER_ERROR
    return FailureKind.CLIENT_ERROR


class LLMError(RuntimeError):
    """A provider failed to answer. `transient` failures (timeouts, lost connections, 429, 5xx)
    are retried; the rest (a bad request, a wrong key, an unusable answer) go straight to the
    next provider, since asking again would get the same answer."""

    def __init__(
        self, provider: str, kind: FailureKind, message: str, *, status: int | None = None
    ) -> None:
        suffix = f" (HTTP {status})" if status else ""
        super().__init__(f"{provider}: {kind.value}{suffix}: {message}")
        self.provider = provider
        self.kind = kind
        self.status = status
        self.message = message

    @classmethod
    def from_status(cls, provider: str, status: int, message: str) -> LLMError:
        return cls(provider, kind_for_status(status), message, status=status)

    @property
    def transient(self) -> bool:
        if self.status is not None:
            return self.status in TRANSIENT_STATUSES or self.status >= 500
        return self.kind in {FailureKind.TIMEOUT, FailureKind.CONNECTION}

    @property
    def blames_provider(self) -> bool:
        """Whether this failure counts against the provider's health (its breaker)."""
        return self.status not in REQUEST_FAULT_STATUSES


class CircuitOpenError(LLMError):
    """The provider's breaker is open (or its one half-open probe is in flight): not called."""

    def __init__(self, provider: str) -> None:
        super().__init__(provider, FailureKind.CIRCUIT_OPEN, "circuit open, provider not called")
