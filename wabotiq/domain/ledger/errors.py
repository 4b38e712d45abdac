"""Errors of the ledger area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class LedgerErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    UNBALANCED = "UNBALANCED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    ALREADY_REVERSED = "ALREADY_REVERSED"


class LedgerError(DomainError):
    """A refused ledger operation."""

    def __init__(self, code: LedgerErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
