"""`parse_stk_callback` on the bodies Daraja POSTs, and on bodies it never would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from wabotiq.integrations.payments.mpesa import (
    FailureReason,
    MalformedCallback,
    StkFailed,
    StkPaid,
    parse_stk_callback,
)


def paid_body() -> dict[str, Any]:
    return {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": "29115-34620561-1",
                "CheckoutRequestID": "ws_CO_191220191020363925",
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "CallbackMetadata": {
                    "Item": [
                        {"Name": "Amount", "Value": 1500.00},
                        {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                        {"Name": "Balance"},
                        {"Name": "TransactionDate", "Value": 20191219102115},
                        {"Name": "PhoneNumber", "Value": 254712345678},
                    ]
                },
            }
        }
    }


def failed_body(code: object, desc: str) -> dict[str, Any]:
    return {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": "29115-34620561-1",
                "CheckoutRequestID": "ws_CO_191220191020363925",
                "ResultCode": code,
                "ResultDesc": desc,
            }
        }
    }


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


def test_a_payment_reads_its_items_by_name() -> None:
    outcome = parse_stk_callback(encode(paid_body()))

    assert outcome == StkPaid(
        merchant_request_id="29115-34620561-1",
        checkout_request_id="ws_CO_191220191020363925",
        amount=Decimal("1500.0"),
        receipt="NLJ7RT61SV",
        phone="254712345678",
        paid_at=datetime(2019, 12, 19, 7, 21, 15, tzinfo=UTC),  # 10:21:15 in Nairobi
    )


def test_items_are_read_by_name_in_any_order() -> None:
    body = paid_body()
    body["Body"]["stkCallback"]["CallbackMetadata"]["Item"].reverse()
    outcome = parse_stk_callback(encode(body))
    assert isinstance(outcome, StkPaid)
    assert outcome.receipt == "NLJ7RT61SV"
    assert outcome.amount == Decimal("1500")


@pytest.mark.parametrize(
    ("code", "desc", "reason"),
    [
        (1, "The balance is insufficient for the transaction", FailureReason.INSUFFICIENT_FUNDS),
        (1032, "Request cancelled by user", FailureReason.CANCELLED),
        (1037, "DS timeout user cannot be reached", FailureReason.TIMEOUT),
        (2001, "The initiator information is invalid.", FailureReason.WRONG_PIN),
        (1001, "Unable to lock subscriber", FailureReason.OTHER),
    ],
)
def test_each_failure_code_maps_to_its_reason(code: int, desc: str, reason: FailureReason) -> None:
    outcome = parse_stk_callback(encode(failed_body(code, desc)))

    assert outcome == StkFailed(
        merchant_request_id="29115-34620561-1",
        checkout_request_id="ws_CO_191220191020363925",
        result_code=code,
        result_desc=desc,
        reason=reason,
    )


def _without(path: list[str], key: str) -> dict[str, Any]:
    body = paid_body()
    node: Any = body
    for step in path:
        node = node[step]
    del node[key]
    return body


def _item(name: str, value: object) -> dict[str, Any]:
    body = paid_body()
    items = body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    for item in items:
        if item["Name"] == name:
            item["Value"] = value
    return body


def _drop_item(name: str) -> dict[str, Any]:
    body = paid_body()
    items = body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    items[:] = [item for item in items if item["Name"] != name]
    return body


CALLBACK = ["Body", "stkCallback"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        encode([]),
        encode({}),
        encode({"Body": []}),
        encode({"Body": {"stkCallback": "x"}}),
        encode(_without(CALLBACK, "MerchantRequestID")),
        encode(_without(CALLBACK, "CheckoutRequestID")),
        encode(_without(CALLBACK, "ResultCode")),
        encode(_without(CALLBACK, "ResultDesc")),
        encode(_without(CALLBACK, "CallbackMetadata")),  # a success without its items
        encode(_without([*CALLBACK, "CallbackMetadata"], "Item")),
        encode(failed_body(True, "x")),
        encode(failed_body("cancelled", "x")),
        encode(_item("Amount", "lots")),
        encode(_item("Amount", -5)),
        encode(_item("Amount", None)),
        encode(_item("TransactionDate", 2019121910)),
        encode(_item("MpesaReceiptNumber", {"nested": 1})),
        encode(_drop_item("MpesaReceiptNumber")),
        encode(_drop_item("PhoneNumber")),
        encode(_drop_item("Amount")),
        json.dumps(paid_body()).replace('"Name": "Balance"', '"Nom": "Balance"').encode(),
    ],
)
def test_malformed_callbacks_raise_a_typed_error(body: bytes) -> None:
    with pytest.raises(MalformedCallback):
        parse_stk_callback(body)
