"""The sign-in counters against the clock: they decay, a success is remembered for a while, and
IPv6 clients are counted per /64. Time is passed in, never waited for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from wabotiq.auth.throttle import (
    HALF_LIFE,
    KNOWN_CLIENT_TTL,
    LoginPolicy,
    client_bucket,
    count_failure,
    forget_failures,
    open_gate,
)

POLICY = LoginPolicy(free_per_pair=2, free_per_client=50, free_per_account=50, max_delay_s=60)
T0 = datetime(2031, 5, 1, 8, 0, tzinfo=UTC)


async def _fail(email: str, client: str, at: datetime) -> int | None:
    async with in_transaction():
        gate = await open_gate(email=email, client=client, policy=POLICY, now=at)
        return await count_failure(gate=gate)


async def _wait(email: str, client: str, at: datetime) -> int | None:
    async with in_transaction():
        return (await open_gate(email=email, client=client, policy=POLICY, now=at)).wait_s()


def _email() -> str:
    return f"clock-{uuid.uuid4().hex[:10]}@example.com"


async def test_the_wait_counts_down_and_is_capped(db):
    email, client = _email(), "198.51.100.40"
    waits = [await _fail(email, client, T0) for _ in range(10)]
    assert waits == [None, None, 1, 2, 4, 8, 16, 32, 60, 60]
    assert await _wait(email, client, T0 + timedelta(seconds=59.5)) == 1
    assert await _wait(email, client, T0 + timedelta(seconds=60)) is None
    assert await _wait(email, client.replace("40", "41"), T0) is None  # another address


async def test_failures_weigh_less_as_they_age(db):
    email, client = _email(), "198.51.100.42"
    assert [await _fail(email, client, T0) for _ in range(5)] == [None, None, 1, 2, 4]
    # One half-life later five failures weigh two and a half: the next one makes four.
    assert await _fail(email, client, T0 + HALF_LIFE) == 2
    # Long quiet: free again.
    later = T0 + HALF_LIFE * 10
    assert [await _fail(email, client, later) for _ in range(3)] == [None, None, 1]


async def test_a_success_is_remembered_until_it_is_old(db):
    email, here, there = _email(), "198.51.100.43", "198.51.100.44"
    async with in_transaction():
        gate = await open_gate(email=email, client=here, policy=POLICY, now=T0)
        assert gate.known is False
        await forget_failures(gate=gate)
    async with in_transaction():
        assert (await open_gate(email=email, client=here, policy=POLICY, now=T0)).known
        assert not (await open_gate(email=email, client=there, policy=POLICY, now=T0)).known
        stale = T0 + KNOWN_CLIENT_TTL + timedelta(seconds=1)
        assert not (await open_gate(email=email, client=here, policy=POLICY, now=stale)).known


def test_ipv6_clients_are_counted_per_slash_64():
    assert client_bucket("2001:db8:1:2:aaaa::1") == client_bucket("2001:db8:1:2:bbbb::9")
    assert client_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_bucket("2001:db8:1:3::1") != client_bucket("2001:db8:1:2::1")
    assert client_bucket("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_bucket(" 203.0.113.7 ") == "203.0.113.7"
    assert client_bucket("") == "unknown"
