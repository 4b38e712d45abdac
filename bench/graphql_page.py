"""A 50-product page through /graphql (full auth + tenant stack) against raw asyncpg + Starlette.

    python bench/graphql_page.py [--requests 400] [--rounds 4] [--queries FILE]

One process, one run: seeds a tenant with 50 products (3 variants each) in 5 categories,
then serves the same page (a) through `/graphql` with an API key, the fast executor on,
(b) the same with the fast executor's plans never compiled (`compiled.py` off, through
`FastExecutionContext.compile_plans`, which only this benchmark turns off), (c) with
graphql-core's standard executor, and (d) as JSON by a plain Starlette endpoint running four
asyncpg queries. Requests are driven straight through ASGI (no client library in between), in
alternating rounds. The last line is `graphql_rps=… raw_rps=… ratio=…` (ratio = graphql / raw,
with the fast executor); the line before it gives what compiled plans add to the executor's
gain over the standard one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wabotiq.app import create_app  # noqa: E402
from wabotiq.core.settings import Settings, generate_secrets  # noqa: E402
from wabotiq.db.bootstrap import Database, connect  # noqa: E402
from wabotiq.db.connection import close_db, credentials_from_url, get_pool  # noqa: E402
from wabotiq.db.scratch import throwaway_database  # noqa: E402
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.graphql.executor import FastExecutionContext  # noqa: E402

PAGE_QUERY = """
query Page($first: Int!) {
  products(first: $first) {
    totalCount
    edges {
      cursor
      node {
        id sku name stock
        price { amount currency }
        category { name }
        variants { sku stock }
      }
    }
  }
}
"""

RAW_PAGE = """
SELECT id, sku, name, description, stock, active, tags::text, price, sale_price, currency,
       category_id
FROM products WHERE archived_at IS NULL ORDER BY created_at DESC, id LIMIT $1
"""


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": str(amount), "currency": currency}


def raw_app(pool: asyncpg.Pool) -> Starlette:
    """The baseline: the same rows from a pool fixed to the tenant's schema, hand-built JSON."""

    async def page(request: Request) -> Response:
        async with pool.acquire() as connection:
            products = await connection.fetch(RAW_PAGE, 50)
            ids = [p["id"] for p in products]
            total = await connection.fetchval(
                "SELECT count(*) FROM products WHERE archived_at IS NULL"
            )
            variants = await connection.fetch(
                "SELECT id, product_id, sku, attributes::text, stock, price FROM variants"
                " WHERE product_id = ANY($1) AND archived_at IS NULL ORDER BY position, id",
                ids,
            )
            categories = await connection.fetch(
                "SELECT id, name FROM categories WHERE id = ANY($1)",
                list({p["category_id"] for p in products if p["category_id"]}),
            )
        by_product: dict[Any, list[dict[str, Any]]] = {}
        for v in variants:
            by_product.setdefault(v["product_id"], []).append(v)
        names = {c["id"]: c["name"] for c in categories}
        edges = []
        for p in products:
            currency = p["currency"]
            edges.append(
                {
                    "cursor": str(p["id"]),
                    "node": {
                        "id": str(p["id"]),
                        "sku": p["sku"],
                        "name": p["name"],
                        "stock": p["stock"],
                        "price": _money(p["price"], currency),
                        "category": {"name": names[p["category_id"]]} if p["category_id"] else None,
                        "variants": [
                            {"sku": v["sku"], "stock": v["stock"]}
                            for v in by_product.get(p["id"], [])
                        ],
                    },
                }
            )
        body = {"data": {"products": {"totalCount": total, "edges": edges}}}
        return Response(json.dumps(body), media_type="application/json")

    return Starlette(routes=[Route("/raw", page, methods=["POST"])])


async def seed(schema: str, *, products: int = 50, variants: int = 3) -> None:
    async with get_pool().acquire() as connection, connection.transaction():
        await connection.execute(f"SET LOCAL search_path TO {schema}, extensions")
        categories = [(uuid.uuid4(), f"Category {i}", f"category-{i}") for i in range(5)]
        await connection.executemany(
            "INSERT INTO categories (id, name, slug) VALUES ($1, $2, $3)", categories
        )
        for i in range(products):
            product_id = uuid.uuid4()
            await connection.execute(
                "INSERT INTO products (id, sku, name, description, category_id, price,"
                " sale_price, currency, stock, tags, attributes)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, 'KES', $8, $9::jsonb, '{}'::jsonb)",
                product_id,
                f"SKU-{i:04d}",
                f"Product {i}",
                f"A fine product number {i}, 8GB RAM, 256GB storage",
                categories[i % 5][0],
                Decimal(10_000 + i * 250),
                Decimal(9_500 + i * 250) if i % 3 == 0 else None,
                i % 7,
                json.dumps(["phone", f"tag{i % 4}"]),
            )
            await connection.executemany(
                "INSERT INTO variants (id, product_id, sku, attributes, price, stock, position)"
                " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
                [
                    (
                        uuid.uuid4(),
                        product_id,
                        f"SKU-{i:04d}-{j}",
                        json.dumps({"colour": ["black", "blue", "green"][j], "storage": "128GB"}),
                        Decimal(10_100 + i * 250) if j == 2 else None,
                        j,
                        j,
                    )
                    for j in range(variants)
                ],
            )


