"""The demo tenant `wabotiq up` creates on first start, and its saved local credentials."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from wabotiq.core.settings import Settings
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.tenancy.service import find_tenant, tenant_ref


def _credentials_file(settings: Settings) -> Path:
    return settings.data_dir / "demo-credentials.json"


async def ensure_demo_tenant(settings: Settings) -> dict[str, str]:
    """Create the demo tenant once; return its login and API key (kept in the data dir)."""
    path = _credentials_file(settings)
    if await find_tenant(settings.demo_tenant_slug) is not None and path.exists():
        return json.loads(path.read_text())
    password = secrets.token_urlsafe(12)
    made = await create_tenant(
        name="Duka Smart Electronics & Beauty",
        slug=settings.demo_tenant_slug,
        owner_email=settings.demo_owner_email,
        owner_password=password,
        languages=["en", "sw", "sheng"],
    )
    await import_into_tenant(tenant=tenant_ref(made.tenant), data=load_demo_catalog())
    credentials = {
        "tenant_id": made.tenant.id,
        "slug": made.tenant.slug,
        "owner_email": made.owner.email,
        "owner_password": password,
        "api_key": made.api_key,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(credentials, indent=2))
    return credentials
