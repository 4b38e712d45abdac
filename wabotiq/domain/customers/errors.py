"""Errors of the customers area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class CustomerErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_PHONE = "INVALID_PHONE"
    DUPLICATE_PHONE = "DUPLICATE_PHONE"
    INVALID = "INVALID"
    UNSUPPORTED_LANGUAGE = "UNSUPPORTED_LANGUAGE"


class CustomerError(DomainError):
    """A refused customer operation."""

    def __init__(self, code: CustomerErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
