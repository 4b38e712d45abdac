"""Plain text out of an uploaded PDF, text or Markdown file, with where each part came from.

Passages quote their source to the customer, so PDF page numbers and Markdown headings are kept
beside the text as offsets. Parsing is CPU-bound: callers on an event loop run it in a thread.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PyPdfError

from wabotiq.domain.documents.errors import (
    DocumentErrorCode,
    UnreadableDocument,
    UnsupportedDocument,
)

Format = Literal["pdf", "markdown", "text"]

PDF_MAGIC = b"%PDF-"
# The PDF header may follow some junk; readers look for it in the first kilobyte.
PDF_MAGIC_WITHIN = 1024
CONTENT_TYPES: dict[str, Format] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
EXTENSIONS: dict[str, Format] = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
# Labels that say nothing about the content; the file name decides then.
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
PAGE_SEPARATOR = "\n\n"
# pypdf raises all of these on malformed files; each means "this PDF cannot be read".
PDF_ERRORS: tuple[type[Exception], ...] = (
    PyPdfError,
    DependencyError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    ZeroDivisionError,
    OverflowError,
)
# Share of control characters above which decoded "text" is taken to be binary.
MAX_CONTROL_SHARE = 0.01
_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")
# Control characters other than tab, line and page breaks: rare in text, common in binary.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """A document's text; `page_starts[n]` is where page n + 1 begins, `headings` are
    (offset, title) of each Markdown heading, both in ascending offset order."""

    text: str
    format: Format = "text"
    page_starts: tuple[int, ...] = ()
    headings: tuple[tuple[int, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based PDF page that holds `offset`."""
        return bisect_right(self.page_starts, offset) or None

    def heading_at(self, offset: int) -> str | None:
        """The nearest Markdown heading at or before `offset`."""
        index = bisect_right(self.headings, offset, key=lambda item: item[0])
        return self.headings[index - 1][1] if index else None


def extract_text(filename: str, content_type: str | None, data: bytes) -> ExtractedText:
    """The text of an upload; refuses types other than PDF, text and Markdown, and files without
    readable text."""
    kind = detect_format(filename, content_type, data)
    if kind == "pdf":
        extracted = _pdf(data)
    else:
        text = normalise(_decode(data))
        extracted = ExtractedText(
            text, kind, headings=markdown_headings(text) if kind == "markdown" else ()
        )
    if not extracted.text:
        raise UnreadableDocument(f"{filename} holds no text.", code=DocumentErrorCode.EMPTY)
    return extracted


def detect_format(filename: str, content_type: str | None, data: bytes) -> Format:
    """The format to read `data` as: the PDF signature first, then the declared type, then the
    file name (browsers send `application/octet-stream` or `text/plain` for Markdown)."""
    if PDF_MAGIC in data[:PDF_MAGIC_WITHIN]:
        return "pdf"
    declared = (content_type or "").split(";")[0].strip().lower()
    by_name = EXTENSIONS.get(PurePath(filename).suffix.lower())
    kind = CONTENT_TYPES.get(declared)
    if kind == "text" and by_name == "markdown":
        kind = by_name
    elif kind is None and declared in GENERIC_TYPES:
        kind = by_name
    if kind is None:
        raise UnsupportedDocument(
            f"{filename} ({declared or 'unknown type'}) is not a PDF, text or Markdown file."
        )
    if kind == "pdf":
        raise UnreadableDocument(f"{filename} is not a valid PDF.")
    return kind


def _pdf(data: bytes) -> ExtractedText:
    try:
        reader = PdfReader(io.BytesIO(data))
        # Files "protected" with an empty user password only restrict printing; they open.
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
        pages = [] if locked else [page.extract_text() for page in reader.pages]
    except PDF_ERRORS as exc:
        raise UnreadableDocument(f"The PDF could not be read: {exc}") from exc
    if locked:
        raise UnreadableDocument("The PDF is password-protected.", code=DocumentErrorCode.ENCRYPTED)
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for raw in pages:
        starts.append(offset)
        text = normalise(raw)
        if text:  # pages without a text layer (scans) keep their number but add nothing
            parts.append(text)
            offset += len(text) + len(PAGE_SEPARATOR)
    if not parts:
        raise UnreadableDocument(
            "The PDF has no text layer (a scan needs OCR first).", code=DocumentErrorCode.EMPTY
        )
    return ExtractedText(PAGE_SEPARATOR.join(parts), "pdf", page_starts=tuple(starts))


def _decode(data: bytes) -> str:
    """UTF-16 when it says so, else UTF-8 (BOM or not), else the Windows and Latin-1 code pages
    that older exports use; binary data decoded that way is refused by its control characters."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = _decode_8bit(data)
    except UnicodeDecodeError as exc:
        raise UnreadableDocument("The file's text encoding could not be read.") from exc
    if "\x00" in text or len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise UnreadableDocument("The file is binary, not text.")
    return text


def _decode_8bit(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def normalise(text: str) -> str:
    """NFC, `\\n` line ends, no trailing blanks, at most one empty line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n\n").replace("\v", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def markdown_headings(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, title) of each ATX heading (`## Returns`), skipping fenced code blocks."""
    headings: list[tuple[int, str]] = []
    fence: str | None = None
    offset = 0
    for line in text.split("\n"):
        marker = _FENCE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
        elif fence is None and (match := _HEADING.fullmatch(line)):
            headings.append((offset, match.group(2).strip()))
        offset += len(line) + 1
    return tuple(headings)
