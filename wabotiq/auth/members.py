"""Members of a tenant: invite, accept, change role, remove; the last owner always stays."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise import connections

from wabotiq.auth.errors import AuthError, AuthErrorCode
from wabotiq.auth.models import Membership, MembershipStatus, Role, User
from wabotiq.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from wabotiq.auth.roles import get_role
from wabotiq.auth.scopes import OWNER_ROLE, check_grantable, check_manageable
from wabotiq.auth.tokens import digest, new_secret
from wabotiq.tenancy.access import AccessChange, access_changed

INVITATION_TTL = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Invitation:
    membership: Membership
    token: str


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            AuthErrorCode.WEAK_PASSWORD,
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            field="password",
        )


async def get_member(*, tenant_id: str, membership_id: uuid.UUID) -> Membership:
    """One membership of the tenant, or NOT_FOUND."""
    member = await Membership.get_or_none(id=membership_id, tenant_id=tenant_id)
    if member is None:
        raise AuthError(AuthErrorCode.NOT_FOUND, "No such member.", field="id")
    return member


async def add_member(
    *, tenant_id: str, user: User, role: Role, status: MembershipStatus
) -> Membership:
    """Attach a user to a tenant with a role."""
    return await Membership.create(
        id=uuid.uuid4(), tenant_id=tenant_id, user_id=user.id, role_id=role.id, status=status
    )


async def invite_member(
    *, tenant_id: str, email: str, role_id: uuid.UUID, granted: frozenset[str]
) -> Invitation:
    """Invite someone by email; the invitation token is returned once, for delivery."""
    email = email.strip().lower()
    if "@" not in email:
        raise AuthError(AuthErrorCode.INVALID, "Not an email address.", field="email")
    role = await get_role(tenant_id=tenant_id, role_id=role_id)
    check_grantable(role.scopes, granted)
    user, _ = await User.get_or_create(email=email, defaults={"id": uuid.uuid4()})
    if await Membership.filter(tenant_id=tenant_id, user_id=user.id).exists():
        raise AuthError(AuthErrorCode.ALREADY_EXISTS, "Already a member.", field="email")
    token = new_secret("wbi_")
    membership = await Membership.create(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        user_id=user.id,
        role_id=role.id,
        status=MembershipStatus.INVITED,
        invitation_hash=digest(token),
        invitation_expires_at=datetime.now(UTC) + INVITATION_TTL,
    )
    return Invitation(membership=membership, token=token)


async def accept_invitation(*, token: str, password: str | None, name: str | None) -> Membership:
    """Activate an invited membership; a new user sets a password here."""
    membership = await Membership.get_or_none(
        invitation_hash=digest(token), status=MembershipStatus.INVITED
    )
    if membership is None or (
        membership.invitation_expires_at or datetime.min.replace(tzinfo=UTC)
    ) < datetime.now(UTC):
        raise AuthError(AuthErrorCode.INVALID_INVITATION, "The invitation is not valid.")
    user = await User.get(id=membership.user_id)
    if user.password_hash is None:  # a new person: they set up their account here
        if not password:
            raise AuthError(AuthErrorCode.WEAK_PASSWORD, "Choose a password.", field="password")
        check_password(password)
        user.password_hash = hash_password(password)
        if name:
            user.name = name.strip()
        await user.save()
    membership.status = MembershipStatus.ACTIVE
    membership.invitation_hash = None
    membership.invitation_expires_at = None
    await membership.save()
    return membership


async def _check_can_manage(tenant_id: str, member: Membership, granted: frozenset[str]) -> None:
    """Nobody changes or removes a member whose role holds scopes they lack (an Admin cannot
    demote an Owner)."""
    current = await get_role(tenant_id=tenant_id, role_id=member.role_id, field="id")
    check_manageable(current.scopes, granted, what="a member")


async def _owner_role_id(tenant_id: str) -> uuid.UUID:
    role = await Role.get(tenant_id=tenant_id, name=OWNER_ROLE, is_system=True)
    return role.id


async def _ensure_other_owner(tenant_id: str, member: Membership) -> None:
    """Refuse when `member` is the tenant's last active owner (rows locked against races)."""
    owner_role = await _owner_role_id(tenant_id)
    if member.role_id != owner_role or member.status != MembershipStatus.ACTIVE:
        return
    # Whole rows: Tortoise drops FOR UPDATE from `.values_list()`, which would lose the lock.
    # Locking in id order keeps two concurrent callers from deadlocking.
    owners = (
        await Membership.filter(
            tenant_id=tenant_id, role_id=owner_role, status=MembershipStatus.ACTIVE
        )
        .order_by("id")
        .select_for_update()
    )
    if {owner.id for owner in owners} <= {member.id}:
        raise AuthError(AuthErrorCode.LAST_OWNER, "A tenant keeps at least one owner.", field="id")


