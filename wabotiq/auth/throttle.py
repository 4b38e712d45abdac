"""Failed sign-ins slow further attempts down, per account from one address, per address across
accounts and per account across addresses; the counters live in `public`, shared by every API
process. A few failures are free; each further one doubles the wait before the next attempt.

An attacker on many addresses can drive the account-wide counter, so an address that has signed
in to the account before answers only to its own counter: failures from other addresses never
lock the owner out (behind one shared address, an attacker's count is the owner's too). Unknown
emails are counted exactly like known ones, so a refusal says nothing about an account."""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from wabotiq.auth.tokens import digest
from wabotiq.core.settings import Settings
from wabotiq.db.connection import current_connection

# A failure weighs half as much an hour later: the counts are decaying windows, not buckets a
# patient attacker can wait out at a boundary.
HALF_LIFE = timedelta(hours=1)
# A counter idle this long weighs less than 1/4000 of a failure: its row can go.
STALE_AFTER = HALF_LIFE * 12
# How long a successful sign-in keeps an address trusted for that account.
KNOWN_CLIENT_TTL = timedelta(days=90)
# Advisory locks of sign-in counters, in the two-key space (others use the one-key space).
LOCK_NAMESPACE = 0x6C6F67
# 2 ** 40 seconds is far past any sensible maximum; capping the exponent keeps the numbers small.
MAX_EXPONENT = 40


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Free failures per counter and the longest wait."""

    free_per_pair: int
    free_per_client: int
    free_per_account: int
    max_delay_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(
            free_per_pair=settings.login_free_failures,
            free_per_client=settings.login_free_failures_per_ip,
            free_per_account=settings.login_free_failures_per_account,
            max_delay_s=settings.login_max_delay_s,
        )


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    failures: float
    counted_at: datetime
    blocked_until: datetime | None


def counter_keys(account: str, client: str) -> tuple[str, str, str]:
    """The counters of one account from one address, of the address, of the account."""
    return f"pair:{account}:{client}", f"client:{client}", f"account:{account}"


@dataclass(frozen=True, slots=True)
class Gate:
    """One sign-in attempt's counters, locked until the caller's transaction ends."""

    account: str
    client: str
    now: datetime
    known: bool
    policy: LoginPolicy
    counters: dict[str, Counter]

    @property
    def pair_key(self) -> str:
        return counter_keys(self.account, self.client)[0]

    def free(self) -> dict[str, int]:
        """Counter key → free failures, for every counter an attempt moves."""
        pair, client, account = counter_keys(self.account, self.client)
        return {
            pair: self.policy.free_per_pair,
            client: self.policy.free_per_client,
            account: self.policy.free_per_account,
        }

    def limits(self) -> list[str]:
        """The counters this attempt answers to: a known address only to its own."""
        return [self.pair_key] if self.known else list(self.free())

    def wait_s(self) -> int | None:
        """Whole seconds before this client may try again, or None when it may now."""
        until = [c.blocked_until for k in self.limits() if (c := self.counters.get(k))]
        latest = max((u for u in until if u is not None), default=None)
        if latest is None or latest <= self.now:
            return None
        return max(1, math.ceil((latest - self.now).total_seconds()))


def client_bucket(host: str) -> str:
    """The address a counter is kept for: IPv6 clients by /64 (one subscriber's block)."""
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        return host.strip()[:100] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def decayed(counter: Counter | None, now: datetime) -> float:
    if counter is None:
        return 0.0
    elapsed = max((now - counter.counted_at).total_seconds(), 0.0)
    return counter.failures * math.pow(0.5, elapsed / HALF_LIFE.total_seconds())


def delay_s(excess: int, max_delay_s: int) -> int:
    """The wait after the `excess`-th failure beyond the free ones: 1, 2, 4 … up to the cap."""
    if excess <= 0:
        return 0
    return min(1 << min(excess - 1, MAX_EXPONENT), max_delay_s)


def counted(
    counter: Counter | None, *, key: str, free: int, now: datetime, max_delay_s: int
) -> Counter:
    """`counter` with one more failure at `now`, and the wait that follows it."""
    failures = decayed(counter, now) + 1
    # Rounded, so the sliver a burst decays between its requests does not skip a step.
    wait = delay_s(math.floor(failures + 0.5) - free, max_delay_s)
    blocked = counter.blocked_until if counter else None
    if wait:
        blocked = max(blocked or now, now + timedelta(seconds=wait))
    return Counter(key=key, failures=failures, counted_at=now, blocked_until=blocked)


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


async def open_gate(
    *, email: str, client: str, policy: LoginPolicy, now: datetime | None = None
) -> Gate:
    """Lock an attempt's counters until the caller's transaction ends and read them; `now`
    defaults to the database's clock, the one every API process shares."""
    account, bucket = digest(email.strip().lower()), client_bucket(client)
    keys = list(counter_keys(account, bucket))
    async with current_connection() as conn:
        # Concurrent attempts would otherwise all pass the check before any failure counts.
        # Locks are taken in one order, so two attempts never deadlock.
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, h) FROM unnest($2::int4[]) AS h",
            LOCK_NAMESPACE,
            sorted({_lock_id(key) for key in keys}),
        )
        row = await conn.fetchrow(
            "SELECT coalesce($3::timestamptz, clock_timestamp()) AS now,"
            " (SELECT last_success_at FROM public.login_known_clients"
            "  WHERE account = $1 AND client = $2) AS last_success_at",
            account,
            bucket,
            now,
        )
        rows = await conn.fetch(
            "SELECT key, failures, counted_at, blocked_until FROM public.login_throttle"
            " WHERE key = ANY($1::text[])",
            keys,
        )
    moment, last_success = row["now"], row["last_success_at"]
    known = last_success is not None and last_success > moment - KNOWN_CLIENT_TTL
    counters = {r["key"]: Counter(**dict(r)) for r in rows}
    return Gate(account, bucket, moment, known, policy, counters)


