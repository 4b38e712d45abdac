from __future__ import annotations

import codecs
import random

import pytest

from tests.factories.documents import pdf_bytes
from wabotiq.core.errors import DomainError
from wabotiq.domain.documents.chunking import Chunk, chunk
from wabotiq.domain.documents.errors import (
    DocumentErrorCode,
    UnreadableDocument,
    UnsupportedDocument,
)
from wabotiq.domain.documents.extract import ExtractedText, detect_format, extract_text

RETURNS_MD = """\
# Duka la Mama Njeri

Karibu! We sell phones and accessories.

## Returns

Items can be returned within 14 days with a receipt.

```
# not a heading, just code
```

## Delivery ##

Nairobi delivery takes one day.
"""


def words(count: int, *, seed: int = 7) -> str:
    """Sentences and paragraphs of made-up words of varied lengths."""
    rng = random.Random(seed)
    parts: list[str] = []
    for n in range(count):
        word = "".join(rng.choice("abcdefghijklmnoprstuwy") for _ in range(rng.randint(1, 12)))
        parts.append(word)
        if n % 17 == 16:
            parts.append(rng.choice([".", ".", "!", "?"]) + rng.choice([" ", " ", "\n\n", "\n"]))
        else:
            parts.append(" ")
    return "".join(parts).strip()


# --- Extraction -------------------------------------------------------------------------------


def test_pdf_text_keeps_page_numbers() -> None:
    data = pdf_bytes(
        [
            ["Return policy", "Items can be returned within 14 days (with receipt)."],
            [],  # a page without text, as in a scan
            ["Warranty: one year on all Samsung phones."],
        ]
    )

    extracted = extract_text("policy.pdf", "application/pdf", data)

    assert extracted.format == "pdf"
    assert "Items can be returned within 14 days (with receipt)." in extracted.text
    assert len(extracted.page_starts) == 3
    assert extracted.page_at(extracted.text.index("Return policy")) == 1
    assert extracted.page_at(extracted.text.index("Warranty")) == 3
    assert extracted.text.endswith("Warranty: one year on all Samsung phones.")


def test_pdf_is_recognised_by_its_signature_whatever_the_label() -> None:
    data = pdf_bytes([["Bei ya simu"]])

    assert extract_text("upload.bin", "application/octet-stream", data).text == "Bei ya simu"
    assert detect_format("notes.txt", "text/plain", data) == "pdf"


def test_pdf_with_an_empty_user_password_opens() -> None:
    data = pdf_bytes([["Open to all readers"]], user_password="", owner_password="owner-secret")

    assert extract_text("open.pdf", "application/pdf", data).text == "Open to all readers"


def test_password_protected_pdf_is_refused() -> None:
    data = pdf_bytes([["Secret prices"]], user_password="letmein")

    with pytest.raises(UnreadableDocument) as caught:
        extract_text("secret.pdf", "application/pdf", data)
    assert caught.value.code == DocumentErrorCode.ENCRYPTED
    assert caught.value.field == "file"
    assert isinstance(caught.value, DomainError)


def test_pdf_without_text_is_empty() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        extract_text("scan.pdf", "application/pdf", pdf_bytes([[], []]))
    assert caught.value.code == DocumentErrorCode.EMPTY


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 4,  # a signature followed by garbage
        pdf_bytes([["Cut short"]])[:300],  # a truncated upload
    ],
)
def test_damaged_pdf_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        extract_text("broken.pdf", "application/pdf", data)
    assert caught.value.code == DocumentErrorCode.UNREADABLE


def test_pdf_label_without_a_pdf_inside_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="not a valid PDF"):
        extract_text("fake.pdf", "application/pdf", b"hello, not a pdf")


