"""Provision a tenant: its row, its schema with every table, its roles, owner and first API key,
in one transaction. Provisioning spans the tenant registry and auth, so it sits above both."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from wabotiq.auth.api_keys import create_api_key
from wabotiq.auth.members import add_member, check_password
from wabotiq.auth.models import MembershipStatus, User
from wabotiq.auth.passwords import hash_password
from wabotiq.auth.roles import seed_default_roles
from wabotiq.auth.scopes import ALL_SCOPES, OWNER_ROLE
from wabotiq.tenancy.errors import TenancyError, TenancyErrorCode
from wabotiq.tenancy.models import Tenant
from wabotiq.tenancy.service import SLUG_RE, create_schema, tenant_ref


@dataclass(frozen=True, slots=True)
class ProvisionedTenant:
    tenant: Tenant
    owner: User
    api_key: str
    # Whether `owner_password` became the owner's password (an existing user keeps their own).
    owner_password_set: bool = False


async def create_tenant(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str | None = None,
    timezone: str = "Africa/Nairobi",
    currency: str = "KES",
    languages: list[str] | None = None,
) -> ProvisionedTenant:
    """Create the tenant row, its schema with every table, its roles, owner and first API key."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise TenancyError(TenancyErrorCode.INVALID_SLUG, "Use 2-63 of a-z, 0-9 and '-'.")
    if owner_password is not None:
        check_password(owner_password)
    tenant_id = secrets.token_hex(6)
    async with in_transaction() as txn:
        if await Tenant.filter(slug=slug).exists():
            raise TenancyError(TenancyErrorCode.SLUG_TAKEN, f"Slug {slug!r} is taken.")
        tenant = await Tenant.create(
            id=tenant_id,
            slug=slug,
            name=name,
            timezone=timezone,
            currency=currency,
            languages=languages or ["en", "sw"],
        )
        ref = tenant_ref(tenant)
        await create_schema(txn._connection, ref.schema)
        roles = await seed_default_roles(tenant_id=tenant_id)
        owner_role = next(role for role in roles if role.name == OWNER_ROLE)
        owner, _ = await User.get_or_create(
            email=owner_email.strip().lower(), defaults={"id": uuid.uuid4()}
        )
        password_set = False
        if owner_password is not None and owner.password_hash is None:
            owner.password_hash = hash_password(owner_password)
            await owner.save(update_fields=["password_hash"])
            password_set = True
        await add_member(
            tenant_id=tenant_id, user=owner, role=owner_role, status=MembershipStatus.ACTIVE
        )
        key = await create_api_key(
            tenant_id=tenant_id,
            name="Default key",
            scopes=sorted(ALL_SCOPES),
            granted=ALL_SCOPES,
            created_by=owner.id,
        )
    return ProvisionedTenant(
        tenant=tenant, owner=owner, api_key=key.secret, owner_password_set=password_set
    )
