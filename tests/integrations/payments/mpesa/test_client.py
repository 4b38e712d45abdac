"""`DarajaClient` against a stand-in speaking Daraja's documented JSON."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from tests.integrations.payments.mpesa.fake_daraja import (
    BASE_URL,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PASSKEY,
    SHORTCODE,
    TIMESTAMP,
    Clock,
    FakeDaraja,
    error,
)
from wabotiq.integrations.payments.mpesa import (
    DarajaClient,
    DarajaError,
    DarajaUnavailable,
    FailureReason,
)

CALLBACK = "https://shop.example/webhooks/payments/mpesa/tok"


@pytest.fixture
def daraja() -> FakeDaraja:
    return FakeDaraja()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(daraja: FakeDaraja, clock: Clock) -> AsyncIterator[DarajaClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(daraja)) as http:
        yield DarajaClient(
            base_url=BASE_URL,
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            shortcode=SHORTCODE,
            passkey=PASSKEY,
            http_client=http,
            clock=clock,
        )


async def push(client: DarajaClient, phone: str = "+254 712 345 678") -> None:
    await client.stk_push(phone, Decimal("150"), "ORD-1042", "Order 1042", CALLBACK)


async def test_stk_push_sends_daraja_fields_and_returns_the_ids(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    accepted = await client.stk_push(
        "0712345678", Decimal("1500.00"), "ORD-1042", "Order", CALLBACK
    )

    assert accepted.merchant_request_id == "29115-34620561-1"
    assert accepted.checkout_request_id == "ws_CO_191220191020363925"
    assert accepted.response_code == "0"
    assert accepted.customer_message == "Success. Request accepted for processing"
    [sent] = daraja.stk_pushes
    assert sent == {
        "BusinessShortCode": SHORTCODE,
        "Password": base64.b64encode(f"{SHORTCODE}{PASSKEY}{TIMESTAMP}".encode()).decode(),
        "Timestamp": TIMESTAMP,  # Nairobi wall-clock time of the fixed clock
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1500,
        "PartyA": "254712345678",
        "PartyB": SHORTCODE,
        "PhoneNumber": "254712345678",
        "CallBackURL": CALLBACK,
        "AccountReference": "ORD-1042",
        "TransactionDesc": "Order",
    }


@pytest.mark.parametrize(
    ("amount", "reference", "description", "phone"),
    [
        (Decimal("10.50"), "ORD-1", "Order", "0712345678"),  # not whole shillings
        (Decimal("0"), "ORD-1", "Order", "0712345678"),
        (10, "ORDER-TOO-LONG", "Order", "0712345678"),  # > 12 characters
        (10, "ORD-1", "Description too long", "0712345678"),  # > 13 characters
        (10, "ORD-1", "Order", "+255712345678"),  # Tanzania
        (10, "ORD-1", "Order", "0712"),
    ],
)
async def test_stk_push_refuses_what_daraja_would_refuse_without_calling_it(
    client: DarajaClient,
    daraja: FakeDaraja,
    amount: Decimal | int,
    reference: str,
    description: str,
    phone: str,
) -> None:
    with pytest.raises(ValueError):
        await client.stk_push(phone, amount, reference, description, CALLBACK)
    assert daraja.tokens_issued == 0
    assert daraja.stk_pushes == []


async def test_the_token_is_fetched_once_and_reused(
    client: DarajaClient, daraja: FakeDaraja, clock: Clock
) -> None:
    await push(client)
    clock.advance(3599 - 61)  # still more than the margin before expiry
    await push(client)
    await client.stk_query("ws_CO_1")

    assert daraja.tokens_issued == 1
    assert daraja.bearers == ["token-1", "token-1", "token-1"]


async def test_the_token_is_refreshed_shortly_before_it_expires(
    client: DarajaClient, daraja: FakeDaraja, clock: Clock
) -> None:
    await push(client)
    clock.advance(3599 - 60)  # inside the margin: too close to expiry to use
    await push(client)

    assert daraja.tokens_issued == 2
    assert daraja.bearers == ["token-1", "token-2"]


async def test_concurrent_callers_share_one_token_fetch(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    daraja.token_gate = asyncio.Event()
    calls = [asyncio.ensure_future(client.stk_query(f"ws_CO_{n}")) for n in range(10)]
    for _ in range(50):  # let every caller reach the token fetch while the first is in flight
        await asyncio.sleep(0)
    daraja.token_gate.set()
    statuses = await asyncio.gather(*calls)

    assert daraja.tokens_issued == 1
    assert daraja.bearers == ["token-1"] * 10
    assert [s.checkout_request_id for s in statuses] == [f"ws_CO_{n}" for n in range(10)]


async def test_a_rejected_token_is_replaced_and_the_call_retried_once(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    await push(client)
    daraja.revoke_all()  # Daraja dropped the token before its expires_in ran out
    await push(client)

    assert daraja.tokens_issued == 2
    assert daraja.bearers == ["token-1", "token-1", "token-2"]
    assert len(daraja.stk_pushes) == 2


async def test_a_second_rejection_is_not_retried_again(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    await push(client)
    daraja.revoke_all()
    daraja.valid_tokens = _Refusing()

    with pytest.raises(DarajaError) as raised:
        await push(client)

    assert raised.value.status == 401
    assert raised.value.code == "404.001.03"
    assert not raised.value.retryable
    assert daraja.bearers == ["token-1", "token-1", "token-2"]


class _Refusing(set[str]):
    """A token store that forgets every token it is given."""

    def add(self, element: str) -> None:
        pass


async def test_wrong_consumer_credentials_are_a_daraja_error(
    daraja: FakeDaraja, clock: Clock
) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(daraja)) as http:
        client = DarajaClient(BASE_URL, CONSUMER_KEY, "wrong", SHORTCODE, PASSKEY, http, clock)
        with pytest.raises(DarajaError) as raised:
            await push(client)
    assert raised.value.code == "400.008.01"
    assert daraja.tokens_issued == 0


async def test_a_daraja_error_body_becomes_a_typed_error_with_its_code(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    daraja.fail_with = error(400, "400.002.02", "Bad Request - Invalid Amount")

    with pytest.raises(DarajaError) as raised:
        await push(client)

    assert type(raised.value) is DarajaError
    assert raised.value.code == "400.002.02"
    assert raised.value.message == "Bad Request - Invalid Amount"
    assert raised.value.status == 400
    assert not raised.value.retryable


async def test_a_push_daraja_did_not_accept_is_an_error(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    daraja.fail_with = httpx.Response(
        200,
        json={
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": "ws_CO_191220191020363925",
            "ResponseCode": "1",
            "ResponseDescription": "Rejected",
            "CustomerMessage": "Rejected",
        },
    )
    with pytest.raises(DarajaError) as raised:
        await push(client)
    assert raised.value.code == "1"


@pytest.mark.parametrize(
    "failure",
    [
        error(503, "503.001.01", "Service Unavailable"),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
)
async def test_server_errors_and_timeouts_are_retryable(
    client: DarajaClient, daraja: FakeDaraja, failure: httpx.Response | Exception
) -> None:
    daraja.fail_with = failure

    with pytest.raises(DarajaUnavailable) as raised:
        await push(client)

    assert raised.value.retryable


@pytest.mark.parametrize(
    ("code", "desc", "reason"),
    [
        ("0", "The service request is processed successfully.", None),
        ("1", "The balance is insufficient for the transaction", FailureReason.INSUFFICIENT_FUNDS),
        ("1032", "Request cancelled by user", FailureReason.CANCELLED),
        ("1037", "DS timeout user cannot be reached", FailureReason.TIMEOUT),
        ("2001", "The initiator information is invalid.", FailureReason.WRONG_PIN),
        ("1019", "Transaction has expired", FailureReason.OTHER),
    ],
)
async def test_stk_query_reports_each_result_code(
    client: DarajaClient,
    daraja: FakeDaraja,
    code: str,
    desc: str,
    reason: FailureReason | None,
) -> None:
    daraja.query_result = (code, desc)

    status = await client.stk_query("ws_CO_191220191020363925")

    [sent] = daraja.stk_queries
    assert sent["CheckoutRequestID"] == "ws_CO_191220191020363925"
    assert sent["Timestamp"] == TIMESTAMP
    assert status.result_code == int(code)
    assert status.result_desc == desc
    assert status.paid is (code == "0")
    assert status.reason is reason
    assert status.checkout_request_id == "ws_CO_191220191020363925"


async def test_stk_query_while_the_customer_has_not_answered_is_retryable(
    client: DarajaClient, daraja: FakeDaraja
) -> None:
    daraja.fail_with = error(500, "500.001.1001", "The transaction is being processed")

    with pytest.raises(DarajaUnavailable) as raised:
        await client.stk_query("ws_CO_191220191020363925")

    assert raised.value.code == "500.001.1001"
