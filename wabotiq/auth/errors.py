"""Errors of the auth area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


class AuthErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    THROTTLED = "THROTTLED"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_INVITATION = "INVALID_INVITATION"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    SCOPE_NOT_HELD = "SCOPE_NOT_HELD"
    LAST_OWNER = "LAST_OWNER"
    SYSTEM_ROLE = "SYSTEM_ROLE"
    ROLE_IN_USE = "ROLE_IN_USE"
    INVALID = "INVALID"


class AuthError(DomainError):
    """A refused auth operation."""

    def __init__(self, code: AuthErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
