"""WhatsApp phone numbers in E.164, with the Kenyan ways of writing them."""

from __future__ import annotations

import re

from wabotiq.domain.customers.errors import CustomerError, CustomerErrorCode

KENYA = "254"
_SEPARATORS = re.compile(r"[\s\-.()/]")
_KENYAN_SUBSCRIBER = re.compile(r"^[17]\d{8}$")


def _invalid(raw: str, why: str) -> CustomerError:
    return CustomerError(
        CustomerErrorCode.INVALID_PHONE, f"Not a valid phone number ({why}): {raw!r}", field="phone"
    )


def _kenyan(subscriber: str, raw: str) -> str:
    if not _KENYAN_SUBSCRIBER.match(subscriber):
        raise _invalid(raw, "a Kenyan mobile number has 9 digits after 254, starting with 7 or 1")
    return f"+{KENYA}{subscriber}"


def normalise_phone(raw: str) -> str:
    """E.164 (`+254712345678`) from `0712345678`, `254712345678`, `+254 712 345 678` and the
    like; numbers of other countries need their `+` country code."""
    compact = _SEPARATORS.sub("", raw or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    international = compact.startswith("+")
    digits = compact.removeprefix("+")
    if not digits.isdigit():
        raise _invalid(raw, "only digits, spaces and a leading + are allowed")
    if digits.startswith(KENYA):
        subscriber = digits[len(KENYA) :]
        return _kenyan(subscriber.removeprefix("0") if len(subscriber) == 10 else subscriber, raw)
    if not international:
        if digits.startswith("0"):
            return _kenyan(digits[1:], raw)
        if len(digits) == 9:
            return _kenyan(digits, raw)
        raise _invalid(raw, "write numbers outside Kenya with + and the country code")
    if digits.startswith("0") or not 8 <= len(digits) <= 15:
        raise _invalid(raw, "E.164 numbers have 8 to 15 digits after +")
    return f"+{digits}"
