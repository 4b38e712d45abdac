"""GraphQL inputs of the document library."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload


@strawberry.input(description="A document to upload, sent as a GraphQL multipart request.")
class UploadDocumentInput:
    file: Upload = strawberry.field(
        description="The file: PDF, plain text or Markdown, within the size limit."
    )
    name: str | None = strawberry.field(
        default=None, description="Its name; omit to use the file's name."
    )


@strawberry.input(description="A document to delete.")
class DeleteDocumentInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the document.")
