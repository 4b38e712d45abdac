"""Sign-in throttling over GraphQL: failures beyond the free ones make the next attempt wait
longer and longer; attempts inside the wait are refused unchecked with THROTTLED and a retry
time; per address, per account and per address across accounts; and the owner of an account
under attack still signs in from an address that signed in before."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import gql
from wabotiq.app import create_app
from wabotiq.core.settings import ConfigurationError, load_settings

FREE_PER_PAIR, FREE_PER_IP, FREE_PER_ACCOUNT = 3, 6, 5
WRONG = "not the password at all"

LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    session { user { email } }
    userErrors { field message code }
    retryAfterSeconds
  }
}
"""


@pytest.fixture(scope="module")
async def throttled_app(settings: Any, database_url: str, db: None) -> AsyncIterator[Any]:
    """The app with small allowances (the shared test app's per-address one is roomy: every
    test client there has the same address)."""
    tight = settings.model_copy(
        update={
            "login_free_failures": FREE_PER_PAIR,
            "login_free_failures_per_ip": FREE_PER_IP,
            "login_free_failures_per_account": FREE_PER_ACCOUNT,
            "trusted_proxies": ["192.0.2.1"],
        }
    )
    app = create_app(tight, database_url=database_url, manage_db=False)
    yield app
    await app.state.runtime.bus.close()


