"""GraphQL types of the document library, converted explicitly from domain records."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wabotiq.domain.documents.records import DocumentRecord
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relay import to_global_id


@strawberry.type(description="A PDF, text or Markdown file the assistant quotes answers from.")
class Document:
    id: strawberry.ID = strawberry.field(description="Global ID of the document.")
    name: str = strawberry.field(description="Its name, shown with the passages quoted from it.")
    content_type: str = strawberry.field(
        description="What it was read as: application/pdf, text/markdown or text/plain."
    )
    size_bytes: int = strawberry.field(description="The size of the uploaded file.")
    pages: int | None = strawberry.field(description="How many pages a PDF has; null otherwise.")
    chunk_count: int = strawberry.field(
        description="How many passages its text was cut into for search."
    )
    created_at: datetime = strawberry.field(description="When it was uploaded.")

    @classmethod
    def from_model(cls, document: DocumentRecord) -> Document:
        return cls(
            id=to_global_id("Document", document.id),
            name=document.name,
            content_type=document.content_type,
            size_bytes=document.size_bytes,
            pages=document.pages,
            chunk_count=document.chunk_count,
            created_at=document.created_at,
        )


@strawberry.type(description="The result of uploading a document.")
class UploadDocumentPayload:
    document: Document | None = strawberry.field(
        description="The stored document, when it was accepted; searchable moments later."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the upload was refused.")


@strawberry.type(description="The result of deleting a document.")
class DeleteDocumentPayload:
    deleted_document_id: strawberry.ID | None = strawberry.field(
        description="The deleted document; its passages leave search moments later."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