async def count_failure(*, gate: Gate) -> int | None:
    """Count a failed or refused attempt on every counter it moves; the seconds this client
    must now wait, or None."""
    updated = {
        key: counted(gate.counters.get(key), key=key, free=free, now=gate.now,
                     max_delay_s=gate.policy.max_delay_s)
        for key, free in gate.free().items()
    }  # fmt: skip
    rows = list(updated.values())
    async with current_connection() as conn:
        await conn.execute(
            "INSERT INTO public.login_throttle (key, failures, counted_at, blocked_until)"
            " SELECT * FROM unnest($1::text[], $2::float8[], $3::timestamptz[], $4::timestamptz[])"
            " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
            " counted_at = excluded.counted_at, blocked_until = excluded.blocked_until",
            [c.key for c in rows],
            [c.failures for c in rows],
            [c.counted_at for c in rows],
            [c.blocked_until for c in rows],
        )
        # Spraying random emails leaves rows behind: each failure sweeps a few long-idle ones.
        await conn.execute(
            "DELETE FROM public.login_throttle WHERE key IN (SELECT key FROM public.login_throttle"
            " WHERE counted_at < $1 AND coalesce(blocked_until, $1) <= $2 LIMIT 20)",
            gate.now - STALE_AFTER,
            gate.now,
        )
    return replace(gate, counters=updated).wait_s()


async def forget_failures(*, gate: Gate) -> None:
    """A successful sign-in: clear this address's counter for the account and trust the
    address for it from now on. The address and account counters keep decaying on their own,
    or the owner signing in would hand an attacker a fresh allowance."""
    async with current_connection() as conn:
        await conn.execute("DELETE FROM public.login_throttle WHERE key = $1", gate.pair_key)
        await conn.execute(
            "INSERT INTO public.login_known_clients (account, client, last_success_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (account, client)"
            " DO UPDATE SET last_success_at = excluded.last_success_at",
            gate.account,
            gate.client,
            gate.now,
        )


def describe_wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
