"""`migrate_all` and `wabotiq migrate` over many tenant schemas, with one that cannot migrate."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.migrations import EXTRA, REAL_LATEST
from tests.support.migrations import probe_migrations as build_probe_migrations
from wabotiq.core.settings import Settings
from wabotiq.db import migrations, migrator
from wabotiq.db.connection import get_pool
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.tenancy.migrate import migrate_all

TENANTS = 200


async def _fetchval(sql: str, *args: Any) -> Any:
    async with get_pool().acquire() as connection:
        return await connection.fetchval(sql, *args)


async def _execute(sql: str, *args: Any) -> None:
    async with get_pool().acquire() as connection:
        await connection.execute(sql, *args)


async def _version(schema: str) -> int:
    async with get_pool().acquire() as connection:
        return await migrator.applied_version(connection, schema)


async def _has_table(schema: str, table: str) -> bool:
    return await _fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.{table}")


async def _has_column(schema: str, table: str, column: str) -> bool:
    return await _fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = $2 AND column_name = $3)",
        schema,
        table,
        column,
    )


async def _provision(count: int, prefix: str) -> dict[str, str]:
    """`count` tenants made by the real provisioning path; returns slug → schema."""
    gate = asyncio.Semaphore(8)

    async def one(index: int) -> tuple[str, str]:
        slug = f"{prefix}-{index:03d}"
        async with gate:
            made = await create_tenant(
                name=f"Migrate {index}", slug=slug, owner_email=f"{slug}@example.com"
            )
        return slug, made.tenant.schema_name

    return dict(await asyncio.gather(*(one(i) for i in range(count))))


async def _drop_tenants(prefix: str) -> None:
    """Remove every tenant (schema, rows, owners) a test made, so later migrate runs skip them."""
    async with get_pool().acquire() as connection:
        ids = await connection.fetch(
            "SELECT id FROM public.tenants WHERE slug LIKE $1", f"{prefix}-%"
        )
        for row in ids:
            await connection.execute(f"DROP SCHEMA IF EXISTS t_{row['id']} CASCADE")
        await connection.execute("DELETE FROM public.tenants WHERE slug LIKE $1", f"{prefix}-%")
        await connection.execute("DELETE FROM public.users WHERE email LIKE $1", f"{prefix}-%")


async def _revert_extra_migrations() -> None:
    """Undo the test migrations wherever they ran (other tests' tenants are migrated too)."""
    async with get_pool().acquire() as connection:
        schemas = [
            row["nspname"]
            for row in await connection.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{12}$'"
            )
        ]
        for schema in schemas:
            if await connection.fetchval(
                "SELECT to_regclass($1) IS NULL", f"{schema}.schema_migrations"
            ):
                continue
            async with connection.transaction():
                await connection.execute(f"DROP TABLE IF EXISTS {schema}.migrate_probe")
                await connection.execute(
                    f"ALTER TABLE IF EXISTS {schema}.audit_log DROP COLUMN IF EXISTS probe_note"
                )
                await connection.execute(
                    f"DELETE FROM {schema}.schema_migrations WHERE version > $1", REAL_LATEST
                )


@pytest.fixture
async def many_tenants(db: None) -> AsyncIterator[tuple[str, dict[str, str]]]:
    prefix = f"mg{uuid.uuid4().hex[:6]}"
    made = await _provision(TENANTS, prefix)
    try:
        yield prefix, made
    finally:
        await _revert_extra_migrations()
        await _drop_tenants(prefix)


@pytest.fixture
def probe_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return build_probe_migrations(tmp_path, monkeypatch)


