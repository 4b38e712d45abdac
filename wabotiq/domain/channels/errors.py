"""Errors of the channels area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class ChannelErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    MISSING_FIELD = "MISSING_FIELD"
    DISABLED = "DISABLED"
    PROVIDER_REFUSED = "PROVIDER_REFUSED"
    PROVIDER_UNREACHABLE = "PROVIDER_UNREACHABLE"


class ChannelError(DomainError):
    """A refused channel operation."""

    def __init__(self, code: ChannelErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
