"""Queries of API keys."""

from __future__ import annotations

import strawberry

from wabotiq.auth.api_keys import list_api_keys
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, offset_connection
from wabotiq.resolvers.api_keys.types import ApiKey
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import offset_page

MANAGE_KEYS = scopes(["users:manage"], ["integrations:manage"])


@strawberry.type
class ApiKeysQueries:
    @strawberry.field(description="The tenant's API keys, newest first.", directives=MANAGE_KEYS)
    async def api_keys(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[ApiKey]:
        offset, limit = offset_page(info, first, after)
        rows, total = await list_api_keys(
            tenant_id=info.context.tenant_id, offset=offset, limit=limit
        )
        return offset_connection(rows, offset=offset, total=total, convert=ApiKey.from_model)
