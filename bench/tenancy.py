"""Tenancy benchmark: provisioning, no-op `migrate_all`, and per-request tenant-routing overhead.

    .venv/bin/python bench/tenancy.py [--tenants 500] [--requests 2000] [--queries FILE]

Provisioning is measured three ways in one run: with no spare schema (every table created, the
path before spares and the fallback when the pool is empty: the baseline), with a spare ready
(the pool refilled between sign-ups, as the keeper does in the background; not timed), and with
a spare holding twice today's tables (each table copied by one more migration, standing in for
the agent, payments and store-sync tables to come), against creating such a schema outright.

Uses a throwaway embedded Postgres unless DATABASE_URL is set; then it creates a scratch
database on that server and drops it afterwards. Everything it seeds lives in that database.

Routing overhead compares the full /graphql stack (API key auth, tenant lookup, GraphQL) with
the real pool, whose `setup` runs `SET search_path` on every acquire, against the same app on a
second pool with no `setup` and `search_path` fixed at connect time (server_settings). The ORM
client's pool is swapped between rounds, so both modes share one process, app and warm caches.

The last line of output is `provision_ms=<with a spare> provision_2x_ms=<twice the tables>
provision_cold_ms=<no spare> migrate_noop_s=<y> routing_overhead=<z>`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from tortoise import connections

from wabotiq.app import create_app
from wabotiq.auth.passwords import hash_password
from wabotiq.core.settings import Settings, generate_secrets
from wabotiq.core.tenant import tenant_context
from wabotiq.db.bootstrap import Database, connect
from wabotiq.db.connection import close_db, get_pool
from wabotiq.db.migrations import PACKAGE, latest
from wabotiq.db.scratch import throwaway_database
from wabotiq.domain.tenants.provisioning import ProvisionedTenant, create_tenant
from wabotiq.tenancy import spares
from wabotiq.tenancy.migrate import migrate_all
from wabotiq.tenancy.service import tenant_ref

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERY = "{ roles(first: 10) { edges { node { name scopes } } } me { scopes } }"
ROUTING_TENANTS = 8  # requests alternate over this many tenants
COLD_TENANTS = 50  # provisioned with no spare (the baseline)
GROWN_TENANTS = 50  # provisioned from spares with twice the tables
POOL = 3  # the default SPARE_SCHEMAS
BLOCKS = 10  # the run is reported in this many consecutive blocks, to show its spread


# --------------------------------------------------------------------------- database


@contextmanager
def database() -> Iterator[tuple[str, str]]:
    """(url, description): embedded Postgres, or a scratch database on DATABASE_URL's server."""
    external = os.environ.get("DATABASE_URL") or None
    with throwaway_database(external, prefix="wabotiq_bench") as url:
        where = "scratch database on DATABASE_URL's server" if external else "embedded Postgres"
        yield url, f"{where} (throwaway)"


async def server_version() -> str:
    async with get_pool().acquire() as connection:
        return str(await connection.fetchval("SHOW server_version"))


# --------------------------------------------------------------------------- statistics


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def fmt_ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):7.2f}  mean {statistics.fmean(values):7.2f}  "
        f"p95 {pct(values, 95):7.2f}  min {min(values):7.2f}  max {max(values):7.2f} ms"
    )


# --------------------------------------------------------------------------- 1. provisioning


async def provision(
    count: int, *, spare_root: str | None = PACKAGE, label: str = ""
) -> tuple[list[ProvisionedTenant], list[float]]:
    """Create `count` tenants one after another, as `wabotiq tenants create` does. With a
    `spare_root`, the pool is topped up from those migrations before each one (not timed);
    with None, the pool stays empty and each tenant creates its schema."""
    run = secrets.token_hex(3)
    made: list[ProvisionedTenant] = []
    times: list[float] = []
    for i in range(count):
        if spare_root is not None:
            await spares.refill(POOL, root=spare_root)
        slug = f"bench{label}-{run}-{i:04d}"
        start = time.perf_counter()
        made.append(
            await create_tenant(
                name=f"Bench {i}", slug=slug, owner_email=f"owner-{slug}@bench.test"
            )
        )
        times.append((time.perf_counter() - start) * 1000)
        if (i + 1) % 100 == 0:
            print(f"  ... {i + 1}/{count} tenants", flush=True)
    if spare_root is not None:
        await drop_spares()
    return made, times


async def drop_spares() -> None:
    async with get_pool().acquire() as connection:
        for name in await spares.spare_names():
            await spares.drop_spare(connection, name)


