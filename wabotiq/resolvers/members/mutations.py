"""Mutations of members and roles: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.auth import members as member_service
from wabotiq.auth import roles as role_service
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.inputs import IdInput
from wabotiq.resolvers.members.types import (
    Member,
    MemberInviteInput,
    MemberInvitePayload,
    MemberPayload,
    MemberRemovePayload,
    MemberUpdateRoleInput,
    RoleCreateInput,
    RoleDeletePayload,
    RolePayload,
    RoleUpdateInput,
)
from wabotiq.resolvers.members.types import Role as RoleType

MANAGE = scopes(["users:manage"])


@strawberry.type
class MembersMutations:
    @strawberry.mutation(description="Create a custom role.", directives=MANAGE)
    async def role_create(
        self, info: Info, input: Annotated[RoleCreateInput, INPUT]
    ) -> RolePayload:
        ctx = info.context
        role, errors = await mutate(
            lambda: role_service.create_role(
                tenant_id=ctx.tenant_id,
                name=input.name,
                description=input.description,
                scopes=input.scopes,
                granted=ctx.principal.scopes,
            )
        )
        if role:
            audit_target(info, to_global_id("Role", role.id))
        return RolePayload(role=RoleType.from_model(role) if role else None, user_errors=errors)

    @strawberry.mutation(description="Change a custom role.", directives=MANAGE)
    async def role_update(
        self, info: Info, input: Annotated[RoleUpdateInput, INPUT]
    ) -> RolePayload:
        ctx = info.context
        audit_target(info, input.id)
        role, errors = await mutate(
            lambda: role_service.update_role(
                tenant_id=ctx.tenant_id,
                role_id=uuid_from_global_id(input.id, "Role"),
                granted=ctx.principal.scopes,
                name=input.name,
                description=input.description,
                scopes=input.scopes,
            )
        )
        return RolePayload(role=RoleType.from_model(role) if role else None, user_errors=errors)

    @strawberry.mutation(description="Delete a custom role no member holds.", directives=MANAGE)
    async def role_delete(self, info: Info, input: Annotated[IdInput, INPUT]) -> RoleDeletePayload:
        ctx = info.context
        audit_target(info, input.id)
        role, errors = await mutate(
            lambda: role_service.delete_role(
                tenant_id=ctx.tenant_id,
                role_id=uuid_from_global_id(input.id, "Role"),
                granted=ctx.principal.scopes,
            )
        )
        return RoleDeletePayload(deleted_role_id=input.id if role else None, user_errors=errors)

    @strawberry.mutation(description="Invite someone to the tenant.", directives=MANAGE)
    async def member_invite(
        self, info: Info, input: Annotated[MemberInviteInput, INPUT]
    ) -> MemberInvitePayload:
        ctx = info.context
        invitation, errors = await mutate(
            lambda: member_service.invite_member(
                tenant_id=ctx.tenant_id,
                email=input.email,
                role_id=uuid_from_global_id(input.role_id, "Role"),
                granted=ctx.principal.scopes,
            )
        )
        if invitation is None:
            return MemberInvitePayload(member=None, invitation_token=None, user_errors=errors)
        audit_target(info, to_global_id("Member", invitation.membership.id))
        return MemberInvitePayload(
            member=Member.from_model(invitation.membership),
            invitation_token=invitation.token,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Give a member another role; the last owner cannot be demoted.",
        directives=MANAGE,
    )
    async def member_update_role(
        self, info: Info, input: Annotated[MemberUpdateRoleInput, INPUT]
    ) -> MemberPayload:
        ctx = info.context
        audit_target(info, input.id)
        member, errors = await mutate(
            lambda: member_service.change_member_role(
                tenant_id=ctx.tenant_id,
                membership_id=uuid_from_global_id(input.id, "Member"),
                role_id=uuid_from_global_id(input.role_id, "Role"),
                granted=ctx.principal.scopes,
            )
        )
        return MemberPayload(
            member=Member.from_model(member) if member else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Remove a member; the last owner cannot be removed.", directives=MANAGE
    )
    async def member_remove(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> MemberRemovePayload:
        ctx = info.context
        audit_target(info, input.id)
        member, errors = await mutate(
            lambda: member_service.remove_member(
                tenant_id=ctx.tenant_id,
                membership_id=uuid_from_global_id(input.id, "Member"),
                granted=ctx.principal.scopes,
            )
        )
        return MemberRemovePayload(
            removed_member_id=input.id if member else None, user_errors=errors
        )
