"""Errors of the assistant area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class AssistantErrorCode(StrEnum):
    INVALID = "INVALID"
    UNKNOWN_PROVIDER = "UNKNOWN_PROVIDER"


class AssistantError(DomainError):
    """A refused change to the assistant's settings."""

    def __init__(self, code: AssistantErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
