"""Errors of the conversations area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class ConversationErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    # WhatsApp allows free-form text only within 24 hours of the customer's last message.
    WINDOW_CLOSED = "WINDOW_CLOSED"
    UNKNOWN_TEMPLATE = "UNKNOWN_TEMPLATE"
    RESOLVED = "RESOLVED"


class ConversationError(DomainError):
    """A refused conversation operation."""

    def __init__(
        self, code: ConversationErrorCode, message: str, *, field: str | None = None
    ) -> None:
        super().__init__(code, message, field=field)
