"""Queries of the tenancy area."""

from __future__ import annotations

import strawberry

from wabotiq.auth.scopes import SCOPES
from wabotiq.graphql.directives import signed_in
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.tenancy.types import Scope, Tenant
from wabotiq.tenancy.service import find_tenant


@strawberry.type
class TenancyQueries:
    @strawberry.field(description="The tenant this request acts for.", directives=signed_in())
    async def tenant(self, info: Info) -> Tenant | None:
        ref = info.context.principal.tenant
        tenant = await find_tenant(ref.id) if ref else None
        return Tenant.from_model(tenant) if tenant else None

    @strawberry.field(description="Every scope there is.", directives=signed_in())
    def scopes(self) -> list[Scope]:
        return [Scope(name=name, description=text) for name, text in SCOPES.items()]
