"""Loaders of the document library: one statement per page of hits, whatever its size."""

from __future__ import annotations

import uuid
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.domain.documents.records import DocumentRecord, PassageRecord
from wabotiq.domain.documents.service import documents_by_id, passages_by_key
from wabotiq.resolvers.documents.types import Document

PassageKey = tuple[uuid.UUID, int]  # (document id, chunk index)


async def _documents_by_id(keys: list[uuid.UUID]) -> list[DocumentRecord | None]:
    found = await documents_by_id(ids=keys)
    return [found.get(key) for key in keys]


async def _passages_by_key(keys: list[PassageKey]) -> list[PassageRecord | None]:
    found = await passages_by_key(keys=keys)
    return [found.get(key) for key in keys]


def DocumentByIdLoader() -> DataLoader[uuid.UUID, DocumentRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_documents_by_id)


def PassageByKeyLoader() -> DataLoader[PassageKey, PassageRecord | None]:  # noqa: N802
    return DataLoader(load_fn=_passages_by_key)


class DocumentsLoaders:
    """The document library's loaders for one request, and its objects for other areas."""

    @cached_property
    def document_by_id(self) -> DataLoader[uuid.UUID, DocumentRecord | None]:
        return DocumentByIdLoader()

    @cached_property
    def passage_by_key(self) -> DataLoader[PassageKey, PassageRecord | None]:
        return PassageByKeyLoader()

    async def document(self, document_id: uuid.UUID) -> Document | None:
        found = await self.document_by_id.load(document_id)
        return Document.from_model(found) if found else None

    async def passage(self, key: PassageKey) -> PassageRecord | None:
        """One passage of a document (a record: whoever quotes it shows its text)."""
        return await self.passage_by_key.load(key)
