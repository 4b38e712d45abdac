"""The app a local chat talks to, started the way `wabotiq up` starts one: the database
(embedded unless DATABASE_URL), migrations, the demo tenant on first use, the search index."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from wabotiq.app import create_app
from wabotiq.core.settings import Settings
from wabotiq.db.bootstrap import connect, resolve_database
from wabotiq.db.connection import close_db
from wabotiq.demo import ensure_demo_tenant
from wabotiq.search.runtime import get_engine
from wabotiq.tenancy.migrate import migrate_all
from wabotiq.tenancy.service import find_tenant


@asynccontextmanager
async def local_app(
    settings: Settings, *, tenant: str | None
) -> AsyncIterator[tuple[Any, tuple[str, str] | None]]:
    """The app (its lifespan not started) and the tenant's id and name, None when `tenant`
    (id or slug; default the demo tenant, made if missing) does not exist."""
    database = resolve_database(settings)
    try:
        await connect(settings, database)
        try:
            report = await migrate_all(concurrency=settings.migrate_concurrency)
            if not report.ok:
                print(f"warning: tenant migrations failed: {report.failed}", file=sys.stderr)
            app = create_app(settings, database_url=database.url, manage_db=False)
            found = await _tenant(settings, tenant)
            if found is not None:
                await _indexed(found[0])
            yield app, found
        finally:
            await close_db()
    finally:
        database.stop()


async def _tenant(settings: Settings, ref: str | None) -> tuple[str, str] | None:
    slug = settings.demo_tenant_slug
    row = await find_tenant(ref or slug)
    if row is None and (ref is None or ref.strip().lower() == slug):
        await ensure_demo_tenant(settings)
        row = await find_tenant(slug)
    return None if row is None else (row.id, row.name)


async def _indexed(tenant_id: str) -> None:
    """Search is the assistant's eyes: build the tenant's index now if it has none (or one
    from another embedding model), as `wabotiq up` does at start."""
    engine = get_engine()
    if await engine.state(tenant_id) != engine.wanted_state:
        print("Indexing the catalog for search (once)…", file=sys.stderr, flush=True)
        await engine.ensure_indexed(tenant_id)
