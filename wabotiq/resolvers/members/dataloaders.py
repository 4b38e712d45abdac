"""Batch loaders for members: one query per page, whatever its size."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from wabotiq.auth.models import Role, User


async def _roles_by_id(keys: list[object]) -> list[Role | None]:
    found = {role.id: role for role in await Role.filter(id__in=keys)}
    return [found.get(key) for key in keys]  # type: ignore[call-overload]


async def _users_by_id(keys: list[object]) -> list[User | None]:
    found = {user.id: user for user in await User.filter(id__in=keys)}
    return [found.get(key) for key in keys]  # type: ignore[call-overload]


def RoleByIdLoader() -> DataLoader[object, Role | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_roles_by_id)


def UserByIdLoader() -> DataLoader[object, User | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_users_by_id)
