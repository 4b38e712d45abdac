"""The demo tenant: made on first start with the demo catalog, found again on the next."""

from __future__ import annotations

import uuid
from pathlib import Path

from wabotiq.core.settings import Settings
from wabotiq.db.connection import get_pool
from wabotiq.demo import ensure_demo_tenant
from wabotiq.domain.catalog.importer import load_demo_catalog
from wabotiq.tenancy.service import find_tenant, tenant_ref

DEMO = load_demo_catalog()
TABLES = ("products", "variants", "categories", "stock_movements", "outbox")


async def _counts(schema: str) -> dict[str, int]:
    async with get_pool().acquire() as connection:
        return {t: await connection.fetchval(f"SELECT count(*) FROM {schema}.{t}") for t in TABLES}


async def test_the_demo_tenant_starts_with_the_demo_catalog(
    settings: Settings, tmp_path: Path, db: None
) -> None:
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    demo_settings = settings.model_copy(
        update={
            "demo_tenant_slug": slug,
            "demo_owner_email": f"{slug}@example.com",
            "data_dir": tmp_path,
        }  # fmt: skip
    )
    credentials = await ensure_demo_tenant(demo_settings)
    tenant = await find_tenant(credentials["tenant_id"])
    assert tenant is not None
    counts = await _counts(tenant_ref(tenant).schema)
    assert counts["products"] == len(DEMO["products"])
    # A second start finds it and imports nothing again.
    assert await ensure_demo_tenant(demo_settings) == credentials
    assert await _counts(tenant_ref(tenant).schema) == counts
