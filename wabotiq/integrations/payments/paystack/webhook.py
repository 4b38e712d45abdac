"""Paystack's webhook: a POST signed in `x-paystack-signature` with the hex HMAC-SHA512 of the
raw body under the tenant's secret key. The signature is checked on the bytes as received,
before any parsing, and parsing is strict: a body that is not Paystack's shape raises
`MalformedEvent`, never a KeyError. A verified event still gets a `verify` before money moves."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wabotiq.integrations.payments.paystack.amounts import from_subunit


class MalformedEvent(ValueError):
    """The body is not a Paystack event as Paystack documents it."""


@dataclass(frozen=True, slots=True)
class PaystackEvent:
    event: str  # such as charge.success
    reference: str
    amount: Decimal  # major units
    currency: str
    status: str  # data.status: success, failed, ...


def verify_signature(raw_body: bytes, signature: str, secret_key: str) -> bool:
    """Constant-time, so a forger learns nothing from how long a wrong guess took."""
    if not signature or not secret_key:
        return False
    expected = hmac.new(secret_key.encode(), raw_body, hashlib.sha512).hexdigest()
    # Compared as bytes: compare_digest refuses non-ASCII text, and a header is attacker input.
    given = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), given)


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{key} missing or not a string")
    return value


def parse_event(raw_body: bytes) -> PaystackEvent:
    try:
        document = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedEvent("the body is not JSON") from exc
    if not isinstance(document, dict):
        raise MalformedEvent("the body is not a JSON object")
    data = document.get("data")
    if not isinstance(data, dict):
        raise MalformedEvent("no data object")
    amount = data.get("amount")
    # Subunits are integers; a float or a string here is not Paystack's event.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise MalformedEvent("amount missing or not a whole number of subunits")
    return PaystackEvent(
        event=_text(document, "event"),
        reference=_text(data, "reference"),
        amount=from_subunit(amount),
        currency=_text(data, "currency").upper(),
        status=_text(data, "status"),
    )
