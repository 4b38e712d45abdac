"""Read records of the document library, fetched with plain SQL (chunks have a two-column key,
which the ORM cannot model)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

DOCUMENT_COLUMNS = "id, name, content_type, size_bytes, sha256, pages, chunk_count, created_at"


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: uuid.UUID
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    pages: int | None
    chunk_count: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> DocumentRecord:
        return cls(
            id=row["id"],
            name=row["name"],
            content_type=row["content_type"],
            size_bytes=row["size_bytes"],
            sha256=row["sha256"],
            pages=row["pages"],
            chunk_count=row["chunk_count"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class PassageRecord:
    """One chunk of a document: its text and where in the document it comes from."""

    document_id: uuid.UUID
    index: int
    text: str
    location: str
