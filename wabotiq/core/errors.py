"""The base of every area's domain errors; mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A refused business operation. `field` names the input field at fault, if one is."""

    must_commit = False  # True when the refusal itself changed something that must persist

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
