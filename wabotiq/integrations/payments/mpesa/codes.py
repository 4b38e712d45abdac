"""Daraja's STK result codes, shared by the callback and the STK query, and Kenyan time."""

from __future__ import annotations

import enum
from datetime import timedelta, timezone

# Daraja's timestamps are Nairobi wall-clock time. Kenya keeps UTC+3 all year (no daylight
# saving), so a fixed offset is exact and needs no tz database on the host.
NAIROBI = timezone(timedelta(hours=3), "EAT")
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


class FailureReason(enum.StrEnum):
    """Why an STK push did not end in a payment, as the customer would understand it."""

    INSUFFICIENT_FUNDS = "insufficient_funds"  # ResultCode 1
    CANCELLED = "cancelled"  # 1032: the customer dismissed the PIN prompt
    TIMEOUT = "timeout"  # 1037: the phone was unreachable or the prompt expired unanswered
    WRONG_PIN = "wrong_pin"  # 2001
    OTHER = "other"


_REASONS = {
    1: FailureReason.INSUFFICIENT_FUNDS,
    1032: FailureReason.CANCELLED,
    1037: FailureReason.TIMEOUT,
    2001: FailureReason.WRONG_PIN,
}


def failure_reason(result_code: int) -> FailureReason:
    return _REASONS.get(result_code, FailureReason.OTHER)
