"""Queries of the document library."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from wabotiq.domain.documents.service import DocumentKey, get_document, list_documents
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import (
    AfterArg,
    Connection,
    FirstArg,
    key_from_cursor,
    keyset_connection,
    query_uuid,
)
from wabotiq.graphql.scalars import parse_instant
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.documents.types import Document
from wabotiq.resolvers.paging import page_size

VIEW = scopes(["catalog:view"])

IdArg = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the document.")]


def _after(cursor: str | None) -> DocumentKey | None:
    if cursor is None:
        return None
    try:
        created_at, _, raw_id = key_from_cursor(cursor).partition("|")
        return parse_instant(created_at), uuid.UUID(raw_id)
    except ValueError as exc:
        raise coded_error(f"Not a valid cursor: {cursor!r}", "BAD_USER_INPUT") from exc


@strawberry.type
class DocumentsQueries:
    @strawberry.field(description="One uploaded document by ID.", directives=VIEW)
    async def document(self, info: Info, id: IdArg) -> Document | None:
        found = await get_document(document_id=query_uuid(id, "Document"))
        return Document.from_model(found) if found else None

    @strawberry.field(description="The tenant's uploaded documents, newest first.", directives=VIEW)
    async def documents(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Document]:
        limit = page_size(info, first)
        key = _after(after)
        rows, total = await list_documents(after=key, limit=limit + 1)
        return keyset_connection(
            rows,
            limit=limit,
            continued=key is not None,
            total=total,
            convert=Document.from_model,
            key=lambda row: f"{row.created_at.isoformat()}|{row.id}",
        )
