"""Mutations of the document library: parse input, call the service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile

from wabotiq.core.errors import DomainError
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.documents import service
from wabotiq.domain.documents.errors import not_a_file
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import UserError, mutate, user_error
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.documents.inputs import DeleteDocumentInput, UploadDocumentInput
from wabotiq.resolvers.documents.types import (
    DeleteDocumentPayload,
    Document,
    UploadDocumentPayload,
)

EDIT = scopes(["catalog:edit"])


async def _read(info: Info, given: UploadDocumentInput) -> service.PreparedDocument:
    """The upload, read and cut into passages, outside any transaction. The body limit keeps
    the file within the document limit plus a little, so reading it whole is bounded."""
    file = given.file
    if not isinstance(file, UploadFile):  # e.g. a string literal in a JSON request
        raise not_a_file()
    return await service.read_upload(
        filename=file.filename or "",
        content_type=file.content_type,
        data=await file.read(),
        max_bytes=info.context.runtime.settings.max_document_bytes,
        name=given.name,
    )


def _refused(exc: DomainError) -> list[UserError]:
    error = user_error(exc)
    return [error] if error else []


@strawberry.type
class DocumentsMutations:
    @strawberry.mutation(
        description="Upload a PDF, text or Markdown document for search and the assistant.",
        directives=EDIT,
    )
    async def upload_document(
        self, info: Info, input: Annotated[UploadDocumentInput, INPUT]
    ) -> UploadDocumentPayload:
        try:
            prepared = await _read(info, input)
        except DomainError as exc:
            return UploadDocumentPayload(document=None, user_errors=_refused(exc))
        actor = info.context.principal.actor_id
        record, errors = await mutate(
            lambda: service.store_document(document=prepared, uploaded_by=actor)
        )
        if record is None:
            return UploadDocumentPayload(document=None, user_errors=errors)
        audit_target(info, to_global_id("Document", record.id))
        return UploadDocumentPayload(document=Document.from_model(record), user_errors=[])

    @strawberry.mutation(
        description="Delete a document; its passages leave search.", directives=EDIT
    )
    async def delete_document(
        self, info: Info, input: Annotated[DeleteDocumentInput, INPUT]
    ) -> DeleteDocumentPayload:
        audit_target(info, input.id)
        record, errors = await mutate(
            lambda: service.delete_document(document_id=uuid_from_global_id(input.id, "Document"))
        )
        return DeleteDocumentPayload(
            deleted_document_id=input.id if record else None, user_errors=errors
        )