async def cold_schema_ms(root: str, count: int) -> list[float]:
    """Creating and migrating a schema outright (a spare's making), from `root`'s migrations."""
    times = []
    async with get_pool().acquire() as connection:
        for _ in range(count):
            start = time.perf_counter()
            await spares.create_spare(connection, root=root)
            times.append((time.perf_counter() - start) * 1000)
    await drop_spares()
    return times


async def grown_migrations(data_dir: Path) -> str:
    """A migrations package: the real ones, then one that copies every tenant table (with its
    indexes, constraints and defaults), so a schema holds twice today's tables."""
    async with get_pool().acquire() as connection:
        probe = await spares.create_spare(connection)
        tables = [
            row["relname"]
            for row in await connection.fetch(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
                probe,
            )
            if row["relname"] != "schema_migrations"
        ]
    await drop_spares()
    root = f"bench_grown_{secrets.token_hex(4)}"
    for scope in ("public", "tenant"):
        package = data_dir / root / scope
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        real = importlib.import_module(f"{PACKAGE}.{scope}")
        for version in range(1, latest(scope) + 1):
            [name] = [p.stem for p in Path(real.__path__[0]).glob(f"m{version:04d}_*.py")]
            (package / f"{name}.py").write_text(f"from {real.__name__}.{name} import SQL\n")
    copies = ";\n".join(f"CREATE TABLE {t}_grown (LIKE {t} INCLUDING ALL)" for t in tables)
    grown = data_dir / root / "tenant" / f"m{latest('tenant') + 1:04d}_grown.py"
    grown.write_text(f"SQL = {copies!r}\n")
    (data_dir / root / "__init__.py").write_text("")
    sys.path.insert(0, str(data_dir))
    return root


async def relations(root: str) -> int:
    """Tables, indexes and sequences in a schema made from `root`'s migrations."""
    async with get_pool().acquire() as connection:
        name = await spares.create_spare(connection, root=root)
        count = await connection.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = $1",
            name,
        )
    await drop_spares()
    return int(count)


# --------------------------------------------------------------------------- 2. migrate


async def migrate_noop(count: int, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        report = await migrate_all()
        times.append(time.perf_counter() - start)
        if not report.ok or report.migrated or report.up_to_date != count:
            raise SystemExit(f"migrate_all was not a no-op: {report}")
    return times


def migrate_cli(url: str, data_dir: Path) -> tuple[float, str]:
    """Wall time of `wabotiq migrate` as a subprocess (interpreter start, imports, pool, run)."""
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir)}
    exe = Path(sys.executable).with_name("wabotiq")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wabotiq.cli"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "migrate"],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"wabotiq migrate failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


# --------------------------------------------------------------------------- 3. routing


@dataclass
class Request:
    body: dict[str, Any]
    headers: dict[str, str]


async def fixed_pool(schema: str) -> asyncpg.Pool:
    """The same pool parameters as the app's, but no `setup` and a fixed search_path."""
    client: Any = connections.get("default")
    template = dict(client._template)
    template.pop("setup", None)
    template["server_settings"] = {
        **template.get("server_settings", {}),
        "search_path": f"{schema}, public",
    }
    return await asyncpg.create_pool(None, password=client.password, **template)


async def search_path_of(tenant: ProvisionedTenant) -> str:
    with tenant_context(tenant_ref(tenant.tenant)):
        async with get_pool().acquire() as connection:
            return str(await connection.fetchval("SHOW search_path"))


async def timed_post(client: httpx.AsyncClient, request: Request) -> float:
    start = time.perf_counter()
    response = await client.post("/graphql", json=request.body, headers=request.headers)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200 or b'"errors"' in response.content:
        raise SystemExit(f"/graphql returned {response.status_code}: {response.text[:500]}")
    return elapsed


async def check(client: httpx.AsyncClient, requests: list[Request]) -> None:
    for request in requests:
        response = await client.post("/graphql", json=request.body, headers=request.headers)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SystemExit(f"query failed ({response.status_code}): {json.dumps(body)[:800]}")


async def settle_database() -> None:
    """Fresh planner statistics and a checkpoint, so autovacuum and the checkpointer stay idle."""
    async with get_pool().acquire() as connection:
        await connection.execute("ANALYZE")
        await connection.execute("CHECKPOINT")


