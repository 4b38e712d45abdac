"""Mutations of API keys."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.auth.api_keys import create_api_key, revoke_api_key
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.api_keys.queries import MANAGE_KEYS
from wabotiq.resolvers.api_keys.types import (
    ApiKey,
    ApiKeyCreateInput,
    ApiKeyCreatePayload,
    ApiKeyRevokeInput,
    ApiKeyRevokePayload,
)
from wabotiq.resolvers.context import Info, audit_target


@strawberry.type
class ApiKeysMutations:
    @strawberry.mutation(
        description="Create an API key; its secret is in the payload and never shown again.",
        directives=MANAGE_KEYS,
    )
    async def api_key_create(
        self, info: Info, input: Annotated[ApiKeyCreateInput, INPUT]
    ) -> ApiKeyCreatePayload:
        ctx = info.context
        created, errors = await mutate(
            lambda: create_api_key(
                tenant_id=ctx.tenant_id,
                name=input.name,
                scopes=input.scopes,
                granted=ctx.principal.scopes,
                created_by=ctx.principal.user_id,
            )
        )
        if created is None:
            return ApiKeyCreatePayload(api_key=None, secret=None, user_errors=errors)
        audit_target(info, to_global_id("ApiKey", created.api_key.id))
        return ApiKeyCreatePayload(
            api_key=ApiKey.from_model(created.api_key), secret=created.secret, user_errors=[]
        )

    @strawberry.mutation(description="Revoke an API key, at once.", directives=MANAGE_KEYS)
    async def api_key_revoke(
        self, info: Info, input: Annotated[ApiKeyRevokeInput, INPUT]
    ) -> ApiKeyRevokePayload:
        ctx = info.context
        audit_target(info, input.id)
        key, errors = await mutate(
            lambda: revoke_api_key(
                tenant_id=ctx.tenant_id,
                api_key_id=uuid_from_global_id(input.id, "ApiKey"),
                granted=ctx.principal.scopes,
            )
        )
        return ApiKeyRevokePayload(
            api_key=ApiKey.from_model(key) if key else None, user_errors=errors
        )
