"""The tenant's document library: uploads become chunked passages that search indexes from
the outbox event; deleting a document takes its passages out of the index the same way."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from wabotiq.db.connection import current_connection
from wabotiq.db.outbox import emit
from wabotiq.domain.documents.chunking import Chunk, chunk
from wabotiq.domain.documents.errors import (
    LibraryError,
    LibraryErrorCode,
    empty,
    not_found,
    too_large,
)
from wabotiq.domain.documents.extract import ExtractedText, extract_text
from wabotiq.domain.documents.records import (
    DOCUMENT_COLUMNS,
    DocumentRecord,
    PassageRecord,
)

NAME_LENGTH = 255
LOCATION_LENGTH = 255
# The type a document is stored as, by the format its text was read as.
STORED_TYPES = {"pdf": "application/pdf", "markdown": "text/markdown", "text": "text/plain"}
# (created_at, id) of the last document of a page: the next page starts after it.
DocumentKey = tuple[datetime, uuid.UUID]

_INSERT_CHUNKS = """
INSERT INTO document_chunks (document_id, index, text, location)
SELECT $1, index, text, location FROM unnest($2::int[], $3::text[], $4::text[])
    AS c (index, text, location)
"""


def clean_name(name: str) -> str:
    """A display name: the last part of a path, trimmed, at most 255 characters."""
    return PurePosixPath(name.replace("\\", "/")).name.strip()[:NAME_LENGTH]


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """An upload read and cut into passages, ready to store."""

    name: str
    data: bytes
    extracted: ExtractedText
    chunks: list[Chunk]


async def read_upload(
    *,
    filename: str,
    content_type: str | None,
    data: bytes,
    max_bytes: int,
    name: str | None = None,
) -> PreparedDocument:
    """Check an uploaded PDF, text or Markdown file and cut its text into passages. Touches no
    database: parsing takes a while, and no transaction should be held open meanwhile."""
    title = clean_name(filename if name is None else name)
    if not title:
        raise LibraryError(LibraryErrorCode.INVALID, "Give the document a name.", field="name")
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    if not data:
        raise empty(title)
    # Parsing a PDF is CPU-bound: off the event loop.
    extracted = await asyncio.to_thread(extract_text, filename or title, content_type, data)
    return PreparedDocument(title, data, extracted, await asyncio.to_thread(chunk, extracted))


async def store_document(*, document: PreparedDocument, uploaded_by: str | None) -> DocumentRecord:
    """Store a read upload and its passages; search indexes them once the caller commits."""
    document_id = uuid.uuid4()
    chunks = document.chunks
    extracted = document.extracted
    async with current_connection() as conn:
        row = await conn.fetchrow(
            "INSERT INTO documents (id, name, content_type, size_bytes, sha256, pages,"
            " chunk_count, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            f" RETURNING {DOCUMENT_COLUMNS}",
            document_id,
            document.name,
            STORED_TYPES[extracted.format],
            len(document.data),
            hashlib.sha256(document.data).hexdigest(),
            len(extracted.page_starts) if extracted.format == "pdf" else None,
            len(chunks),
            uploaded_by,
        )
        await conn.execute(
            _INSERT_CHUNKS,
            document_id,
            [c.index for c in chunks],
            [c.text for c in chunks],
            [c.location[:LOCATION_LENGTH] for c in chunks],
        )
    await emit(
        aggregate_type="document",
        aggregate_id=str(document_id),
        event_type="created",
        payload={"name": document.name, "chunks": len(chunks)},
    )
    return DocumentRecord.from_row(row)


async def upload_document(
    *,
    filename: str,
    content_type: str | None,
    data: bytes,
    uploaded_by: str | None,
    max_bytes: int,
    name: str | None = None,
) -> DocumentRecord:
    """Read and store an upload in one go (the caller's transaction is open meanwhile)."""
    document = await read_upload(
        filename=filename, content_type=content_type, data=data, max_bytes=max_bytes, name=name
    )
    return await store_document(document=document, uploaded_by=uploaded_by)


async def delete_document(*, document_id: uuid.UUID) -> DocumentRecord:
    """Delete a document and its passages; search drops them once the caller commits."""
    async with current_connection() as conn:
        row = await conn.fetchrow(
            f"DELETE FROM documents WHERE id = $1 RETURNING {DOCUMENT_COLUMNS}", document_id
        )
    if row is None:
        raise not_found()
    await emit(
        aggregate_type="document",
        aggregate_id=str(document_id),
        event_type="deleted",
        payload={"name": row["name"]},
    )
    return DocumentRecord.from_row(row)


async def get_document(*, document_id: uuid.UUID) -> DocumentRecord | None:
    """One document, or None."""
    found = await documents_by_id(ids=[document_id])
    return found.get(document_id)


async def list_documents(
    *, after: DocumentKey | None, limit: int
) -> tuple[list[DocumentRecord], int]:
    """A page of documents, newest first, after `after`; and how many there are in all."""
    async with current_connection() as conn:
        if after is None:
            rows = await conn.fetch(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY created_at DESC, id LIMIT $1",
                limit,
            )
        else:
            rows = await conn.fetch(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents"
                " WHERE created_at < $1 OR (created_at = $1 AND id > $2)"
                " ORDER BY created_at DESC, id LIMIT $3",
                *after,
                limit,
            )
        total = await conn.fetchval("SELECT count(*) FROM documents")
    return [DocumentRecord.from_row(row) for row in rows], total


async def documents_by_id(*, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DocumentRecord]:
    """The documents among `ids` that exist."""
    async with current_connection() as conn:
        rows = await conn.fetch(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ANY($1::uuid[])", list(ids)
        )
    return {row["id"]: DocumentRecord.from_row(row) for row in rows}


async def passages_by_key(
    *, keys: Sequence[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], PassageRecord]:
    """The chunks among `(document id, chunk index)` keys that exist."""
    async with current_connection() as conn:
        rows = await conn.fetch(
            "SELECT c.document_id, c.index, c.text, c.location FROM document_chunks c"
            " JOIN unnest($1::uuid[], $2::int[]) AS k (document_id, index)"
            " USING (document_id, index)",
            [key[0] for key in keys],
            [key[1] for key in keys],
        )
    return {
        (row["document_id"], row["index"]): PassageRecord(
            row["document_id"], row["index"], row["text"], row["location"]
        )
        for row in rows
    }
