"""Queries of members and roles."""

from __future__ import annotations

import strawberry

from wabotiq.auth.members import list_members
from wabotiq.auth.roles import list_roles
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, offset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.members.types import Member, Role
from wabotiq.resolvers.paging import offset_page


@strawberry.type
class MembersQueries:
    @strawberry.field(description="The tenant's members.", directives=scopes(["users:manage"]))
    async def members(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Member]:
        offset, limit = offset_page(info, first, after)
        rows, total = await list_members(
            tenant_id=info.context.tenant_id, offset=offset, limit=limit
        )
        return offset_connection(rows, offset=offset, total=total, convert=Member.from_model)

    @strawberry.field(
        description="The tenant's roles, default ones first.", directives=scopes(["users:manage"])
    )
    async def roles(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[Role]:
        offset, limit = offset_page(info, first, after)
        roles = await list_roles(tenant_id=info.context.tenant_id)
        return offset_connection(
            roles[offset : offset + limit], offset=offset, total=len(roles), convert=Role.from_model
        )
