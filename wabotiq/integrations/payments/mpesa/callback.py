"""The STK callback Daraja POSTs to `CallBackURL` once the customer has answered (or not) the
PIN prompt. It is unsigned, so parsing is only the first step: the caller still checks the
URL token, the amount and asks `stk_query` before trusting a success. Parsing is strict: a body
that is not exactly Daraja's shape raises `MalformedCallback`, never a KeyError."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wabotiq.integrations.payments.mpesa.codes import (
    NAIROBI,
    TIMESTAMP_FORMAT,
    FailureReason,
    failure_reason,
)


class MalformedCallback(ValueError):
    """The body is not an STK callback as Daraja documents it."""


@dataclass(frozen=True, slots=True)
class StkPaid:
    merchant_request_id: str
    checkout_request_id: str
    amount: Decimal
    receipt: str  # MpesaReceiptNumber, unique per M-Pesa transaction
    phone: str  # 2547XXXXXXXX
    paid_at: datetime  # TransactionDate, Nairobi time


@dataclass(frozen=True, slots=True)
class StkFailed:
    merchant_request_id: str
    checkout_request_id: str
    result_code: int
    result_desc: str
    reason: FailureReason


StkOutcome = StkPaid | StkFailed


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedCallback(f"{key} missing or not a string")
    return value


def _result_code(value: object) -> int:
    # Documented as an integer; a digit string is accepted because the STK query sends it so.
    if isinstance(value, bool):
        raise MalformedCallback("ResultCode is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise MalformedCallback("ResultCode missing or not an integer")


def _items(callback: dict[str, Any]) -> dict[str, object]:
    metadata = callback.get("CallbackMetadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("Item"), list):
        raise MalformedCallback("a successful callback without CallbackMetadata.Item")
    items: dict[str, object] = {}
    for item in metadata["Item"]:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise MalformedCallback("a CallbackMetadata item without a Name")
        items[item["Name"]] = item.get("Value")  # Balance comes without a Value
    return items


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedCallback("Amount missing or not a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise MalformedCallback("Amount is not a number") from exc
    if not amount.is_finite() or amount <= 0:
        raise MalformedCallback("Amount is not a positive number")
    return amount


def _scalar(items: dict[str, object], name: str) -> str:
    value = items.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value) == "":
        raise MalformedCallback(f"{name} missing")
    return str(value)


def _paid_at(value: str) -> datetime:
    # strptime takes one-digit fields too ("2019121910" would parse), so the width is checked.
    if len(value) != 14 or not value.isdigit():
        raise MalformedCallback("TransactionDate is not YYYYMMDDHHMMSS")
    try:
        return datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=NAIROBI)
    except ValueError as exc:
        raise MalformedCallback("TransactionDate is not YYYYMMDDHHMMSS") from exc


def parse_stk_callback(body: bytes) -> StkOutcome:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedCallback("the body is not JSON") from exc
    outer = document.get("Body") if isinstance(document, dict) else None
    callback = outer.get("stkCallback") if isinstance(outer, dict) else None
    if not isinstance(callback, dict):
        raise MalformedCallback("no Body.stkCallback object")
    merchant = _text(callback, "MerchantRequestID")
    checkout = _text(callback, "CheckoutRequestID")
    code = _result_code(callback.get("ResultCode"))
    desc = callback.get("ResultDesc")
    if not isinstance(desc, str):
        raise MalformedCallback("ResultDesc missing or not a string")
    if code != 0:
        return StkFailed(merchant, checkout, code, desc, failure_reason(code))
    items = _items(callback)
    return StkPaid(
        merchant_request_id=merchant,
        checkout_request_id=checkout,
        amount=_amount(items.get("Amount")),
        receipt=_scalar(items, "MpesaReceiptNumber"),
        phone=_scalar(items, "PhoneNumber"),
        paid_at=_paid_at(_scalar(items, "TransactionDate")),
    )