def fresh_ip() -> str:
    """An address no other test uses (the counters outlive a test)."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class Caller:
    """Sign-in attempts from one client address."""

    def __init__(self, app: Any, ip: str, headers: dict[str, str] | None = None) -> None:
        transport = httpx.ASGITransport(app=app, client=(ip, 1234))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.headers = headers or {}

    async def login(self, email: str, password: str) -> dict[str, Any]:
        body = await gql(self.client, LOGIN, {"email": email, "password": password}, self.headers)
        assert body.get("errors") is None, body
        return body["data"]["login"]

    async def fail(self, email: str, times: int) -> list[dict[str, Any]]:
        return [await self.login(email, WRONG) for _ in range(times)]


def code(payload: dict[str, Any]) -> str | None:
    errors = payload["userErrors"]
    return errors[0]["code"] if errors else None


def unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.com"


async def test_each_failure_beyond_the_free_ones_doubles_the_wait(throttled_app, make_tenant):
    tenant = await make_tenant()
    attacker = Caller(throttled_app, fresh_ip())

    free = await attacker.fail(tenant.owner_email, FREE_PER_PAIR)
    assert [(code(p), p["retryAfterSeconds"]) for p in free] == [
        ("INVALID_CREDENTIALS", None)
    ] * FREE_PER_PAIR
    # Every further attempt, checked or refused, doubles the wait; none of them opens a session.
    further = await attacker.fail(tenant.owner_email, 6)
    assert [p["retryAfterSeconds"] for p in further] == [1, 2, 4, 8, 16, 32]
    assert all(p["session"] is None for p in further)
    assert {code(p) for p in further[1:]} <= {"THROTTLED", "INVALID_CREDENTIALS"}
    assert code(further[-1]) == "THROTTLED"

    # Inside the wait even the right password is refused, unchecked, and the wait names itself.
    refused = await attacker.login(tenant.owner_email, tenant.password)
    assert refused["session"] is None
    assert refused["userErrors"] == [
        {"field": None, "message": "Too many failed sign-ins: try again in 2 minutes.",
         "code": "THROTTLED"}
    ]  # fmt: skip
    assert refused["retryAfterSeconds"] == 64


async def test_an_unknown_email_is_throttled_exactly_like_a_real_account(
    throttled_app, make_tenant
):
    tenant = await make_tenant()
    real = await Caller(throttled_app, fresh_ip()).fail(tenant.owner_email, FREE_PER_PAIR + 5)
    fake = await Caller(throttled_app, fresh_ip()).fail(unknown_email(), FREE_PER_PAIR + 5)
    waits = [None] * FREE_PER_PAIR + [1, 2, 4, 8, 16]
    assert [p["retryAfterSeconds"] for p in real] == [p["retryAfterSeconds"] for p in fake] == waits
    # Word for word, while free and while refused (an early refusal may meet an ended wait on
    # a loaded machine, so compare the last, eight seconds into one).
    assert fake[:FREE_PER_PAIR] == real[:FREE_PER_PAIR]
    assert fake[-1] == real[-1] and code(real[-1]) == "THROTTLED"


async def test_the_owner_signs_in_while_attackers_are_throttled(throttled_app, make_tenant):
    tenant = await make_tenant()
    owner = Caller(throttled_app, fresh_ip())
    assert (await owner.login(tenant.owner_email, tenant.password))["session"] is not None

    # Attackers on several addresses drive the account-wide counter past its allowance.
    attackers = [Caller(throttled_app, fresh_ip()) for _ in range(3)]
    for attacker in attackers:
        await attacker.fail(tenant.owner_email, FREE_PER_PAIR)
    last = (await attackers[0].fail(tenant.owner_email, 1))[0]
    # Nine failures on the account, five free: an eight-second wait, doubled by this attempt.
    assert code(last) == "THROTTLED" and last["retryAfterSeconds"] == 16
    # A new address is held by the account-wide limit, even with the right password...
    stranger = await Caller(throttled_app, fresh_ip()).login(tenant.owner_email, tenant.password)
    assert code(stranger) == "THROTTLED" and stranger["session"] is None
    assert stranger["retryAfterSeconds"] == 32

    # ...but the address the owner signed in from before answers only to its own counter.
    signed_in = await owner.login(tenant.owner_email, tenant.password)
    assert signed_in["userErrors"] == [] and signed_in["retryAfterSeconds"] is None
    assert signed_in["session"]["user"]["email"] == tenant.owner_email
    # The owner's success hands the attackers nothing back.
    assert code(await attackers[1].login(tenant.owner_email, WRONG)) == "THROTTLED"


async def test_a_success_clears_the_address_counter(throttled_app, make_tenant):
    tenant = await make_tenant()
    caller = Caller(throttled_app, fresh_ip())
    for _ in range(3):  # more failures in all than the address or the account get for free
        failed = await caller.fail(tenant.owner_email, FREE_PER_PAIR)
        assert [p["retryAfterSeconds"] for p in failed] == [None] * FREE_PER_PAIR
        assert (await caller.login(tenant.owner_email, tenant.password))["session"] is not None


async def test_one_address_failing_across_many_accounts_is_throttled(throttled_app, make_tenant):
    tenant = await make_tenant()
    sprayer = Caller(throttled_app, fresh_ip())
    sprayed = [(await sprayer.fail(unknown_email(), 1))[0] for _ in range(FREE_PER_IP + 4)]
    assert [p["retryAfterSeconds"] for p in sprayed] == [None] * FREE_PER_IP + [1, 2, 4, 8]

    # Any account, even with its right password, waits for this address...
    held = await sprayer.login(tenant.owner_email, tenant.password)
    assert code(held) == "THROTTLED" and held["retryAfterSeconds"] == 16
    # ...while other addresses sign in to it as usual.
    other = await Caller(throttled_app, fresh_ip()).login(tenant.owner_email, tenant.password)
    assert other["session"] is not None


async def test_concurrent_attempts_cannot_slip_past_the_count(throttled_app, make_tenant):
    tenant = await make_tenant()
    attacker = Caller(throttled_app, fresh_ip())
    burst = await asyncio.gather(
        *(attacker.login(tenant.owner_email, WRONG) for _ in range(FREE_PER_PAIR + 7))
    )
    # Counted one after another: read all at once, every attempt would have seen no failures.
    by_wait = sorted(burst, key=lambda p: p["retryAfterSeconds"] or 0)
    assert [p["retryAfterSeconds"] for p in by_wait] == [None] * FREE_PER_PAIR + [
        1, 2, 4, 8, 16, 32, 64
    ]  # fmt: skip
    # And those arriving eight seconds or more into a wait were refused unchecked.
    assert {code(p) for p in by_wait[-3:]} == {"THROTTLED"}
    assert all(p["session"] is None for p in burst)


async def test_forwarded_addresses_count_only_from_trusted_proxies(throttled_app, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    attacker_ip, owner_ip = fresh_ip(), fresh_ip()
    via_attacker = Caller(throttled_app, "192.0.2.1", {"X-Forwarded-For": attacker_ip})
    failed = await via_attacker.fail(tenant.owner_email, FREE_PER_PAIR + 2)
    assert [p["retryAfterSeconds"] for p in failed] == [None] * FREE_PER_PAIR + [1, 2]
    # The same proxy forwarding someone else: their own counter, so they sign in.
    via_owner = Caller(throttled_app, "192.0.2.1", {"X-Forwarded-For": owner_ip})
    assert (await via_owner.login(tenant.owner_email, tenant.password))["session"] is not None

    # A client that is no proxy cannot pick a fresh address for each attempt.
    direct = Caller(throttled_app, fresh_ip())
    spoofed = []
    for _ in range(FREE_PER_PAIR + 2):
        direct.headers = {"X-Forwarded-For": fresh_ip()}
        spoofed.append(await direct.login(other.owner_email, WRONG))
    assert [p["retryAfterSeconds"] for p in spoofed] == [None] * FREE_PER_PAIR + [1, 2]


def test_trusted_proxies_are_addresses_or_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "192.0.2.1, 10.0.0.0/8,2001:db8::/32")
    assert load_settings(_env_file=None).trusted_proxies == [
        "192.0.2.1",
        "10.0.0.0/8",
        "2001:db8::/32",
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert load_settings(_env_file=None).trusted_proxies == []
    for bad in ("proxy.internal", "10.0.0.1/8"):
        monkeypatch.setenv("TRUSTED_PROXIES", bad)
        with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
            load_settings(_env_file=None)
