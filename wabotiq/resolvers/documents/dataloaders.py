"""Batch loaders of the document library: one statement per page of hits, whatever its size."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from wabotiq.domain.documents.records import DocumentRecord, PassageRecord
from wabotiq.domain.documents.service import documents_by_id, passages_by_key

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
