"""The viewer query."""

from __future__ import annotations

import strawberry

from wabotiq.auth.models import User as UserModel
from wabotiq.auth.principal import PrincipalKind as Kind
from wabotiq.graphql.directives import signed_in
from wabotiq.resolvers.auth.types import PrincipalKind, User, Viewer
from wabotiq.resolvers.context import Info


@strawberry.type
class AuthQueries:
    @strawberry.field(
        description="Who is calling: the person or key, its tenant, scopes and memberships.",
        directives=signed_in(),
    )
    async def me(self, info: Info) -> Viewer:
        principal = info.context.principal
        user = await UserModel.get_or_none(id=principal.user_id) if principal.user_id else None
        return Viewer(
            kind=PrincipalKind.USER if principal.kind is Kind.USER else PrincipalKind.API_KEY,
            user=User.from_model(user) if user else None,
            scopes=sorted(principal.scopes),
            user_id=user.id if user else None,
            api_key_id=principal.api_key_id,
            tenant_id=principal.tenant.id if principal.tenant else None,
        )
