"""A circuit breaker per provider, per process, and the health it reports.

Ours rather than a library's, for reasons measured against the candidates' sources:
- one probe when half-open: `purgatory` (HalfOpenedState) and `circuitbreaker` (its `state`
  property) let every caller through once the cool-down has passed, so all of a busy tenant's
  turns would land on a provider that is just recovering;
- a cancelled call is no verdict: `circuitbreaker.__exit__` resets (closes) the circuit on any
  exception its predicate does not count, so a probe cancelled at shutdown would close it;
- monotonic time: `purgatory` measures the cool-down with `time.time()`, which jumps with the
  wall clock; `aiobreaker` has had no release since 2021;
- health needs the last error and the last success, which neither keeps.
The whole state machine is the few methods below.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from wabotiq.agent.llm.errors import CircuitOpenError, LLMError

T = TypeVar("T")
DEFAULT_FAILURE_THRESHOLD = 5
DEFAULT_COOLDOWN_S = 30.0


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    """One provider as this process sees it (for GraphQL and logs)."""

    provider: str
    state: BreakerState
    consecutive_failures: int
    last_error: str | None
    last_failure_at: datetime | None
    last_success_at: datetime | None
    # The last failure's kind (timeout, rate_limited, ...), for dashboards to group by.
    last_failure_kind: str | None = None
    # While open: when the cool-down ends and the next call becomes the half-open probe.
    probe_at: datetime | None = None


def counts_against(exc: BaseException) -> bool:
    """A failure that says the provider is unwell; request faults and our own bugs do not."""
    return isinstance(exc, LLMError) and exc.blames_provider


class CircuitBreaker:
    """Closed: calls pass, failures in a row are counted, `failure_threshold` of them open it.
    Open: no call passes until `cooldown_s` have gone by; then half-open: exactly one probe
    passes (others are refused while it runs); its success closes the circuit, its failure
    opens it for another cool-down. An answer that blames the request (400, 413, 422) counts as
    a success here: the provider is up and answering."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self._last_error: str | None = None
        self._last_failure_kind: str | None = None
        self._last_failure_at: datetime | None = None
        self._last_success_at: datetime | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` if the circuit lets it through, else raise `CircuitOpenError`."""
        probe = self._admit()
        try:
            result = await fn()
        except Exception as exc:
            if counts_against(exc):
                self._failed(exc)
            else:
                self._answered()
            raise
        finally:
            if probe:
                self._probing = False
        self._answered()
        return result

    def health(self) -> ProviderHealth:
        state = self.state
        return ProviderHealth(
            provider=self.name,
            state=state,
            consecutive_failures=self._failures,
            last_error=self._last_error,
            last_failure_at=self._last_failure_at,
            last_success_at=self._last_success_at,
            last_failure_kind=self._last_failure_kind,
            probe_at=self._probe_at() if state is BreakerState.OPEN else None,
        )

    def _probe_at(self) -> datetime | None:
        # The cool-down runs on the monotonic clock (immune to wall-clock jumps); the wall time
        # shown is now plus what is left of it.
        if self._opened_at is None:
            return None
        left = max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
        return datetime.now(UTC) + timedelta(seconds=left)

    def _admit(self) -> bool:
        """Whether the admitted call is the half-open probe; refuses when none may pass."""
        state = self.state
        if state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN and self._probing):
            raise CircuitOpenError(self.name)
        self._probing = state is BreakerState.HALF_OPEN
        return self._probing

    def _answered(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._last_success_at = datetime.now(UTC)

    def _failed(self, exc: Exception) -> None:
        self._failures += 1
        self._last_error = str(exc)
        self._last_failure_kind = exc.kind.value if isinstance(exc, LLMError) else None
        self._last_failure_at = datetime.now(UTC)
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()


class BreakerRegistry:
    """Breakers keyed by provider name. One per process (`BREAKERS`) serves every tenant's
    chain, so one tenant's failures spare the others the wait."""

    def __init__(
        self,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._failure_threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def configure(self, *, failure_threshold: int, cooldown_s: float) -> None:
        """New limits for existing and future breakers (settings read at start-up)."""
        self._failure_threshold = failure_threshold
        self._cooldown_s = cooldown_s
        for breaker in self._breakers.values():
            breaker.failure_threshold = failure_threshold
            breaker.cooldown_s = cooldown_s

    def get(self, name: str) -> CircuitBreaker:
        if name not in self._breakers:
            self._breakers[name] = CircuitBreaker(
                name,
                failure_threshold=self._failure_threshold,
                cooldown_s=self._cooldown_s,
                clock=self._clock,
            )
        return self._breakers[name]

    def health(self) -> list[ProviderHealth]:
        return [self._breakers[name].health() for name in sorted(self._breakers)]

    def health_of(self, name: str) -> ProviderHealth:
        """One provider's health, without making it a breaker: one never called is closed,
        with nothing to report."""
        breaker = self._breakers.get(name) or CircuitBreaker(name, clock=self._clock)
        return breaker.health()


BREAKERS = BreakerRegistry()


def provider_health(registry: BreakerRegistry = BREAKERS) -> list[ProviderHealth]:
    """Each known provider's breaker state, failures in a row, last error and last success."""
    return registry.health()
