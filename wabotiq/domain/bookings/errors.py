"""Errors of the bookings area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class BookingErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    CODE_TAKEN = "CODE_TAKEN"
    INVALID = "INVALID"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INVALID_HOURS = "INVALID_HOURS"
    INVALID_RANGE = "INVALID_RANGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    STAFF_UNAVAILABLE = "STAFF_UNAVAILABLE"
    STAFF_NOT_QUALIFIED = "STAFF_NOT_QUALIFIED"
    OUTSIDE_HOURS = "OUTSIDE_HOURS"
    TOO_SOON = "TOO_SOON"
    SLOT_TAKEN = "SLOT_TAKEN"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"


class BookingError(DomainError):
    """A refused bookings operation."""

    code: BookingErrorCode

    def __init__(self, code: BookingErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
