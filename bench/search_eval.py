"""Search evaluation: retrieval quality on multilingual customer messages, and latency at scale.

    .venv/bin/python bench/search_eval.py [--queries FILE.jsonl] [--backend postgres|elasticsearch]
    .venv/bin/python bench/search_eval.py --scale [--products 10000] [--tenants 100]

Quality mode seeds the demo catalog into a fresh tenant, indexes it with the configured embedder
(the offline one unless OPENAI_API_KEY/GEMINI_API_KEY are set), then runs every line of the
queries file that has `expect_any` (format of conversations_sample.jsonl; `prev` messages are the
conversation the query inherits) through the same `SearchEngine.search` the API and the agent use.
A line is a hit at k when any `expect_any` SKU or service code is among the top k; MRR counts the
first expected item's rank within the top 10. Lines marked `"no_match": true` ask for something
the shop does not sell: they count as right when the engine says `no_match` (a line of their
own, `no_match=right/total`). Last line:
`recall@5=… mrr=… hit@1=… p50_ms=… p95_ms=…` (latency of the whole search: understanding, query
embedding, retrieval).

Scale mode loads `--products` synthetic products into one tenant beside `--tenants` other small
tenants and times, for the same queries in the same run, the hybrid retrieval statement against a
plain full-text query over the same index. Last line: `hybrid_p95_ms=… fulltext_p95_ms=… ratio=…`.

Uses a throwaway embedded Postgres unless DATABASE_URL is set (then a scratch database on it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = ROOT / "bench" / "data" / "conversations_sample.jsonl"
TOP = 10

os.environ.setdefault("OMP_NUM_THREADS", "1")

from wabotiq.core.settings import Settings, generate_secrets, load_settings  # noqa: E402
from wabotiq.core.tenant import TenantRef  # noqa: E402
from wabotiq.db.bootstrap import Database, connect  # noqa: E402
from wabotiq.db.connection import close_db, tenant_connection  # noqa: E402
from wabotiq.db.scratch import throwaway_database  # noqa: E402
from wabotiq.domain.catalog.importer import import_into_tenant  # noqa: E402
from wabotiq.domain.tenants.provisioning import create_tenant  # noqa: E402
from wabotiq.search.engine import SearchEngine  # noqa: E402
from wabotiq.search.postgres.queries import terms_of, tsquery_text  # noqa: E402
from wabotiq.search.runtime import make_engine  # noqa: E402
from wabotiq.search.types import SearchFilter, SearchRequest  # noqa: E402
from wabotiq.search.understanding import understand  # noqa: E402


@contextmanager
def database():
    external = os.environ.get("DATABASE_URL") or None
    with throwaway_database(external, prefix="wabotiq_bench") as url:
        yield url


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load_queries(path: Path) -> list[dict[str, Any]]:
    return [line for line in read_lines(path) if line.get("expect_any")]


def hit_codes(hits: list[Any]) -> list[str]:
    """The SKU or service code of each hit (a product's code lists its SKU first)."""
    return [hit.code.split()[0] if hit.code else hit.title for hit in hits]


async def new_tenant(name: str) -> str:
    made = await create_tenant(
        name=name,
        slug=f"{name.lower()}-{uuid.uuid4().hex[:6]}",
        owner_email=f"owner-{uuid.uuid4().hex[:8]}@example.com",
        owner_password="bench password 123",
    )
    return made.tenant.id


def demo_catalog() -> dict[str, Any]:
    return json.loads(resources.files("wabotiq").joinpath("data/demo_catalog.json").read_text())


def rank_of(codes: list[str], expected: set[str]) -> int | None:
    return next((i for i, code in enumerate(codes, 1) if code in expected), None)


def scores(ranks: list[int | None]) -> tuple[float, float, float]:
    """(recall@5, MRR over the top 10, hit@1)."""
    n = len(ranks)
    return (
        sum(1 for r in ranks if r is not None and r <= 5) / n,
        statistics.fmean(1 / r if r else 0.0 for r in ranks),
        sum(1 for r in ranks if r == 1) / n,
    )


async def ablations(engine: SearchEngine, tenant_id: str, queries: list[dict[str, Any]]) -> None:
    """What each part adds: the same queries without understanding, and without vectors."""
    variants: dict[str, list[int | None]] = {"raw message, hybrid": [], "understood, lexical": []}
    for line in queries:
        expected = set(line["expect_any"])
        raw = " ".join([*line.get("prev", ()), line["text"]])
        vector = (await engine.embedder.embed_queries([raw]))[0]
        hits = await engine.backend.search(tenant_id, SearchRequest(raw, vector, k=TOP))
        variants["raw message, hybrid"].append(rank_of(hit_codes(hits), expected))
        understood = understand(line["text"], line.get("prev", ()))
        request = SearchRequest(
            understood.text or line["text"],
            None,
            SearchFilter(price_min=understood.price_min, price_max=understood.price_max,
                         in_stock=understood.in_stock),
            k=TOP,
        )  # fmt: skip
        hits = await engine.backend.search(tenant_id, request)
        variants["understood, lexical"].append(rank_of(hit_codes(hits), expected))
    for name, ranks in variants.items():
        recall, mrr, hit1 = scores(ranks)
        print(f"ablation {name:<22} recall@5={recall:.3f} mrr={mrr:.3f} hit@1={hit1:.3f}")


async def unmatched(engine: SearchEngine, tenant_id: str, lines: list[dict[str, Any]]) -> None:
    """How many of the lines asking for what the shop does not sell are answered `no_match`."""
    right = 0
    for line in lines:
        results = await engine.search(tenant_id, line["text"], context=line.get("prev", ()))
        flagged = getattr(results, "no_match", False)
        right += flagged
        codes = hit_codes(results.hits)
        print(f"{'ok ' if flagged else 'MISS'} no_match {line['text']!r} -> {codes[:5]}")
    print(f"no_match={right}/{len(lines)}", flush=True)


async def quality(
    engine: SearchEngine,
    queries: list[dict[str, Any]],
    *,
    ablate: bool = False,
    nothing: list[dict[str, Any]] | None = None,
) -> str:
    tenant_id = await new_tenant("Demo")
    await import_into_tenant(tenant=TenantRef.of(tenant_id), data=demo_catalog())
    started = time.perf_counter()
    entries = await engine.reindex(tenant_id)
    index_s = time.perf_counter() - started
    print(f"indexed {entries} entries in {index_s:.1f} s with {engine.embedder.model}", flush=True)
    await engine.search(tenant_id, "warm up")
    ranks: list[int | None] = []
    latencies: list[float] = []
    for line in queries:
        started = time.perf_counter()
        results = await engine.search(tenant_id, line["text"], context=line.get("prev", ()),
                                      first=TOP)  # fmt: skip
        latencies.append((time.perf_counter() - started) * 1000)
        codes = hit_codes(results.hits)
        rank = rank_of(codes, set(line["expect_any"]))
        ranks.append(rank)
        mark = "ok " if rank and rank <= 5 else "MISS"
        print(
            f"{mark} rank={rank or '-':>2} {line['text']!r} -> {results.understood.text!r}"
            f" {codes[:5]}",
            flush=True,
        )
    if ablate:
        await ablations(engine, tenant_id, queries)
    if nothing:
        await unmatched(engine, tenant_id, nothing)
    recall, mrr, hit1 = scores(ranks)
    return (
        f"recall@5={recall:.3f} mrr={mrr:.3f} hit@1={hit1:.3f}"
        f" p50_ms={pct(latencies, 50):.1f} p95_ms={pct(latencies, 95):.1f}"
    )


WORDS = {
    "Laptop": ["HP", "Dell", "Lenovo", "Acer", "Asus", "Apple", "MSI", "Huawei"],
    "Phone": ["Samsung", "Tecno", "Infinix", "Xiaomi", "Nokia", "Oppo", "Vivo", "Itel"],
    "TV": ["TCL", "Vitron", "Hisense", "Samsung", "LG", "Sony", "Skyworth", "Synix"],
    "Headphones": ["Oraimo", "Sony", "JBL", "Anker", "Apple", "Samsung", "Bose", "Edifier"],
    "Fridge": ["Hotpoint", "Ramtons", "Mika", "Von", "LG", "Bruhm", "Haier", "Samsung"],
    "Sneakers": ["Nike", "Adidas", "Puma", "Bata", "Reebok", "Vans", "Converse", "Fila"],
}
SPECS = ["Pro", "Max", "Lite", "Plus", "Mini", "Ultra", "Neo", "Air", "Prime", "Go"]


def synthetic_products(count: int, rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    kinds = list(WORDS)
    for n in range(count):
        kind = kinds[n % len(kinds)]
        brand = rng.choice(WORDS[kind])
        name = f"{brand} {kind} {rng.choice(SPECS)} {n % 997}"
        description = (
            f"{brand} {kind.lower()} {rng.choice(SPECS).lower()} edition, model {n}, "
            f"{rng.choice(['black', 'silver', 'blue', 'white'])}, warranty 1 year"
        )
        price = Decimal(rng.randrange(500, 250_000, 50))
        rows.append((uuid.uuid4(), f"SYN-{n:06d}", name, description, price, rng.randrange(0, 9)))
    return rows


async def seed_products(tenant_id: str, rows: list[tuple[Any, ...]]) -> None:
    async with tenant_connection(tenant_id) as connection:
        await connection.copy_records_to_table(
            "products",
            records=[(*row, "KES") for row in rows],
            columns=["id", "sku", "name", "description", "price", "stock", "currency"],
        )


async def scale(
    engine: SearchEngine, queries: list[dict[str, Any]], args: argparse.Namespace
) -> str:
    rng = random.Random(7)
    print(f"provisioning {args.tenants} other tenants…", flush=True)
    for n in range(args.tenants):
        other = await new_tenant(f"Other{n}")
        await seed_products(other, synthetic_products(10, rng))
        await engine.reindex(other)
    tenant_id = await new_tenant("Big")
    await import_into_tenant(tenant=TenantRef.of(tenant_id), data=demo_catalog())
    await seed_products(tenant_id, synthetic_products(args.products, rng))
    started = time.perf_counter()
    entries = await engine.reindex(tenant_id)
    print(f"indexed {entries} entries in {time.perf_counter() - started:.1f} s", flush=True)
    texts = [line["text"] for line in queries]
    vectors = await engine.embedder.embed_queries(texts)
    hybrid: list[float] = []
    fulltext: list[float] = []
    backend = engine.backend
    async with tenant_connection(tenant_id) as connection:
        for _ in range(args.rounds):
            for text, vector in zip(texts, vectors, strict=True):
                request = SearchRequest(text=text, vector=vector, k=TOP)
                started = time.perf_counter()
                await backend.search(tenant_id, request)
                hybrid.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await connection.fetch(FULLTEXT_SQL, tsquery_text(terms_of(text)), TOP)
                fulltext.append((time.perf_counter() - started) * 1000)
    h95, f95 = pct(hybrid, 95), pct(fulltext, 95)
    print(f"hybrid p50 {pct(hybrid, 50):.2f} ms, full text p50 {pct(fulltext, 50):.2f} ms")
    return f"hybrid_p95_ms={h95:.2f} fulltext_p95_ms={f95:.2f} ratio={h95 / f95:.2f}"


# The plain full-text baseline: one ranked tsvector query over the same index.
FULLTEXT_SQL = """
SELECT kind, entity_id, title FROM search_entries e, to_tsquery('simple', public.search_fold($1)) q
WHERE e.tsv @@ q ORDER BY ts_rank_cd(e.tsv, q) DESC, e.id LIMIT $2
"""


async def main(args: argparse.Namespace) -> str:
    queries = load_queries(Path(args.queries))
    nothing = [line for line in read_lines(Path(args.queries)) if line.get("no_match")]
    with database() as url:
        overrides: dict[str, Any] = {"database_url": url, **generate_secrets()}
        if args.backend == "postgres":
            overrides["elasticsearch_url"] = None
        settings: Settings = load_settings(**overrides)
        if args.backend == "elasticsearch" and not settings.elasticsearch_url:
            sys.exit("--backend elasticsearch needs ELASTICSEARCH_URL")
        await connect(settings, Database(url=url, embedded=None))
        engine = make_engine(settings)
        print(f"backend={engine.backend.name} embedder={engine.embedder.model}", flush=True)
        try:
            if args.scale:
                return await scale(engine, queries, args)
            return await quality(engine, queries, ablate=args.ablations, nothing=nothing)
        finally:
            await engine.backend.close()
            await close_db()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=str(DEFAULT_QUERIES))
    parser.add_argument("--backend", choices=["postgres", "elasticsearch"], default="postgres")
    parser.add_argument("--scale", action="store_true")
    parser.add_argument(
        "--ablations", action="store_true", help="also score without understanding / vectors"
    )
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


if __name__ == "__main__":
    print(asyncio.run(main(parse())))
