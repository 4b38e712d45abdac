"""Spare tenant schemas: claimed by provisioning with a rename, refilled by the keeper on NOTIFY,
kept current by `migrate_all`, and never needed (an empty pool creates the schema)."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.migrations import PROBE_LATEST, REAL_LATEST, older_migrations
from tests.support.migrations import probe_migrations as build_probe_migrations
from tests.support.polling import eventually
from wabotiq.core.settings import Settings
from wabotiq.db import migrations, migrator
from wabotiq.db.connection import credentials_from_url, get_pool
from wabotiq.domain.tenants.provisioning import ProvisionedTenant, create_tenant
from wabotiq.runtime import Runtime
from wabotiq.tenancy import spares
from wabotiq.tenancy.migrate import migrate_all


async def _fetchval(sql: str, *args: Any) -> Any:
    async with get_pool().acquire() as connection:
        return await connection.fetchval(sql, *args)


async def _version(schema: str) -> int:
    async with get_pool().acquire() as connection:
        return await migrator.applied_version(connection, schema)


async def _tables(schema: str) -> list[str]:
    async with get_pool().acquire() as connection:
        rows = await connection.fetch(
            "SELECT c.relname, c.relkind FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"
            " ORDER BY 1, 2",
            schema,
        )
    return [f"{row['relname']}:{row['relkind']}" for row in rows]


async def _schema_exists(schema: str) -> bool:
    return await _fetchval("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema)


async def _drop_all_spares() -> None:
    async with get_pool().acquire() as connection:
        for name in await spares.spare_names():
            assert await spares.drop_spare(connection, name)


@pytest.fixture
async def pool(db: None) -> AsyncIterator[None]:
    """An empty pool before and after each test: the rest of the suite provisions without one."""
    await _drop_all_spares()
    yield
    await _drop_all_spares()


async def _tenant(prefix: str, index: int = 0) -> ProvisionedTenant:
    slug = f"{prefix}-{index}"
    return await create_tenant(name=slug, slug=slug, owner_email=f"{slug}@example.com")


def _prefix() -> str:
    return f"sp{uuid.uuid4().hex[:6]}"


async def test_provisioning_claims_the_oldest_spare_by_rename(pool: None) -> None:
    assert await spares.refill(2) == 2
    oldest, newest = await spares.spare_names()
    blank = await _tables(oldest)

    made = await _tenant(_prefix())

    schema = made.tenant.schema_name
    assert await spares.spare_names() == [newest]
    assert not await _schema_exists(oldest)
    # The tenant's schema is that spare, renamed: the same relations, at the latest version.
    assert await _tables(schema) == blank
    assert await _version(schema) == REAL_LATEST
    # And it works as a tenant schema: the trigger on its outbox fires under the new name.
    async with get_pool().acquire() as connection:
        await connection.execute(
            f"INSERT INTO {schema}.outbox (aggregate_type, aggregate_id, event_type, payload)"
            " VALUES ('probe', 'p1', 'probe.made', '{}')"
        )
        assert await connection.fetchval(f"SELECT count(*) FROM {schema}.outbox") == 1


async def test_an_empty_pool_creates_the_schema_as_before(pool: None) -> None:
    assert await spares.spare_names() == []
    made = await _tenant(_prefix())
    schema = made.tenant.schema_name
    assert await _version(schema) == REAL_LATEST
    # The same relations a spare has (a spare is no different from a created schema).
    await spares.refill(1)
    [spare] = await spares.spare_names()
    assert await _tables(schema) == await _tables(spare)


async def test_concurrent_signups_take_different_spares_and_the_rest_create(pool: None) -> None:
    await spares.refill(2)
    listed = set(await spares.spare_names())
    prefix = _prefix()

    made = await asyncio.gather(*(_tenant(prefix, i) for i in range(5)))

    schemas = {m.tenant.schema_name for m in made}
    assert len(schemas) == 5
    assert await spares.spare_names() == []
    for name in listed:
        assert not await _schema_exists(name)
    for schema in schemas:
        assert await _version(schema) == REAL_LATEST


def _latest_relation() -> str:
    """A table or index the latest tenant migration creates: a spare made before it lacks it
    (`to_regclass` finds either)."""
    created = re.search(
        r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) (?:IF NOT EXISTS )?(\w+)",
        migrations.load("tenant")[-1].sql,
    )
    if created is None:
        raise AssertionError("the latest tenant migration creates no table or index to look for")
    return created.group(1)


LATEST_RELATION = _latest_relation()


async def test_a_stale_spare_is_brought_up_to_date_by_its_claim(
    pool: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spare made by the previous release, which lacked the latest tenant migration.
    older = older_migrations(tmp_path, monkeypatch)
    async with get_pool().acquire() as connection:
        name = await spares.create_spare(connection, root=older)
    assert await _version(name) == REAL_LATEST - 1
    assert not await _fetchval("SELECT to_regclass($1) IS NOT NULL", f"{name}.{LATEST_RELATION}")

    made = await _tenant(_prefix())

    schema = made.tenant.schema_name
    assert await _version(schema) == REAL_LATEST
    assert await _fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.{LATEST_RELATION}")


async def test_a_listed_spare_that_vanished_is_skipped(pool: None) -> None:
    await spares.refill(2)
    gone, kept = await spares.spare_names()
    async with get_pool().acquire() as connection:
        await connection.execute(f"DROP SCHEMA {gone} CASCADE")

    made = await _tenant(_prefix())

    assert await _version(made.tenant.schema_name) == REAL_LATEST
    assert await spares.spare_names() == []
    assert not await _schema_exists(kept)


async def test_refill_tops_up_trims_and_runs_once_at_a_time(pool: None) -> None:
    assert await spares.refill(3) == 3
    assert await spares.refill(3) == 0
    oldest, *newer = await spares.spare_names()
    assert await spares.refill(2) == 0
    assert await spares.spare_names() == newer
    assert not await _schema_exists(oldest)

    # Another process refilling (it holds the lock): this one leaves the pool alone.
    async with get_pool().acquire() as other:
        await other.execute("SELECT pg_advisory_lock(hashtext($1))", spares.REFILL_LOCK)
        try:
            assert await spares.refill(5) == 0
        finally:
            await other.execute("SELECT pg_advisory_unlock(hashtext($1))", spares.REFILL_LOCK)
    assert len(await spares.spare_names()) == 2


async def test_migrate_all_brings_spares_current_and_replaces_broken_ones(
    pool: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_probe_migrations(tmp_path, monkeypatch)
    await spares.refill(2)
    healthy, broken = await spares.spare_names()
    # The second probe migration alters audit_log, which the broken spare no longer has.
    async with get_pool().acquire() as connection:
        await connection.execute(f"DROP TABLE {broken}.audit_log")

    try:
        report = await migrate_all(concurrency=8, root=root)
        assert report.spares_migrated == 1
        assert report.spares_dropped == 1
        assert broken not in report.failed  # a spare is replaced, not reported as a tenant
        assert await spares.spare_names() == [healthy]
        assert await _version(healthy) == PROBE_LATEST
        assert await _fetchval("SELECT to_regclass($1) IS NOT NULL", f"{healthy}.migrate_probe")
        assert not await _schema_exists(broken)

        again = await migrate_all(concurrency=8, root=root)
        assert (again.spares_migrated, again.spares_dropped) == (0, 0)
    finally:
        await _drop_all_spares()
        await _revert_probe_migrations()


async def _revert_probe_migrations() -> None:
    """The probe migrations reached every tenant of the session too: undo them there."""
    async with get_pool().acquire() as connection:
        schemas = [
            row["nspname"]
            for row in await connection.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{12}$'"
            )
        ]
        for schema in schemas:
            async with connection.transaction():
                await connection.execute(f"DROP TABLE IF EXISTS {schema}.migrate_probe")
                await connection.execute(
                    f"ALTER TABLE IF EXISTS {schema}.audit_log DROP COLUMN IF EXISTS probe_note"
                )
                await connection.execute(
                    f"DELETE FROM {schema}.schema_migrations WHERE version > $1", REAL_LATEST
                )


async def test_a_migration_being_run_on_a_spare_is_not_claimed(pool: None) -> None:
    await spares.refill(1)
    [name] = await spares.spare_names()
    async with get_pool().acquire() as migrating, migrating.transaction():
        # What `migrate_all` holds while it migrates a spare.
        await migrating.fetchval(
            "SELECT name FROM public.spare_schemas WHERE name = $1 FOR UPDATE", name
        )
        made = await asyncio.wait_for(_tenant(_prefix()), timeout=20)
    assert await _schema_exists(name)  # not taken: provisioning created its own schema
    assert made.tenant.schema_name != name
    assert await spares.spare_names() == [name]


async def test_the_keeper_refills_when_a_spare_is_claimed(
    pool: None, settings: Settings, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # At INFO, as `wabotiq up` logs: the keeper logs each refill, and a bad log call would
    # end its task after the first one.
    caplog.set_level(logging.INFO, logger="wabotiq.tenancy.spares")
    credentials = credentials_from_url(database_url)
    credentials["password"] = credentials["password"] or None
    # An interval of an hour: only the claim's NOTIFY can wake it in time.
    keeper = spares.SpareKeeper(target=2, listen_dsn=credentials, interval_s=3600)
    await keeper.start()
    try:
        await eventually(lambda: _count_is(2), "the keeper filled the pool at start")
        first = set(await spares.spare_names())

        made = await _tenant(_prefix())

        assert await _version(made.tenant.schema_name) == REAL_LATEST
        await eventually(lambda: _count_is(2), "the keeper refilled after the claim")
        now = set(await spares.spare_names())
        assert len(now - first) == 1  # one new spare replaced the claimed one

        async def both_refills_logged() -> bool:
            # Logged once a refill returns, a moment after its last spare is listed.
            refills = [r for r in caplog.records if r.getMessage() == "spare schemas created"]
            return [r.spares_created for r in refills] == [2, 1]

        await eventually(both_refills_logged, "the keeper logged both refills")
    finally:
        await keeper.stop()


async def test_an_api_process_keeps_spares_when_settings_ask(
    settings: Settings, database_url: str, pool: None
) -> None:
    runtime = Runtime.from_settings(settings.model_copy(update={"spare_schemas": 1}))
    await runtime.start_background(database_url)
    try:
        assert runtime.spares is not None
        await eventually(lambda: _count_is(1), "the API process made a spare")
    finally:
        await runtime.stop_background()
    assert runtime.spares is None

    idle = Runtime.from_settings(settings)  # the suite's settings: SPARE_SCHEMAS=0
    await idle.start_background(database_url)
    try:
        assert idle.spares is None
    finally:
        await idle.stop_background()


async def _count_is(count: int) -> bool:
    return len(await spares.spare_names()) == count
