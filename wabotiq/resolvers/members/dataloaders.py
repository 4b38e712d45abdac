"""Loaders of members and roles: one query per page, whatever its size."""

from __future__ import annotations

import uuid
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.auth.members import user_memberships
from wabotiq.auth.models import Role as RoleModel
from wabotiq.auth.models import User as UserModel
from wabotiq.resolvers.members.types import MemberStatus, Role, UserMembership


async def _roles_by_id(keys: list[uuid.UUID]) -> list[RoleModel | None]:
    found = {role.id: role for role in await RoleModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


async def _users_by_id(keys: list[uuid.UUID]) -> list[UserModel | None]:
    found = {user.id: user for user in await UserModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


def RoleByIdLoader() -> DataLoader[uuid.UUID, RoleModel | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_roles_by_id)


def UserByIdLoader() -> DataLoader[uuid.UUID, UserModel | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_users_by_id)


class MembersLoaders:
    """The loaders of members and roles for one request, and their objects for other areas."""

    @cached_property
    def role_by_id(self) -> DataLoader[uuid.UUID, RoleModel | None]:
        return RoleByIdLoader()

    @cached_property
    def user_by_id(self) -> DataLoader[uuid.UUID, UserModel | None]:
        return UserByIdLoader()

    async def role(self, role_id: uuid.UUID) -> Role | None:
        found = await self.role_by_id.load(role_id)
        return Role.from_model(found) if found else None

    async def user(self, user_id: uuid.UUID) -> UserModel | None:
        """The person behind a membership (a row: a member shows its email and name)."""
        return await self.user_by_id.load(user_id)

    async def user_memberships(self, user_id: uuid.UUID) -> list[UserMembership]:
        """A person's memberships in every tenant, oldest first, with their roles."""
        return [
            UserMembership(
                role=Role.from_model(role),
                status=MemberStatus(membership.status),
                tenant_id=membership.tenant_id,
            )
            for membership, role in await user_memberships(user_id=user_id)
        ]
