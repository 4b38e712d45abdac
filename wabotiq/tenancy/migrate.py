"""`wabotiq migrate`: the shared schema, then every tenant schema in parallel batches, then the
spare schemas kept for new tenants."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from wabotiq.db.connection import get_pool
from wabotiq.db.migrations import PACKAGE, latest
from wabotiq.db.migrator import applied_version, apply_pending, migrate_public
from wabotiq.tenancy.spares import drop_spare, spare_names

logger = logging.getLogger(__name__)


@dataclass
class MigrationReport:
    public_applied: int = 0
    migrated: list[str] = field(default_factory=list)
    up_to_date: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    # Spares brought up to date, and spares dropped because they could not be (the spare keeper
    # makes new ones; a spare is worth nothing until it matches the tenants).
    spares_migrated: int = 0
    spares_dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


async def _tenant_schemas() -> list[tuple[str, str]]:
    async with get_pool().acquire() as connection:
        rows = await connection.fetch("SELECT id, slug FROM public.tenants ORDER BY created_at, id")
    return [(f"t_{row['id']}", row["slug"]) for row in rows]


async def _migrate_tenant(schema: str, target: int, root: str) -> bool:
    """Migrate one schema; False when it already was at `target` (checked without a lock)."""
    async with get_pool().acquire() as connection:
        if await applied_version(connection, schema) >= target:
            return False
        async with connection.transaction():
            return bool(await apply_pending(connection, schema=schema, scope="tenant", root=root))


async def _migrate_spare(name: str, target: int, root: str) -> bool:
    """Migrate one spare unless it is being claimed (its claim migrates it then)."""
    async with get_pool().acquire() as connection:
        if await applied_version(connection, name) >= target:
            return False
        async with connection.transaction():
            held = await connection.fetchval(
                "SELECT name FROM public.spare_schemas WHERE name = $1 FOR UPDATE SKIP LOCKED",
                name,
            )
            if held is None:
                return False
            return bool(await apply_pending(connection, schema=name, scope="tenant", root=root))


async def _migrate_spares(report: MigrationReport, target: int, root: str) -> None:
    for name in await spare_names():
        try:
            report.spares_migrated += await _migrate_spare(name, target, root)
        except Exception as exc:  # noqa: BLE001 - a spare that cannot migrate is replaced
            logger.warning(
                "spare schema migration failed", extra={"schema": name, "error": str(exc)}
            )
            async with get_pool().acquire() as connection:
                report.spares_dropped += await drop_spare(connection, name)


async def migrate_all(
    *,
    concurrency: int = 8,
    on_progress: Callable[[str, str], None] | None = None,
    root: str = PACKAGE,
) -> MigrationReport:
    """Migrate public and every tenant, from the migrations under `root`; one tenant's failure
    never stops the others."""
    report = MigrationReport(public_applied=await migrate_public(root=root))
    target = latest("tenant", root)
    gate = asyncio.Semaphore(concurrency)

    async def run(schema: str, slug: str) -> None:
        async with gate:
            try:
                changed = await _migrate_tenant(schema, target, root)
            except Exception as exc:  # noqa: BLE001 - reported per tenant, never fatal
                logger.warning("tenant migration failed", extra={"tenant": slug, "error": str(exc)})
                report.failed[slug] = f"{type(exc).__name__}: {exc}"
                outcome = "failed"
            else:
                if changed:
                    report.migrated.append(slug)
                else:
                    report.up_to_date += 1
                outcome = "migrated" if changed else "up-to-date"
            if on_progress is not None:
                on_progress(slug, outcome)

    await asyncio.gather(*(run(schema, slug) for schema, slug in await _tenant_schemas()))
    await _migrate_spares(report, target, root)
    return report
