"""GraphQL types of members and roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.auth.models import Membership as MembershipModel
from wabotiq.auth.models import Role as RoleModel
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relations import relation, required
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.tenancy.types import Tenant

TenantRef = Annotated["Tenant", strawberry.lazy("wabotiq.resolvers.tenancy.types")]


@strawberry.enum(description="Where a member is in joining the tenant.")
class MemberStatus(Enum):
    INVITED = strawberry.enum_value("invited", description="Invited, not yet accepted.")
    ACTIVE = strawberry.enum_value("active", description="A working member.")


@strawberry.type(description="A named set of scopes given to members.")
class Role:
    id: strawberry.ID = strawberry.field(description="Global ID of the role.")
    name: str = strawberry.field(description="Unique name within the tenant.")
    description: str = strawberry.field(description="What the role is for.")
    scopes: list[str] = strawberry.field(description="The scopes the role grants.")
    is_system: bool = strawberry.field(description="A default role, which cannot be changed.")
    created_at: datetime = strawberry.field(description="When the role was created.")

    @classmethod
    def from_model(cls, role: RoleModel) -> Role:
        return cls(
            id=to_global_id("Role", role.id),
            name=role.name,
            description=role.description,
            scopes=list(role.scopes),
            is_system=role.is_system,
            created_at=role.created_at,
        )


@strawberry.type(description="A person's membership of this tenant.")
class Member:
    id: strawberry.ID = strawberry.field(description="Global ID of the membership.")
    status: MemberStatus = strawberry.field(description="Invited or active.")
    created_at: datetime = strawberry.field(description="When the member was added or invited.")
    role_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]

    @relation(description="The member's email address.")
    async def email(self, info: Info) -> str:
        user = await info.context.loaders.members.user(self.user_id)
        return user.email if user else ""

    @relation(description="The member's name, as they gave it.")
    async def name(self, info: Info) -> str:
        user = await info.context.loaders.members.user(self.user_id)
        return user.name if user else ""

    @relation(description="The member's role.")
    async def role(self, info: Info) -> Role:
        found = await info.context.loaders.members.role(self.role_id)
        return required(found, f"role {self.role_id}")

    @classmethod
    def from_model(cls, member: MembershipModel) -> Member:
        return cls(
            id=to_global_id("Member", member.id),
            status=MemberStatus(member.status),
            created_at=member.created_at,
            role_id=member.role_id,
            user_id=member.user_id,
        )


@strawberry.type(description="One of the viewer's memberships, in any tenant.")
class UserMembership:
    role: Role = strawberry.field(description="The viewer's role there.")
    status: MemberStatus = strawberry.field(description="Invited or active.")
    tenant_id: strawberry.Private[str]

    @relation(description="The tenant.")
    async def tenant(self, info: Info) -> TenantRef:
        found = await info.context.loaders.tenancy.tenant(self.tenant_id)
        return required(found, f"tenant {self.tenant_id}")


@strawberry.type(description="The result of changing a role.")
class RolePayload:
    role: Role | None = strawberry.field(description="The role, when the change succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of changing a member.")
class MemberPayload:
    member: Member | None = strawberry.field(description="The member, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of inviting a member.")
class MemberInvitePayload:
    member: Member | None = strawberry.field(description="The invited member.")
    invitation_token: str | None = strawberry.field(
        description="Shown once: deliver it to the invitee, who redeems it with invitationAccept."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the invite was refused.")


@strawberry.type(description="The result of deleting a role.")
class RoleDeletePayload:
    deleted_role_id: strawberry.ID | None = strawberry.field(description="The deleted role.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of removing a member.")
class MemberRemovePayload:
    removed_member_id: strawberry.ID | None = strawberry.field(description="The removed member.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.input(description="A new custom role.")
class RoleCreateInput:
    name: str = strawberry.field(description="Unique name within the tenant.")
    description: str = strawberry.field(default="", description="What the role is for.")
    scopes: list[str] = strawberry.field(description="Scopes to grant; you must hold them.")


@strawberry.input(description="Changes to a custom role; omitted fields stay as they are.")
class RoleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The role to change.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    description: str | None = strawberry.field(default=None, description="A new description.")
    scopes: list[str] | None = strawberry.field(default=None, description="The new scopes.")


@strawberry.input(description="Someone to invite.")
class MemberInviteInput:
    email: str = strawberry.field(description="The invitee's email address.")
    role_id: strawberry.ID = strawberry.field(description="The role they will hold.")


@strawberry.input(description="A member's new role.")
class MemberUpdateRoleInput:
    id: strawberry.ID = strawberry.field(description="The member.")
    role_id: strawberry.ID = strawberry.field(description="The role to give them.")
