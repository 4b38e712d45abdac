"""Loaders of API keys."""

from __future__ import annotations

import uuid
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.auth.models import ApiKey as ApiKeyModel
from wabotiq.resolvers.api_keys.types import ApiKey


async def _api_keys_by_id(keys: list[uuid.UUID]) -> list[ApiKeyModel | None]:
    found = {key.id: key for key in await ApiKeyModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


def ApiKeyByIdLoader() -> DataLoader[uuid.UUID, ApiKeyModel | None]:  # noqa: N802
    return DataLoader(load_fn=_api_keys_by_id)


class ApiKeysLoaders:
    """The API keys' loaders for one request, and their objects for other areas."""

    @cached_property
    def api_key_by_id(self) -> DataLoader[uuid.UUID, ApiKeyModel | None]:
        return ApiKeyByIdLoader()

    async def api_key(self, api_key_id: uuid.UUID) -> ApiKey | None:
        found = await self.api_key_by_id.load(api_key_id)
        return ApiKey.from_model(found) if found else None
