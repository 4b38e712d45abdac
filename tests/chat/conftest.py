"""A shop with the demo catalog, indexed, behind the suite's app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import OWNER_PASSWORD
from wabotiq.chat.shop import LocalShop
from wabotiq.core.tenant import TenantRef
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.search.runtime import get_engine


@pytest.fixture(scope="package")
async def demo_tenant(db: None) -> str:
    """A tenant with the demo catalog, searchable (the assistant searches it)."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    made = await create_tenant(
        name="Duka Smart Electronics & Beauty",
        slug=slug,
        owner_email=f"owner-{slug}@example.com",
        owner_password=OWNER_PASSWORD,
        languages=["en", "sw", "sheng"],
    )
    await import_into_tenant(tenant=TenantRef.of(made.tenant.id), data=load_demo_catalog())
    await get_engine().reindex(made.tenant.id)
    return made.tenant.id


@pytest.fixture
async def shop(app: Any, demo_tenant: str) -> AsyncIterator[LocalShop]:
    async with LocalShop.open(app, tenant_id=demo_tenant) as opened:
        yield opened
