"""Errors of document uploads, mapped to `userErrors` in one place."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.domain.errors import DomainError


class DocumentErrorCode(StrEnum):
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    UNREADABLE = "UNREADABLE"
    ENCRYPTED = "ENCRYPTED"
    EMPTY = "EMPTY"


class DocumentError(DomainError):
    """A refused document upload; always the uploaded file's fault."""

    def __init__(self, code: DocumentErrorCode, message: str) -> None:
        super().__init__(code, message, field="file")


class UnsupportedDocument(DocumentError):
    """A file type we do not extract text from (only PDF, plain text and Markdown)."""

    def __init__(self, message: str) -> None:
        super().__init__(DocumentErrorCode.UNSUPPORTED_TYPE, message)


class UnreadableDocument(DocumentError):
    """A supported type whose text cannot be had: damaged, password-protected, binary or empty."""

    def __init__(self, message: str, *, code: DocumentErrorCode = DocumentErrorCode.UNREADABLE):
        super().__init__(code, message)
