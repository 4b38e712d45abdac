"""Tenant registry: find, list, suspend and resume tenants; create a tenant's schema with every
table (provisioning, which also makes the owner and roles, is `wabotiq.domain.tenants`)."""

from __future__ import annotations

import re

import asyncpg

from wabotiq.core.tenant import TenantRef
from wabotiq.db.migrator import apply_pending
from wabotiq.tenancy.access import AccessChange, access_changed
from wabotiq.tenancy.errors import TenancyError, TenancyErrorCode
from wabotiq.tenancy.models import Tenant, TenantStatus
from wabotiq.tenancy.spares import claim_spare

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TENANT_ID_RE = re.compile(r"^[0-9a-f]{12}$")


def tenant_ref(tenant: Tenant) -> TenantRef:
    return TenantRef.of(tenant.id)


async def create_schema(connection: asyncpg.Connection, schema: str) -> None:
    """Claim a spare schema as `schema` (or create it when none is free) and bring it to the
    latest version, in the caller's transaction."""
    if not await claim_spare(connection, schema):
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


async def active_tenant_ids() -> list[str]:
    """The ids of tenants not suspended, for work that visits every tenant."""
    active = Tenant.filter(status=TenantStatus.ACTIVE).order_by("id")
    rows = await active.values_list("id", flat=True)
    return [str(row) for row in rows]


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
