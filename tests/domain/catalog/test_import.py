"""Catalog import: by SKU and category name, idempotent, through the function and the CLI (the
CLI's refusals are tested in `tests/e2e/test_cli.py`, the demo tenant in `tests/test_demo.py`)."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import MakeTenant, TenantFixture
from wabotiq.core.settings import Settings
from wabotiq.db.connection import get_pool
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog
from wabotiq.tenancy.service import tenant_ref

DEMO = load_demo_catalog()
TABLES = ("products", "variants", "categories", "stock_movements", "outbox")


def _ref(tenant: TenantFixture) -> Any:
    return tenant_ref(tenant.provisioned.tenant)


async def _counts(schema: str) -> dict[str, int]:
    async with get_pool().acquire() as connection:
        return {t: await connection.fetchval(f"SELECT count(*) FROM {schema}.{t}") for t in TABLES}


async def _cli(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update(DATABASE_URL=database_url, DATA_DIR=str(tmp_path / "data"))
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "wabotiq.cli", "catalog", "import", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_import_twice_changes_nothing_the_second_time(
    make_tenant: MakeTenant, database_url: str, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    schema = _ref(tenant).schema
    first = await import_into_tenant(tenant=_ref(tenant), data=DEMO)
    variants = sum(len(p.get("variants") or []) for p in DEMO["products"])
    categories = {p["category"] for p in DEMO["products"]}
    assert (first.created, first.updated, first.unchanged) == (len(DEMO["products"]), 0, 0)
    assert first.categories_created == len(categories)
    after_first = await _counts(schema)
    assert after_first["products"] == len(DEMO["products"])
    assert after_first["variants"] == variants
    assert after_first["categories"] == len(categories)

    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(DEMO))
    done = await _cli(
        "--tenant", tenant.slug, str(path), database_url=database_url, tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed.pop("bookings")["services_unchanged"] == len(DEMO["services"])
    assert printed == {
        "created": 0,
        "updated": 0,
        "unchanged": len(DEMO["products"]),
        "skipped_archived": 0,
        "categories_created": 0,
    }
    assert await _counts(schema) == after_first


async def test_reimport_updates_by_sku_without_duplicates(make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    ref = _ref(tenant)
    await import_into_tenant(tenant=ref, data=DEMO)
    before = await _counts(ref.schema)

    changed = copy.deepcopy(DEMO)
    products = {p["sku"]: p for p in changed["products"]}
    products["LP-HP-PAV-G15"].update(price="47000", stock=9, tags=["gaming"])
    products["PH-SAM-A54"]["variants"][0]["stock"] = 1  # was 6
    violet = {"sku": "PH-SAM-A54-VIO", "attributes": {"color": "Violet"}, "stock": 2}
    products["PH-SAM-A54"]["variants"].append(violet)
    changed["products"].append(
        {"sku": "NEW-1", "name": "Brand new", "category": "Gadgets", "price": "10", "stock": 1}
    )
    report = await import_into_tenant(tenant=ref, data=changed)

    assert (report.created, report.updated, report.categories_created) == (1, 2, 1)
    after = await _counts(ref.schema)
    assert after["products"] == before["products"] + 1
    assert after["variants"] == before["variants"] + 1
    async with get_pool().acquire() as connection:
        hp = await connection.fetchrow(
            f"SELECT price, stock, tags::text FROM {ref.schema}.products WHERE sku = $1",
            "LP-HP-PAV-G15",
        )
        a54 = await connection.fetchval(
            f"SELECT stock FROM {ref.schema}.products WHERE sku = 'PH-SAM-A54'"
        )
        reasons = await connection.fetch(
            f"SELECT reason, delta FROM {ref.schema}.stock_movements WHERE reason = 'import'"
            " ORDER BY id"
        )
    assert (hp["price"], hp["stock"], json.loads(hp["tags"])) == (47000, 9, ["gaming"])
    assert a54 == 1 + 4 + 2  # its variants' total
    assert sorted(r["delta"] for r in reasons) == [-5, 5]
    # And the changed file is now the state: importing it again changes nothing.
    again = await import_into_tenant(tenant=ref, data=changed)
    assert (again.created, again.updated) == (0, 0)
