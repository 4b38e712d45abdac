"""Errors of the dead-letters area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class DeadLetterErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ALREADY_RETRIED = "ALREADY_RETRIED"


class DeadLetterError(DomainError):
    """A refused dead-letter operation."""

    def __init__(
        self, code: DeadLetterErrorCode, message: str, *, field: str | None = None
    ) -> None:
        super().__init__(code, message, field=field)
