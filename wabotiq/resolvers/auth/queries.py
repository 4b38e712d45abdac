"""The viewer query."""

from __future__ import annotations

import strawberry

from wabotiq.auth.members import user_memberships
from wabotiq.auth.models import ApiKey as ApiKeyModel
from wabotiq.auth.models import User as UserModel
from wabotiq.auth.principal import PrincipalKind as Kind
from wabotiq.graphql.directives import signed_in
from wabotiq.resolvers.api_keys.types import ApiKey
from wabotiq.resolvers.auth.types import PrincipalKind, User, UserMembership, Viewer
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.members.types import MemberStatus, Role
from wabotiq.resolvers.tenancy.types import Tenant
from wabotiq.tenancy.service import tenants_by_id


@strawberry.type
class AuthQueries:
    @strawberry.field(
        description="Who is calling: the person or key, its tenant, scopes and memberships.",
        directives=signed_in(),
    )
    async def me(self, info: Info) -> Viewer:
        principal = info.context.principal
        user = await UserModel.get_or_none(id=principal.user_id) if principal.user_id else None
        key = (
            await ApiKeyModel.get_or_none(id=principal.api_key_id) if principal.api_key_id else None
        )
        memberships = await user_memberships(user_id=user.id) if user else []
        tenants = await tenants_by_id([m.tenant_id for m, _ in memberships])
        if principal.tenant is not None and principal.tenant.id not in tenants:
            tenants.update(await tenants_by_id([principal.tenant.id]))
        return Viewer(
            kind=PrincipalKind.USER if principal.kind is Kind.USER else PrincipalKind.API_KEY,
            user=User.from_model(user) if user else None,
            api_key=ApiKey.from_model(key) if key else None,
            tenant=Tenant.from_model(tenants[principal.tenant.id]) if principal.tenant else None,
            scopes=sorted(principal.scopes),
            memberships=[
                UserMembership(
                    tenant=Tenant.from_model(tenants[m.tenant_id]),
                    role=Role.from_model(role),
                    status=MemberStatus(m.status),
                )
                for m, role in memberships
            ],
        )
