"""Errors of the document library, mapped to `userErrors` in one place. What is wrong with a
file's content (type, encoding, no text) is reported by text extraction's own errors."""

from __future__ import annotations

from enum import StrEnum

from wabotiq.core.errors import DomainError


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


class LibraryErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    TOO_LARGE = "TOO_LARGE"
    NOT_A_FILE = "NOT_A_FILE"
    INVALID = "INVALID"


class LibraryError(DomainError):
    """A refused change to the tenant's documents."""

    def __init__(self, code: LibraryErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


def not_found() -> LibraryError:
    return LibraryError(LibraryErrorCode.NOT_FOUND, "No such document.", field="id")


def too_large(size: int, limit: int) -> LibraryError:
    return LibraryError(
        LibraryErrorCode.TOO_LARGE,
        f"The file has {size} bytes; documents may have at most {limit}.",
        field="file",
    )


def not_a_file() -> LibraryError:
    return LibraryError(
        LibraryErrorCode.NOT_A_FILE,
        "Send the file as a multipart upload (GraphQL multipart request spec).",
        field="file",
    )


def empty(name: str) -> DocumentError:
    return DocumentError(DocumentErrorCode.EMPTY, f"{name} is empty.")
