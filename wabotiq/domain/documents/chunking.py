"""Cutting a document's text into overlapping passages small enough to embed and quote.

Sizes are in characters: about 800 characters is 150 to 250 tokens, well inside the 512 tokens
that small embedding models read. A chunk ends at the last paragraph break, else sentence end,
else line break, else space in the second half of its window, so passages read as whole
thoughts; the next one starts on a word about `overlap` characters earlier, so the words on
either side of a cut are found together in at least one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wabotiq.domain.documents.extract import ExtractedText

CHUNK_SIZE = 800
CHUNK_OVERLAP = 150
# A sentence ends at . ! ? or … , perhaps followed by closing quotes or brackets, then a space.
_SENTENCE_END = re.compile(r"[.!?…][\"')\]’”]*(?=\s)")
_LINE = re.compile(r"\n")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One passage; `start`/`end` are its offsets in the document's text, `page` (PDF) or
    `heading` (Markdown) where its own text, after the overlap, begins."""

    index: int
    text: str
    start: int
    end: int
    page: int | None = None
    heading: str | None = None

    @property
    def location(self) -> str:
        """Where to point a reader: "page 3", a heading, or nothing."""
        if self.page is not None:
            return f"page {self.page}"
        return self.heading or ""


def chunk(
    text: str | ExtractedText, *, size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP
) -> list[Chunk]:
    """Overlapping chunks of at most `size` characters covering every non-blank character."""
    if size < 2 or not 0 <= overlap < size // 2:
        raise ValueError("need size >= 2 and 0 <= overlap < size / 2")
    document = text if isinstance(text, ExtractedText) else ExtractedText(text)
    chunks: list[Chunk] = []
    fresh = 0  # where the text no earlier chunk holds begins
    for index, (start, end) in enumerate(_spans(document.text, size, overlap)):
        anchor = min(_skip_space(document.text, max(start, fresh)), end - 1)
        chunks.append(
            Chunk(
                index=index,
                text=document.text[start:end],
                start=start,
                end=end,
                page=document.page_at(anchor),
                heading=document.heading_at(anchor),
            )
        )
        fresh = end
    return chunks


def _spans(text: str, size: int, overlap: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk, both on non-blank characters."""
    start = _skip_space(text, 0)
    while start < len(text):
        if len(text) - start <= size:
            end = len(text)
        else:
            end = _break_before(text, start + size // 2, start + size)
        end = _trim_end(text, start, end)
        yield start, end
        if _skip_space(text, end) >= len(text):
            return
        start = _skip_space(text, max(_word_after(text, end - overlap, end), start + 1))


def _break_before(text: str, low: int, high: int) -> int:
    """The best place to end a chunk in text[low:high]: paragraph, sentence, line, space.

    Sentences rank above single line breaks because PDFs and hard-wrapped text break lines
    in mid-sentence.
    """
    paragraph = text.rfind("\n\n", low, high)
    if paragraph >= 0:
        return paragraph
    for pattern in (_SENTENCE_END, _LINE, _SPACE):
        ends = [match.end() for match in pattern.finditer(text, low, high)]
        if ends:
            return ends[-1]
    return high  # one unbroken run of characters: cut it


def _word_after(text: str, position: int, limit: int) -> int:
    """The first word start at or after `position`, or `limit` if none comes before it."""
    if position <= 0 or text[position - 1].isspace() or text[position].isspace():
        return max(position, 0)
    space = _SPACE.search(text, position, limit)
    return space.start() if space else limit


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
