"""Tenant registry: provision (schema, tables, roles, owner) in one transaction; suspend, resume."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

import asyncpg
from tortoise.transactions import in_transaction

from wabotiq.auth.access import AccessChange, access_changed
from wabotiq.auth.api_keys import create_api_key
from wabotiq.auth.members import add_member, check_password
from wabotiq.auth.models import MembershipStatus, User
from wabotiq.auth.passwords import hash_password
from wabotiq.auth.roles import seed_default_roles
from wabotiq.auth.scopes import ALL_SCOPES, OWNER_ROLE
from wabotiq.db.migrator import apply_pending
from wabotiq.tenancy.context import TenantRef
from wabotiq.tenancy.errors import TenancyError, TenancyErrorCode
from wabotiq.tenancy.models import Tenant, TenantStatus

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TENANT_ID_RE = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class ProvisionedTenant:
    tenant: Tenant
    owner: User
    api_key: str
    # Whether `owner_password` became the owner's password (an existing user keeps their own).
    owner_password_set: bool = False


def tenant_ref(tenant: Tenant) -> TenantRef:
    return TenantRef.of(tenant.id)


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


async def create_schema(connection: asyncpg.Connection, schema: str) -> None:
    """Create a tenant schema and bring it to the latest version, in the caller's transaction."""
    await connection.execute(f"CREATE SCHEMA {schema}")
    await apply_pending(connection, schema=schema, scope="tenant")


async def find_tenant(ref: str) -> Tenant | None:
    """A tenant by id or slug."""
    ref = ref.strip().lower()
    if TENANT_ID_RE.match(ref):
        tenant = await Tenant.get_or_none(id=ref)
        if tenant is not None:
            return tenant
    if SLUG_RE.match(ref):
        return await Tenant.get_or_none(slug=ref)
    return None


async def get_tenant(ref: str) -> Tenant:
    tenant = await find_tenant(ref)
    if tenant is None:
        raise TenancyError(TenancyErrorCode.NOT_FOUND, f"No tenant {ref!r}.")
    return tenant


async def list_tenants() -> list[Tenant]:
    return await Tenant.all().order_by("created_at", "id")


async def set_status(*, ref: str, status: TenantStatus) -> Tenant:
    """Suspend or resume a tenant; a suspended tenant's requests are refused, its sockets closed."""
    tenant = await get_tenant(ref)
    if tenant.status == status:
        return tenant
    tenant.status = status
    await tenant.save(update_fields=["status", "updated_at"])
    change = (
        AccessChange.TENANT_SUSPENDED
        if status == TenantStatus.SUSPENDED
        else AccessChange.TENANT_RESUMED
    )
    await access_changed(tenant_id=tenant.id, change=change, subject_id=tenant.id)
    return tenant


async def tenants_by_id(ids: list[str]) -> dict[str, Tenant]:
    if not ids:
        return {}
    return {tenant.id: tenant for tenant in await Tenant.filter(id__in=ids)}
