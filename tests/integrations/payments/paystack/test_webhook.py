"""`verify_signature` and `parse_event` on the bodies Paystack POSTs, and on forgeries."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest

from wabotiq.integrations.payments.paystack import (
    MalformedEvent,
    PaystackEvent,
    parse_event,
    verify_signature,
)

SECRET_KEY = "sk_test_0123456789abcdef"


def charge_success() -> dict[str, Any]:
    return {
        "event": "charge.success",
        "data": {
            "id": 302961,
            "domain": "live",
            "status": "success",
            "reference": "ORD-1042-1",
            "amount": 150050,
            "message": None,
            "gateway_response": "Approved by Financial Institution",
            "paid_at": "2026-03-01T09:31:40.000Z",
            "created_at": "2026-03-01T09:30:05.000Z",
            "channel": "mobile_money",
            "currency": "KES",
            "ip_address": "197.232.61.1",
            "metadata": {"order_id": "1042"},
            "fees": 4502,
            "customer": {"id": 68324, "email": "wanjiku@example.com"},
        },
    }


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


def sign(body: bytes, key: str = SECRET_KEY) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def test_a_body_signed_with_the_secret_key_is_valid() -> None:
    body = encode(charge_success())
    assert verify_signature(body, sign(body), SECRET_KEY)


def test_a_signature_made_with_another_key_is_forged() -> None:
    body = encode(charge_success())
    assert not verify_signature(body, sign(body, "sk_test_someone_else"), SECRET_KEY)


def test_a_body_changed_after_signing_is_refused() -> None:
    body = encode(charge_success())
    signature = sign(body)
    tampered = body.replace(b"150050", b"990050")
    assert tampered != body
    assert not verify_signature(tampered, signature, SECRET_KEY)


@pytest.mark.parametrize("signature", ["", "not-hex", "00" * 64, "é" * 128])
def test_empty_or_made_up_signatures_are_refused(signature: str) -> None:
    assert not verify_signature(encode(charge_success()), signature, SECRET_KEY)


def test_a_charge_success_event_reads_reference_amount_and_currency() -> None:
    event = parse_event(encode(charge_success()))

    assert event == PaystackEvent(
        event="charge.success",
        reference="ORD-1042-1",
        amount=Decimal("1500.50"),
        currency="KES",
        status="success",
    )


def _without(key: str, *, in_data: bool = True) -> dict[str, Any]:
    body = charge_success()
    del (body["data"] if in_data else body)[key]
    return body


def _with(key: str, value: object) -> dict[str, Any]:
    body = charge_success()
    body["data"][key] = value
    return body


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        encode([]),
        encode({}),
        encode({"event": "charge.success", "data": []}),
        encode(_without("event", in_data=False)),
        encode(_without("data", in_data=False)),
        encode(_without("reference")),
        encode(_without("amount")),
        encode(_without("currency")),
        encode(_without("status")),
        encode(_with("amount", "150050")),
        encode(_with("amount", 1500.5)),
        encode(_with("amount", True)),
        encode(_with("amount", -1)),
        encode(_with("reference", "")),
        encode(_with("reference", {"nested": 1})),
    ],
)
def test_malformed_events_raise_a_typed_error(body: bytes) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(body)