def test_markdown_keeps_headings_outside_code() -> None:
    extracted = extract_text("returns.md", "text/markdown", RETURNS_MD.encode())

    assert extracted.format == "markdown"
    assert [title for _, title in extracted.headings] == [
        "Duka la Mama Njeri",
        "Returns",
        "Delivery",
    ]
    text = extracted.text
    assert extracted.heading_at(text.index("Karibu")) == "Duka la Mama Njeri"
    assert extracted.heading_at(text.index("14 days")) == "Returns"
    assert extracted.heading_at(text.index("not a heading")) == "Returns"
    assert extracted.heading_at(text.index("Nairobi")) == "Delivery"
    assert extracted.heading_at(0) == "Duka la Mama Njeri"


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("returns.md", "text/plain", "markdown"),
        ("returns.md", "application/octet-stream", "markdown"),
        ("returns.markdown", None, "markdown"),
        ("notes.txt", None, "text"),
        ("notes", "text/plain; charset=utf-8", "text"),
        ("notes.md", "text/x-markdown", "markdown"),
    ],
)
def test_format_comes_from_type_then_name(filename, content_type, expected) -> None:
    assert detect_format(filename, content_type, b"# Hello") == expected


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("Bei: KSh 1,500 — café".encode("utf-8-sig"), "Bei: KSh 1,500 — café"),
        ("Bei: KSh 1,500 — café".encode(), "Bei: KSh 1,500 — café"),
        ("Bei: KSh 1,500 — café".encode("utf-16"), "Bei: KSh 1,500 — café"),
        ("Bei: “nafuu” — café".encode("cp1252"), "Bei: “nafuu” — café"),
        # Not UTF-8, and 0x81 is not cp1252 either: read as Latin-1.
        (
            ("Malipo kwa café. " * 8).encode("latin-1") + b"\x81",
            "Malipo kwa café. " * 8 + "\x81",
        ),
    ],
)
def test_text_encodings(encoded: bytes, expected: str) -> None:
    assert extract_text("bei.txt", "text/plain", encoded).text == expected