async def change_member_role(
    *, tenant_id: str, membership_id: uuid.UUID, role_id: uuid.UUID, granted: frozenset[str]
) -> Membership:
    """Give a member another role you could grant; the last owner cannot be demoted."""
    member = await get_member(tenant_id=tenant_id, membership_id=membership_id)
    await _check_can_manage(tenant_id, member, granted)
    role = await get_role(tenant_id=tenant_id, role_id=role_id)
    check_grantable(role.scopes, granted)
    if role.id != member.role_id:
        await _ensure_other_owner(tenant_id, member)
        member.role_id = role.id
        await member.save(update_fields=["role_id"])
        await access_changed(
            tenant_id=tenant_id, change=AccessChange.MEMBER_ROLE_CHANGED, subject_id=str(member.id)
        )
    return member


async def remove_member(
    *, tenant_id: str, membership_id: uuid.UUID, granted: frozenset[str]
) -> Membership:
    """Remove a member you could have appointed; the last owner cannot be removed."""
    member = await get_member(tenant_id=tenant_id, membership_id=membership_id)
    await _check_can_manage(tenant_id, member, granted)
    await _ensure_other_owner(tenant_id, member)
    await member.delete()
    await access_changed(
        tenant_id=tenant_id, change=AccessChange.MEMBER_REMOVED, subject_id=str(member.id)
    )
    return member


async def list_members(*, tenant_id: str, offset: int, limit: int) -> tuple[list[Membership], int]:
    """A page of memberships, oldest first, and the total count."""
    query = Membership.filter(tenant_id=tenant_id)
    total = await query.count()
    rows = await query.order_by("created_at", "id").offset(offset).limit(limit)
    return list(rows), total


async def member_scopes(*, tenant_id: str, user_id: uuid.UUID) -> tuple[frozenset[str], str] | None:
    """The scopes and email of an active member of an active user, or None."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT r.scopes AS role_scopes, u.email AS user_email"
        " FROM public.memberships m"
        " JOIN public.roles r ON r.id = m.role_id"
        " JOIN public.users u ON u.id = m.user_id"
        " WHERE m.tenant_id = $1 AND m.user_id = $2 AND m.status = 'active' AND u.is_active",
        [tenant_id, user_id],
    )
    if not rows:
        return None
    row = rows[0]
    return frozenset(_json_list(row["role_scopes"])), row["user_email"]


def _json_list(value: str | list[str] | None) -> list[str]:
    return cast(list[str], json.loads(value)) if isinstance(value, str) else list(value or [])


async def user_memberships(*, user_id: uuid.UUID) -> list[tuple[Membership, Role]]:
    """A user's memberships across tenants, with their roles."""
    memberships = await Membership.filter(user_id=user_id).order_by("created_at")
    roles = {r.id: r for r in await Role.filter(id__in=[m.role_id for m in memberships])}
    return [(m, roles[m.role_id]) for m in memberships]
