"""GraphQL types of the tenancy area."""

from __future__ import annotations

from enum import Enum

import strawberry

from wabotiq.graphql.relay import to_global_id
from wabotiq.tenancy.models import Tenant as TenantModel


@strawberry.enum(description="Whether a tenant may use the platform.")
class TenantStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="In service.")
    SUSPENDED = strawberry.enum_value("suspended", description="Every request is refused.")


@strawberry.type(description="A business on the platform, with its own isolated data.")
class Tenant:
    id: strawberry.ID = strawberry.field(description="Global ID of the tenant.")
    tenant_id: str = strawberry.field(description="The value to send as `X-Tenant-ID`.")
    slug: str = strawberry.field(description="Short unique name, also accepted as `X-Tenant-ID`.")
    name: str = strawberry.field(description="Display name.")
    status: TenantStatus = strawberry.field(description="Whether the tenant is in service.")
    timezone: str = strawberry.field(description="IANA time zone, e.g. Africa/Nairobi.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. KES.")
    languages: list[str] = strawberry.field(description="Languages customers use, e.g. en, sw.")

    @classmethod
    def from_model(cls, tenant: TenantModel) -> Tenant:
        return cls(
            id=to_global_id("Tenant", tenant.id),
            tenant_id=tenant.id,
            slug=tenant.slug,
            name=tenant.name,
            status=TenantStatus(tenant.status),
            timezone=tenant.timezone,
            currency=tenant.currency,
            languages=list(tenant.languages),
        )


@strawberry.type(description="A permission a role or API key can grant.")
class Scope:
    name: str = strawberry.field(description="The scope, e.g. orders:view.")
    description: str = strawberry.field(description="What the scope allows.")
