"""Errors of the tenancy area."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class TenancyErrorCode(StrEnum):
    SLUG_TAKEN = "SLUG_TAKEN"
    INVALID_SLUG = "INVALID_SLUG"
    NOT_FOUND = "NOT_FOUND"


class TenancyError(DomainError):
    def __init__(self, code: TenancyErrorCode, message: str) -> None:
        super().__init__(code, message)
