"""Errors of the tenancy area."""

from __future__ import annotations

from enum import StrEnum


class TenancyErrorCode(StrEnum):
    SLUG_TAKEN = "SLUG_TAKEN"
    INVALID_SLUG = "INVALID_SLUG"
    NOT_FOUND = "NOT_FOUND"


class TenancyError(Exception):
    def __init__(self, code: TenancyErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
