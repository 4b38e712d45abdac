"""Loaders of tenants: one query per request for every tenant it shows."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.resolvers.tenancy.types import Tenant
from wabotiq.tenancy.models import Tenant as TenantModel
from wabotiq.tenancy.service import tenants_by_id


async def _tenants_by_id(keys: list[str]) -> list[TenantModel | None]:
    found = await tenants_by_id(keys)
    return [found.get(key) for key in keys]


def TenantByIdLoader() -> DataLoader[str, TenantModel | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_tenants_by_id)


class TenancyLoaders:
    """The tenancy area's loaders for one request, and its objects for other areas."""

    @cached_property
    def tenant_by_id(self) -> DataLoader[str, TenantModel | None]:
        return TenantByIdLoader()

    async def tenant(self, tenant_id: str) -> Tenant | None:
        found = await self.tenant_by_id.load(tenant_id)
        return Tenant.from_model(found) if found else None

    def tenant_of(self, tenant: TenantModel) -> Tenant:
        """The tenant a caller already holds the row of (it primes the loader too)."""
        self.tenant_by_id.prime(tenant.id, tenant)
        return Tenant.from_model(tenant)
