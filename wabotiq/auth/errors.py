"""Errors of the auth area, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum


class AuthErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
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


class AuthError(Exception):
    """A refused auth operation; `field` names the input field at fault, if one is."""

    def __init__(self, code: AuthErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
