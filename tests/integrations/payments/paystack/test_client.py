"""`PaystackClient` against a stand-in speaking Paystack's documented JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from tests.integrations.payments.paystack.fake_paystack import (
    BASE_URL,
    SECRET_KEY,
    FakePaystack,
    error,
    transaction,
)
from wabotiq.integrations.payments.paystack import (
    PaystackClient,
    PaystackError,
    PaystackUnavailable,
)

CALLBACK = "https://shop.example/pay/done"


@pytest.fixture
def paystack() -> FakePaystack:
    return FakePaystack()


@pytest.fixture
async def client(paystack: FakePaystack) -> AsyncIterator[PaystackClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(paystack)) as http:
        yield PaystackClient(base_url=BASE_URL, secret_key=SECRET_KEY, http_client=http)


async def test_initialize_sends_paystack_fields_in_subunits_and_returns_the_page(
    client: PaystackClient, paystack: FakePaystack
) -> None:
    page = await client.initialize(
        "wanjiku@example.com",
        Decimal("1500.50"),
        "kes",
        "ORD-1042-1",
        CALLBACK,
        metadata={"order_id": "1042", "tenant": "duka"},
    )

    assert page.authorization_url == "https://checkout.paystack.com/0peioxfhpn"
    assert page.access_code == "0peioxfhpn"
    assert page.reference == "ORD-1042-1"
    [sent] = paystack.initialized
    assert sent == {
        "email": "wanjiku@example.com",
        "amount": 150050,
        "currency": "KES",
        "reference": "ORD-1042-1",
        "callback_url": CALLBACK,
        "metadata": {"order_id": "1042", "tenant": "duka"},
    }


@pytest.mark.parametrize(
    ("amount", "subunits"),
    [(Decimal("1"), 100), (Decimal("0.01"), 1), (Decimal("99.9"), 9990), (Decimal("2500"), 250000)],
)
async def test_amounts_are_sent_as_whole_subunits(
    client: PaystackClient, paystack: FakePaystack, amount: Decimal, subunits: int
) -> None:
    await client.initialize("a@example.com", amount, "KES", "ref-1", CALLBACK)

    assert paystack.initialized[0]["amount"] == subunits
    assert "metadata" not in paystack.initialized[0]


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (Decimal("10.005"), "KES"),  # half a cent: refused, not rounded
        (Decimal("0.001"), "KES"),
        (Decimal("0"), "KES"),
        (Decimal("-5"), "KES"),
        (Decimal("NaN"), "KES"),
        (Decimal("10"), "EUR"),  # not a currency Paystack settles in
    ],
)
async def test_initialize_refuses_what_paystack_cannot_charge_without_calling_it(
    client: PaystackClient, paystack: FakePaystack, amount: Decimal, currency: str
) -> None:
    with pytest.raises(ValueError):
        await client.initialize("a@example.com", amount, currency, "ref-1", CALLBACK)
    assert paystack.initialized == []


@pytest.mark.parametrize(
    ("status", "paid_at", "channel", "paid"),
    [
        ("success", "2026-03-01T09:31:40.000Z", "mobile_money", True),
        ("failed", None, "card", False),
        ("abandoned", None, "card", False),
    ],
)
async def test_verify_reports_the_status_and_the_amount_in_major_units(
    client: PaystackClient,
    paystack: FakePaystack,
    status: str,
    paid_at: str | None,
    channel: str,
    paid: bool,
) -> None:
    paystack.transactions["ORD-1042-1"] = transaction(
        "ORD-1042-1", status, 150050, paid_at, channel
    )

    result = await client.verify("ORD-1042-1")

    assert paystack.verified == ["ORD-1042-1"]
    assert result.reference == "ORD-1042-1"
    assert result.status == status
    assert result.paid is paid
    assert result.amount == Decimal("1500.50")
    assert result.currency == "KES"
    assert result.channel == channel
    if paid:
        assert result.paid_at == datetime(2026, 3, 1, 9, 31, 40, tzinfo=UTC)
    else:
        assert result.paid_at is None


async def test_verify_of_an_unknown_reference_is_a_typed_error(client: PaystackClient) -> None:
    with pytest.raises(PaystackError) as raised:
        await client.verify("nope")

    assert type(raised.value) is PaystackError
    assert raised.value.message == "Transaction reference not found"
    assert raised.value.code == "transaction_not_found"
    assert raised.value.status == 400
    assert not raised.value.retryable


async def test_a_full_refund_by_reference(client: PaystackClient, paystack: FakePaystack) -> None:
    paystack.transactions["ORD-1"] = transaction("ORD-1", "success", 250000, "2026-03-01T09:31Z")

    refund = await client.refund("ORD-1")

    assert paystack.refunds == [{"transaction": "ORD-1"}]
    assert refund.id == 1234567
    assert refund.status == "pending"
    assert refund.amount == Decimal("2500")
    assert refund.currency == "KES"
    assert refund.transaction_reference == "ORD-1"


async def test_a_partial_refund_sends_the_amount_in_subunits(
    client: PaystackClient, paystack: FakePaystack
) -> None:
    paystack.transactions["ORD-1"] = transaction("ORD-1", "success", 250000, "2026-03-01T09:31Z")

    refund = await client.refund("ORD-1", Decimal("300.25"))

    assert paystack.refunds == [{"transaction": "ORD-1", "amount": 30025}]
    assert refund.amount == Decimal("300.25")


async def test_a_refund_of_a_fraction_of_a_subunit_is_refused(
    client: PaystackClient, paystack: FakePaystack
) -> None:
    with pytest.raises(ValueError):
        await client.refund("ORD-1", Decimal("1.001"))
    assert paystack.refunds == []


async def test_a_refund_paystack_refuses_is_a_typed_error(
    client: PaystackClient, paystack: FakePaystack
) -> None:
    paystack.transactions["ORD-1"] = transaction("ORD-1", "success", 1000, "2026-03-01T09:31Z")

    with pytest.raises(PaystackError) as raised:
        await client.refund("ORD-1", Decimal("50"))

    assert raised.value.message == "Refund amount cannot be greater than transaction amount"
    assert not raised.value.retryable


async def test_a_wrong_secret_key_is_a_paystack_error(paystack: FakePaystack) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(paystack)) as http:
        client = PaystackClient(BASE_URL, "sk_test_wrong", http)
        with pytest.raises(PaystackError) as raised:
            await client.initialize("a@example.com", Decimal("10"), "KES", "ref-1", CALLBACK)
    assert raised.value.status == 401
    assert raised.value.message == "Invalid key"
    assert not raised.value.retryable
    assert paystack.initialized == []


@pytest.mark.parametrize(
    "failure",
    [
        error(400, "Duplicate Transaction Reference"),
        # `status: false` is a refusal even under a 200.
        httpx.Response(200, json={"status": False, "message": "Duplicate Transaction Reference"}),
    ],
)
async def test_a_status_false_body_becomes_a_typed_error_with_its_message(
    client: PaystackClient, paystack: FakePaystack, failure: httpx.Response
) -> None:
    paystack.fail_with = failure

    with pytest.raises(PaystackError) as raised:
        await client.initialize("a@example.com", Decimal("10"), "KES", "ref-1", CALLBACK)

    assert type(raised.value) is PaystackError
    assert raised.value.message == "Duplicate Transaction Reference"
    assert not raised.value.retryable


@pytest.mark.parametrize(
    "failure",
    [
        error(503, "Service Unavailable"),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
)
async def test_server_errors_and_timeouts_are_retryable(
    client: PaystackClient, paystack: FakePaystack, failure: httpx.Response | Exception
) -> None:
    paystack.fail_with = failure

    with pytest.raises(PaystackUnavailable) as raised:
        await client.verify("ORD-1")

    assert raised.value.retryable


async def test_a_success_reply_without_its_data_is_an_error(
    client: PaystackClient, paystack: FakePaystack
) -> None:
    paystack.fail_with = httpx.Response(200, json={"status": True, "message": "ok"})

    with pytest.raises(PaystackError):
        await client.verify("ORD-1")