def test_text_is_normalised() -> None:
    raw = "Line one   \r\nLine two\r\n\r\n\r\n\r\nLast line\n\n"

    assert extract_text("a.txt", "text/plain", raw.encode()).text == (
        "Line one\nLine two\n\nLast line"
    )


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("photo.png", "image/png"),
        ("catalog.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("prices.csv", "text/csv"),
        ("mystery", None),
        ("mystery.bin", "application/octet-stream"),
    ],
)
def test_other_types_are_unsupported(filename, content_type) -> None:
    with pytest.raises(UnsupportedDocument) as caught:
        extract_text(filename, content_type, b"PK\x03\x04 whatever")
    assert caught.value.code == DocumentErrorCode.UNSUPPORTED_TYPE


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        b"looks like text\x00\x00\x00 but holds zero bytes",
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # a lone surrogate
    ],
)
def test_binary_posing_as_text_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        extract_text("notes.txt", "text/plain", data)
    assert caught.value.code == DocumentErrorCode.UNREADABLE


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  ", codecs.BOM_UTF8])
def test_blank_text_is_empty(data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        extract_text("empty.md", "text/markdown", data)
    assert caught.value.code == DocumentErrorCode.EMPTY


# --- Chunking ---------------------------------------------------------------------------------


def assert_well_formed(text: str, chunks: list[Chunk], *, size: int) -> None:
    assert chunks, "no chunks"
    assert [c.index for c in chunks] == list(range(len(chunks)))
    covered = [False] * len(text)
    for piece in chunks:
        assert piece.text.strip() == piece.text != ""
        assert text[piece.start : piece.end] == piece.text
        assert len(piece.text) <= size
        for offset in range(piece.start, piece.end):
            covered[offset] = True
    uncovered = [i for i, seen in enumerate(covered) if not seen and not text[i].isspace()]
    assert uncovered == []
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.start < after.start < before.end, "consecutive chunks must overlap"
        assert after.end > before.end, "every chunk brings text of its own"


def fresh_start(text: str, previous: Chunk | None, piece: Chunk) -> int:
    """Where a chunk's own text begins: after the previous chunk, past any blank."""
    at = piece.start if previous is None else previous.end
    while text[at].isspace():
        at += 1
    return at


@pytest.mark.parametrize(("size", "overlap"), [(800, 150), (200, 40), (120, 0), (60, 25)])
def test_chunks_cover_the_text_and_overlap(size: int, overlap: int) -> None:
    text = "\n " + words(900) + "  \n\n"

    chunks = chunk(text, size=size, overlap=overlap)

    if overlap:
        assert_well_formed(text, chunks, size=size)
    else:
        joined = " ".join(text[c.start : c.end] for c in chunks)
        assert joined.split() == text.split()


def test_overlap_is_about_the_requested_size() -> None:
    text = words(900)

    chunks = chunk(text, size=400, overlap=100)

    for before, after in zip(chunks, chunks[1:], strict=False):
        shared = before.end - after.start
        assert 100 - 13 <= shared <= 100  # rounded up to the next word start


def test_chunks_end_on_paragraphs_then_sentences_then_lines_then_words() -> None:
    paragraph = "Simu hii ina betri kubwa. Inakaa siku mbili bila kuchaji."  # 57 characters
    text = f"{paragraph}\n\n{paragraph}\n\n{paragraph}"

    chunks = chunk(text, size=130, overlap=20)

    assert chunks[0].text == f"{paragraph}\n\n{paragraph}"
    sentences = chunk(" ".join([paragraph] * 3), size=70, overlap=10)
    assert sentences[0].text == paragraph
    wrapped = "Simu hii ina betri kubwa sana na\nnzuri. Inakaa siku\nmbili bila kuchaji tena leo."
    assert chunk(wrapped, size=60, overlap=10)[0].text == "Simu hii ina betri kubwa sana na\nnzuri."
    lines = "kipengele cha kwanza\nkipengele cha pili\nkipengele cha tatu\nkipengele cha nne"
    assert chunk(lines, size=50, overlap=10)[0].text == "kipengele cha kwanza\nkipengele cha pili"
    spaced = chunk("neno " * 40, size=32, overlap=6)
    assert all(piece.text.split(" ") == ["neno"] * len(piece.text.split(" ")) for piece in spaced)


def test_an_unbroken_run_is_cut_at_size() -> None:
    text = "x" * 250

    chunks = chunk(text, size=100, overlap=10)

    assert [len(c.text) for c in chunks][:2] == [100, 100]
    assert chunks[-1].end == 250


def test_short_and_blank_texts() -> None:
    (only,) = chunk("  Karibu sana!  ")
    assert (only.text, only.start, only.end, only.page, only.heading) == (
        "Karibu sana!",
        2,
        14,
        None,
        None,
    )
    assert chunk("") == []
    assert chunk(" \n\n ") == []


def test_pdf_chunks_know_their_page() -> None:
    first = [f"Page one sentence number {n}." for n in range(12)]
    second = [f"Page two sentence number {n}." for n in range(12)]
    extracted = extract_text("guide.pdf", "application/pdf", pdf_bytes([first, second]))

    chunks = chunk(extracted, size=200, overlap=40)

    assert_well_formed(extracted.text, chunks, size=200)
    page_two = extracted.text.index("Page two")
    for previous, piece in zip([None, *chunks], chunks, strict=False):
        expected = 1 if fresh_start(extracted.text, previous, piece) < page_two else 2
        assert piece.page == expected, piece
        assert piece.location == f"page {expected}"
    assert {piece.page for piece in chunks} == {1, 2}


def test_markdown_chunks_know_their_heading() -> None:
    sections = {
        "Returns": "Items can be returned within 14 days with a receipt. " * 6,
        "Delivery": "Nairobi delivery takes one day, upcountry three days. " * 6,
    }
    markdown = "\n\n".join(f"## {title}\n\n{body.strip()}" for title, body in sections.items())
    extracted = extract_text("faq.md", "text/markdown", markdown.encode())

    chunks = chunk(extracted, size=150, overlap=30)

    assert_well_formed(extracted.text, chunks, size=150)
    delivery = extracted.text.index("## Delivery")
    for previous, piece in zip([None, *chunks], chunks, strict=False):
        under_returns = fresh_start(extracted.text, previous, piece) < delivery
        expected = "Returns" if under_returns else "Delivery"
        assert piece.heading == expected, piece
        assert piece.location == expected
    assert {piece.heading for piece in chunks} == {"Returns", "Delivery"}


def test_plain_text_chunks_have_no_location() -> None:
    chunks = chunk(ExtractedText(words(300)), size=200, overlap=30)

    assert {(c.page, c.heading, c.location) for c in chunks} == {(None, None, "")}


@pytest.mark.parametrize(("size", "overlap"), [(1, 0), (100, 50), (100, -1)])
def test_chunk_sizes_are_checked(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunk("text", size=size, overlap=overlap)
