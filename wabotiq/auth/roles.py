"""Default and custom roles of a tenant."""

from __future__ import annotations

import uuid

from wabotiq.auth.errors import AuthError, AuthErrorCode
from wabotiq.auth.models import Membership, Role
from wabotiq.auth.scopes import DEFAULT_ROLES, check_grantable, check_manageable
from wabotiq.tenancy.access import AccessChange, access_changed


def default_role_rows(tenant_id: str) -> list[Role]:
    return [
        Role(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=name,
            description=description,
            scopes=sorted(scopes),
            is_system=True,
        )
        for name, (description, scopes) in DEFAULT_ROLES.items()
    ]


async def seed_default_roles(*, tenant_id: str) -> list[Role]:
    """Create the default roles of a new tenant."""
    roles = default_role_rows(tenant_id)
    await Role.bulk_create(roles)
    return roles


async def list_roles(*, tenant_id: str) -> list[Role]:
    """Every role of the tenant, system roles first."""
    return await Role.filter(tenant_id=tenant_id).order_by("-is_system", "name")


async def get_role(*, tenant_id: str, role_id: uuid.UUID, field: str = "roleId") -> Role:
    """One role of the tenant, or a NOT_FOUND error on `field`."""
    role = await Role.get_or_none(id=role_id, tenant_id=tenant_id)
    if role is None:
        raise AuthError(AuthErrorCode.NOT_FOUND, "No such role.", field=field)
    return role


async def _check_name_free(tenant_id: str, name: str, *, except_id: uuid.UUID | None) -> str:
    name = name.strip()
    if not name:
        raise AuthError(AuthErrorCode.INVALID, "A name is required.", field="name")
    clash = Role.filter(tenant_id=tenant_id, name__iexact=name)
    if except_id is not None:
        clash = clash.exclude(id=except_id)
    if await clash.exists():
        raise AuthError(AuthErrorCode.ALREADY_EXISTS, "A role with this name exists.", field="name")
    return name


async def create_role(
    *, tenant_id: str, name: str, description: str, scopes: list[str], granted: frozenset[str]
) -> Role:
    """Create a custom role."""
    check_grantable(scopes, granted)
    name = await _check_name_free(tenant_id, name, except_id=None)
    return await Role.create(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=name,
        description=description,
        scopes=sorted(set(scopes)),
    )


async def update_role(
    *,
    tenant_id: str,
    role_id: uuid.UUID,
    granted: frozenset[str],
    name: str | None = None,
    description: str | None = None,
    scopes: list[str] | None = None,
) -> Role:
    """Change a custom role holding no scope you lack; system roles are fixed."""
    role = await get_role(tenant_id=tenant_id, role_id=role_id, field="id")
    if role.is_system:
        raise AuthError(AuthErrorCode.SYSTEM_ROLE, "Default roles cannot be changed.", field="id")
    check_manageable(role.scopes, granted, what="a role")
    if name is not None:
        role.name = await _check_name_free(tenant_id, name, except_id=role.id)
    if description is not None:
        role.description = description
    if scopes is not None:
        check_grantable(scopes, granted)
        role.scopes = sorted(set(scopes))
    await role.save()
    if scopes is not None:
        await access_changed(
            tenant_id=tenant_id, change=AccessChange.ROLE_CHANGED, subject_id=str(role.id)
        )
    return role


async def delete_role(*, tenant_id: str, role_id: uuid.UUID, granted: frozenset[str]) -> Role:
    """Delete a custom role no member holds and holding no scope you lack."""
    role = await get_role(tenant_id=tenant_id, role_id=role_id, field="id")
    if role.is_system:
        raise AuthError(AuthErrorCode.SYSTEM_ROLE, "Default roles cannot be deleted.", field="id")
    check_manageable(role.scopes, granted, what="a role")
    if await Membership.filter(role_id=role.id).exists():
        raise AuthError(AuthErrorCode.ROLE_IN_USE, "Members still hold this role.", field="id")
    await role.delete()
    await access_changed(
        tenant_id=tenant_id, change=AccessChange.ROLE_DELETED, subject_id=str(role.id)
    )
    return role