async def routing(
    settings: Settings, url: str, tenants: list[ProvisionedTenant], queries: list[str], total: int
) -> dict[str, list[float]]:
    """Each request is sent once per mode, back to back, the order alternating (ABBA)."""
    app = create_app(settings, database_url=url, manage_db=False)
    chosen = tenants[:: max(1, len(tenants) // ROUTING_TENANTS)][:ROUTING_TENANTS]
    requests = [
        request_for(chosen[i % len(chosen)], queries[(i // len(chosen)) % len(queries)])
        for i in range(len(chosen) * len(queries))
    ]
    await settle_database()
    client_db: Any = connections.get("default")
    routed = client_db._pool
    fixed = await fixed_pool(tenant_ref(chosen[0].tenant).schema)
    pools = {"routed": routed, "fixed": fixed}
    times: dict[str, list[float]] = {mode: [] for mode in pools}
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for mode, pool in pools.items():
                client_db._pool = pool
                paths = {await search_path_of(t) for t in chosen[:2]}
                print(f"  {mode:6s} pool: search_path on acquire for 2 tenants = {sorted(paths)}")
                await check(http, requests)  # every tenant and query answers without errors
                for i in range(200):  # warm up
                    await timed_post(http, requests[i % len(requests)])
            gc.collect()
            for i in range(total):
                request = requests[i % len(requests)]
                for mode in ("routed", "fixed") if i % 2 == 0 else ("fixed", "routed"):
                    client_db._pool = pools[mode]
                    times[mode].append(await timed_post(http, request))
    finally:
        client_db._pool = routed
        await fixed.close()
    return times


class CountingPool:
    """Delegates to a pool and counts acquires (the ORM client acquires once per query)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.acquires = 0

    def acquire(self) -> Any:
        self.acquires += 1
        return self.pool.acquire()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)


async def diagnose(
    settings: Settings, url: str, tenants: list[ProvisionedTenant], queries: list[str]
) -> tuple[float, float]:
    """(pool acquires per request, ms per `SET search_path` round trip)."""
    app = create_app(settings, database_url=url, manage_db=False)
    client_db: Any = connections.get("default")
    routed = client_db._pool
    counter = CountingPool(routed)
    client_db._pool = counter
    sample = tenants[:4]
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as http:
            for t in sample:  # first use of a key writes last_used_at; not counted
                await timed_post(http, request_for(t, queries[0]))
            counter.acquires = 0
            for t in sample:
                for q in queries:
                    await timed_post(http, request_for(t, q))
    finally:
        client_db._pool = routed
    per_request = counter.acquires / (len(sample) * len(queries))
    schema = tenant_ref(tenants[0].tenant).schema
    # SET LOCAL in a transaction: a session-level SET would outlive this connection's routing.
    async with routed.acquire() as connection, connection.transaction():
        for _ in range(100):
            await connection.execute(f"SET LOCAL search_path TO {schema}, extensions")
        start = time.perf_counter()
        for _ in range(1000):
            await connection.execute(f"SET LOCAL search_path TO {schema}, extensions")
        set_ms = time.perf_counter() - start  # 1000 round trips: seconds == ms each
    return per_request, set_ms


def request_for(tenant: ProvisionedTenant, query: str) -> Request:
    return Request(
        body={"query": query, "variables": {}},
        headers={"X-Tenant-ID": tenant.tenant.id, "X-Tenant-API-Key": tenant.api_key},
    )


def block_ratios(routed: list[float], fixed: list[float], blocks: int) -> list[float]:
    size = max(1, len(routed) // blocks)
    return [
        sum(routed[i : i + size]) / sum(fixed[i : i + size]) for i in range(0, len(routed), size)
    ]


# --------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace, url: str, where: str, data_dir: Path) -> str:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        data_dir=data_dir,
        # The per-key cost budget would throttle a benchmark loop; routing is what is measured.
        cost_bucket_capacity=1_000_000_000,
        cost_restore_rate=1e9,
        **generate_secrets(),  # type: ignore[arg-type]
    )
    queries = [DEFAULT_QUERY]
    if args.queries:
        queries = [line.strip() for line in Path(args.queries).read_text().splitlines()]
        queries = [q for q in queries if q and not q.startswith("#")]
        if not queries:
            raise SystemExit(f"{args.queries}: no queries")

    await connect(settings, Database(url=url, embedded=None))
    try:
        print(f"database: {where}, PostgreSQL {await server_version()}")
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"pool min/max {settings.db_pool_min}/{settings.db_pool_max}"
        )

        print("\n1. provisioning tenants sequentially (create_tenant, no password)")
        cold_n = min(COLD_TENANTS, args.tenants)
        cold_tenants, cold = await provision(cold_n, spare_root=None, label="c")
        print(f"  no spare ({cold_n}, every table created): {fmt_ms(cold)}")
        tenants, prov = await provision(args.tenants)
        edge = min(50, len(prov))
        print(f"  a spare ready ({args.tenants}): {fmt_ms(prov)}")
        print(
            f"    first {edge} mean {statistics.fmean(prov[:edge]):.2f} ms, "
            f"last {edge} mean {statistics.fmean(prov[-edge:]):.2f} ms, "
            f"timed total {sum(prov) / 1000:.1f} s"
        )
        grown = await grown_migrations(data_dir)
        base_relations, grown_relations = await relations(PACKAGE), await relations(grown)
        grown_n = min(GROWN_TENANTS, args.tenants)
        grown_tenants, prov2x = await provision(grown_n, spare_root=grown, label="g")
        print(
            f"  a spare with twice the tables ({grown_relations} relations, "
            f"today {base_relations}) ready ({grown_n}): {fmt_ms(prov2x)}"
        )
        schema_1x = await cold_schema_ms(PACKAGE, 10)
        schema_2x = await cold_schema_ms(grown, 10)
        print(
            f"  creating a schema outright: today's tables median "
            f"{statistics.median(schema_1x):.2f} ms, twice the tables "
            f"{statistics.median(schema_2x):.2f} ms (what a sign-up waits for with no spare)"
        )
        all_tenants = len(cold_tenants) + len(tenants) + len(grown_tenants)
        start = time.perf_counter()
        for _ in range(3):
            hash_password("correct horse battery")
        argon = (time.perf_counter() - start) / 3 * 1000
        print(f"  (with --owner-password add one argon2 hash: {argon:.1f} ms)")

        print(f"\n2. no-op migrate_all over {all_tenants} tenants (concurrency 8)")
        mig = await migrate_noop(all_tenants)
        print("  in-process runs: " + ", ".join(f"{t:.3f} s" for t in mig))
        migrate_s = statistics.median(mig)
        if args.no_cli:
            print("  `wabotiq migrate` subprocess: skipped (--no-cli)")
        else:
            wall, out = migrate_cli(url, data_dir)
            print(
                f"  `wabotiq migrate` subprocess wall time {wall:.3f} s (incl. start-up) -> {out}"
            )

        print(
            f"\n3. routing overhead: {len(queries)} quer{'y' if len(queries) == 1 else 'ies'} "
            f"over {ROUTING_TENANTS} tenants, sequential requests, each sent in both modes "
            "back to back (ABBA order)"
        )
        for q in queries[:3]:
            print(f"  query: {q[:110]}")
        times = await routing(settings, url, tenants, queries, args.requests)
        routed, fixed = times["routed"], times["fixed"]
        ratio = sum(routed) / sum(fixed)
        rounds = block_ratios(routed, fixed, BLOCKS)
        print(f"  routed (setup SET search_path per acquire): n={len(routed)}")
        print(f"    {fmt_ms(routed)}")
        print(f"  fixed  (no setup, search_path at connect):  n={len(fixed)}")
        print(f"    {fmt_ms(fixed)}")
        print(
            f"  routed/fixed total time {ratio:.3f}x, p50 "
            f"{statistics.median(routed) / statistics.median(fixed):.3f}x, "
            f"{BLOCKS} blocks {min(rounds):.3f}..{max(rounds):.3f}x "
            f"(median {statistics.median(rounds):.3f}x); "
            f"+{statistics.fmean(routed) - statistics.fmean(fixed):.3f} ms/request"
        )
        acquires, set_ms = await diagnose(settings, url, tenants, queries)
        print(
            f"  where it goes: {acquires:.1f} pool acquires per request (one per ORM query), "
            f"each running `SET search_path` first ({set_ms:.3f} ms per round trip) "
            f"=> ~{acquires * set_ms:.2f} ms/request expected"
        )
    finally:
        await close_db()

    provision_ms = statistics.median(prov)
    print(
        f"\nsummary: provision median {provision_ms:.2f} ms with a spare (target <= 30), "
        f"{statistics.median(prov2x):.2f} ms with twice the tables (target <= 50), "
        f"{statistics.median(cold):.2f} ms with none; "
        f"no-op migrate {migrate_s:.3f} s (target <= 5), routing {ratio:.3f}x (target <= 1.25)"
    )
    return (
        f"provision_ms={provision_ms:.2f} provision_2x_ms={statistics.median(prov2x):.2f} "
        f"provision_cold_ms={statistics.median(cold):.2f} migrate_noop_s={migrate_s:.3f} "
        f"routing_overhead={ratio:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500, help="tenants to provision")
    parser.add_argument(
        "--requests", type=int, default=3000, help="measured requests per mode (routed, fixed)"
    )
    parser.add_argument("--queries", help="file with one GraphQL query per line")
    parser.add_argument("--no-cli", action="store_true", help="skip the `wabotiq migrate` run")
    args = parser.parse_args()
    if args.tenants < 1:
        parser.error("--tenants must be at least 1")
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="wabotiq-bench-"))
    try:
        with database() as (url, where):
            last = asyncio.run(bench(args, url, where, data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"total run time {time.perf_counter() - started:.1f} s")
    print(last)
    return 0


if __name__ == "__main__":
    sys.exit(main())