async def test_migrate_all_applies_pending_reports_failure_and_resumes(
    many_tenants: tuple[str, dict[str, str]], probe_migrations: str
) -> None:
    _, schemas = many_tenants
    assert len(schemas) == TENANTS
    target = REAL_LATEST + len(EXTRA)
    for schema in schemas.values():
        assert await _version(schema) == REAL_LATEST

    broken_slug = sorted(schemas)[TENANTS // 2]
    broken = schemas[broken_slug]
    await _execute(f"DROP TABLE {broken}.audit_log")

    outcomes: dict[str, str] = {}
    report = await migrate_all(
        concurrency=8,
        on_progress=lambda slug, outcome: outcomes.setdefault(slug, outcome),
        root=probe_migrations,
    )

    # Everyone but the broken schema was migrated; the broken one is reported, not fatal.
    assert not report.ok
    assert broken_slug in report.failed
    assert "audit_log" in report.failed[broken_slug]
    assert "UndefinedTable" in report.failed[broken_slug]
    assert set(report.failed) & set(schemas) == {broken_slug}
    assert set(schemas) - {broken_slug} <= set(report.migrated)
    assert {outcomes[slug] for slug in schemas if slug != broken_slug} == {"migrated"}
    assert outcomes[broken_slug] == "failed"
    for slug, schema in schemas.items():
        if slug == broken_slug:
            continue
        assert await _version(schema) == target, slug
        assert await _has_table(schema, "migrate_probe"), slug
        assert await _has_column(schema, "audit_log", "probe_note"), slug

    # One transaction per schema: the first pending migration's table was rolled back too.
    assert await _version(broken) == REAL_LATEST
    assert not await _has_table(broken, "migrate_probe")
    assert (
        await _fetchval(
            f"SELECT count(*) FROM {broken}.schema_migrations WHERE version > $1", REAL_LATEST
        )
        == 0
    )

    # A second run changes nothing that is up to date and still reports the broken one.
    again = await migrate_all(concurrency=8, root=probe_migrations)
    assert not (set(again.migrated) & set(schemas))
    assert set(again.failed) & set(schemas) == {broken_slug}
    assert again.up_to_date >= TENANTS - 1
    assert again.public_applied == 0

    # Fix the broken schema: the next run resumes with just that one.
    async with get_pool().acquire() as connection, connection.transaction():
        await connection.execute(f"SET LOCAL search_path TO {broken}")
        await connection.execute(migrations.load("tenant")[0].sql)
    resumed = await migrate_all(concurrency=8, root=probe_migrations)
    assert resumed.migrated == [broken_slug]
    assert not (set(resumed.failed) & set(schemas))
    assert await _version(broken) == target
    assert await _has_table(broken, "migrate_probe")
    assert await _has_column(broken, "audit_log", "probe_note")

    # And then there is nothing left to do.
    idle = await migrate_all(concurrency=8, root=probe_migrations)
    assert idle.migrated == []
    assert not (set(idle.failed) & set(schemas))
    assert idle.up_to_date >= TENANTS


def _cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment without any WabotIQ setting but DATABASE_URL (no JWT or field keys)."""
    settings = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in settings}
    env.update(DATABASE_URL=database_url, DATA_DIR=str(tmp_path / "data"))
    return env


def _wabotiq() -> list[str]:
    script = Path(sys.executable).with_name("wabotiq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wabotiq.cli"]


async def _run_migrate(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [*_wabotiq(), "migrate", "--concurrency", "4"],
        env=_cli_env(database_url, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
async def cli_tenants(db: None) -> AsyncIterator[tuple[str, dict[str, str]]]:
    prefix = f"mc{uuid.uuid4().hex[:6]}"
    made = await _provision(3, prefix)
    try:
        yield prefix, made
    finally:
        await _drop_tenants(prefix)


async def test_cli_migrate_exit_code_and_json_name_the_failed_tenant(
    cli_tenants: tuple[str, dict[str, str]], database_url: str, tmp_path: Path
) -> None:
    _, schemas = cli_tenants
    pending_slug, broken_slug, fine_slug = sorted(schemas)
    pending, broken = schemas[pending_slug], schemas[broken_slug]
    # A schema created but never migrated: every tenant migration is pending.
    await _execute(f"DROP SCHEMA {pending} CASCADE; CREATE SCHEMA {pending}")
    # A schema that forgot it applied the first migration: re-applying it collides.
    await _execute(f"DELETE FROM {broken}.schema_migrations")
    assert await _version(pending) == 0 and await _version(broken) == 0

    failed_run = await _run_migrate(database_url, tmp_path)
    assert failed_run.returncode != 0, failed_run
    out = json.loads(failed_run.stdout)
    assert broken_slug in out["failed"], out
    assert "audit_log" in out["failed"][broken_slug]
    assert pending_slug not in out["failed"] and fine_slug not in out["failed"]
    assert out["migrated"] >= 1
    assert await _version(pending) == REAL_LATEST
    assert await _has_table(pending, "audit_log")
    assert await _version(broken) == 0  # rolled back, nothing recorded

    # Repair (a schema with nothing applied) and run again: success, exit status zero.
    await _execute(f"DROP SCHEMA {broken} CASCADE; CREATE SCHEMA {broken}")
    ok_run = await _run_migrate(database_url, tmp_path)
    assert ok_run.returncode == 0, ok_run
    out = json.loads(ok_run.stdout)
    assert out["failed"] == {}
    assert out["migrated"] >= 1
    assert await _version(broken) == REAL_LATEST
    assert await _has_table(broken, "audit_log")