async def call(app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """One request straight through ASGI; returns the body (asserting 200)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    chunks: list[bytes] = []
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {b''.join(chunks)[:300]!r}")
    return b"".join(chunks)


async def measure(app: Any, path: str, body: bytes, headers: Any, n: int) -> float:
    return (await measure_with_cpu(app, path, body, headers, n))[0]


async def measure_with_cpu(
    app: Any, path: str, body: bytes, headers: Any, n: int
) -> tuple[float, float]:
    """Requests per second (wall clock), and this process's CPU milliseconds per request:
    less disturbed by other work on the machine, though it leaves out the database's."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await call(app, path, body, headers)
    return n / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / n


class UncompiledExecutionContext(FastExecutionContext):
    """The fast executor with every plan interpreted step by step."""

    compile_plans = False


def without_compiled_plans(app: Any) -> Any:
    """`app` (built with the fast executor) switched to never compiling its plans."""
    # the HTTP and WebSocket routes share one view
    views = {id(r.endpoint): r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql"}
    for view in views.values():
        if view.schema.execution_context_class is not FastExecutionContext:
            raise RuntimeError("the app was not built with the fast executor")
        view.schema.execution_context_class = UncompiledExecutionContext
    if not views:
        raise RuntimeError("no /graphql route")
    return app


def count_fields(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


async def run(args: argparse.Namespace, database_url: str) -> dict[str, float]:
    base = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        cost_bucket_capacity=10_000_000,
        cost_restore_rate=1_000_000,
        **generate_secrets(),  # type: ignore[arg-type]
    )
    await connect(base, Database(url=database_url, embedded=None))
    try:
        made = await create_tenant(name="Bench", slug="bench", owner_email="bench@example.com")
        schema = f"t_{made.tenant.id}"
        await seed(schema)
        fast = create_app(base, database_url=database_url, manage_db=False)
        uncompiled = without_compiled_plans(
            create_app(base, database_url=database_url, manage_db=False)
        )
        standard = create_app(
            base.model_copy(update={"fast_executor": False}),
            database_url=database_url,
            manage_db=False,
        )
        raw_pool = await asyncpg.create_pool(
            **_connect_args(database_url),
            min_size=1,
            max_size=4,
            server_settings={"search_path": f"{schema}, extensions"},
        )
        raw = raw_app(raw_pool)
        query = PAGE_QUERY
        if args.queries:
            query = Path(args.queries).read_text()
        body = json.dumps({"query": query, "variables": {"first": 50}}).encode()
        headers = [
            (b"x-tenant-id", made.tenant.id.encode()),
            (b"x-tenant-api-key", made.api_key.encode()),
        ]
        sample = json.loads(await call(fast, "/graphql", body, headers))
        if sample.get("errors"):
            raise RuntimeError(f"the page query failed: {sample['errors']}")
        for other in (standard, uncompiled):
            same = json.loads(await call(other, "/graphql", body, headers))
            if same["data"] != sample["data"]:
                raise RuntimeError("the executors disagree on the page")
        raw_body = json.loads(await call(raw, "/raw", b"{}", []))
        fields = count_fields(sample["data"])
        print(f"page: {len(raw_body['data']['products']['edges'])} products, {fields} fields")
        modes = {
            "fast": (fast, "/graphql", body, headers),
            "uncompiled": (uncompiled, "/graphql", body, headers),
            "standard": (standard, "/graphql", body, headers),
            "raw": (raw, "/raw", b"{}", []),
        }
        for app, path, req, hdrs in modes.values():
            await measure(app, path, req, hdrs, 30)  # warm-up
        results: dict[str, list[float]] = {name: [] for name in modes}
        cpu: dict[str, list[float]] = {name: [] for name in modes}
        for round_no in range(args.rounds):
            order = list(modes) if round_no % 2 == 0 else list(reversed(modes))
            for name in order:
                app, path, req, hdrs = modes[name]
                rps, cpu_ms = await measure_with_cpu(app, path, req, hdrs, args.requests)
                results[name].append(rps)
                cpu[name].append(cpu_ms)
            print(
                f"round {round_no + 1}: "
                + "  ".join(f"{k}={v[-1]:.0f} rps/{cpu[k][-1]:.2f} ms" for k, v in results.items())
            )
        medians = {k: statistics.median(v) for k, v in results.items()}
        print(
            "median CPU ms per request (this process): "
            + "  ".join(f"{k}={statistics.median(v):.2f}" for k, v in cpu.items())
        )
        return {
            "graphql_rps": medians["fast"],
            "graphql_uncompiled_rps": medians["uncompiled"],
            "graphql_standard_rps": medians["standard"],
            "raw_rps": medians["raw"],
        }
    finally:
        if "raw_pool" in locals():
            await raw_pool.close()
        await close_db()


def _connect_args(url: str) -> dict[str, Any]:
    creds = credentials_from_url(url)
    creds["password"] = creds["password"] or None
    return creds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per round and mode")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--queries", help="a file holding the GraphQL page query to use")
    args = parser.parse_args()
    with throwaway_database(os.environ.get("DATABASE_URL") or None, prefix="wabotiq_bench") as url:
        figures = asyncio.run(run(args, url))
    ratio = figures["graphql_rps"] / figures["raw_rps"]
    standard_ratio = figures["graphql_standard_rps"] / figures["raw_rps"]
    print(
        f"standard executor: {figures['graphql_standard_rps']:.0f} rps, ratio {standard_ratio:.2f}"
    )
    fast, uncompiled = figures["graphql_rps"], figures["graphql_uncompiled_rps"]
    standard = figures["graphql_standard_rps"]
    share = (fast - uncompiled) / (fast - standard) if fast != standard else float("nan")
    print(
        f"compiled plans: fast {fast:.0f} rps, without compiled plans {uncompiled:.0f} rps;"
        f" executor gain {fast / standard:.2f}x, compiled share of it {share:.0%}"
    )
    print(
        f"graphql_rps={figures['graphql_rps']:.0f} raw_rps={figures['raw_rps']:.0f} "
        f"ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
