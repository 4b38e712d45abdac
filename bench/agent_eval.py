"""Agent evaluation: whole conversations through the platform, scored on what the customer got.

    .venv/bin/python bench/agent_eval.py [--queries FILE.jsonl] [--show-replies]

Seeds a fresh tenant with the demo catalog (indexed for search) and a local Twilio channel, then
plays each line of the queries file (format of conversations_sample.jsonl: `text`, `intent`,
`lang`, optional `expect_any` and `prev`) as one new customer's conversation: the `prev`
messages, then `text`, each posted as a signed Twilio webhook to the in-process app, queued,
answered by the assistant (the offline tier unless provider keys are set) and captured at a
local Twilio Messages API (`wabotiq.chat.shop.LocalShop`, the same driver as `wabotiq chat`).
The queue is the in-process one whatever REDIS_URL says.

Scores, for the turn that answers `text`:
- intent: the line's `intent` (aliases as the agent names them) against the intent the agent
  recorded for that turn; a label the agent does not know is a miss. Over all lines.
- hit: some `expect_any` SKU or service code is among the items the turn shows (the `shown` list
  the agent recorded) and the reply names that item. Over the lines with `expect_any`. A line of
  its own before the last, `hit_named`, also counts an expected item the reply names without
  the turn listing it (a booking confirmed, a cart line added: the record shows no list then).
- lang: the reply text's language by the agent's own detector: `en` wants English, `sw` Swahili,
  `sheng` Sheng or Swahili, `mixed` anything. Over all lines; no reply is a miss.
- latency: from the webhook POST to the reply's arrival at "Twilio"; over the lines answered.
Last line: `intent_acc=… hit=… lang=… p50_ms=… p95_ms=…`.

Uses a throwaway embedded Postgres unless DATABASE_URL is set (then a scratch database on it).
"""

from __future__ import annotations

import os

# The in-process queue: the turns must run here, against the local Twilio. Before any import
# that builds the broker.
os.environ["REDIS_URL"] = ""
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from wabotiq.agent.understanding.intents import ALIASES, Intent  # noqa: E402
from wabotiq.agent.understanding.language import Register, detect_register  # noqa: E402
from wabotiq.app import create_app  # noqa: E402
from wabotiq.chat.shop import Exchange, LocalShop  # noqa: E402
from wabotiq.core.settings import Settings, generate_secrets, load_settings  # noqa: E402
from wabotiq.core.tenant import TenantRef, tenant_context  # noqa: E402
from wabotiq.db.bootstrap import Database, connect  # noqa: E402
from wabotiq.db.connection import close_db  # noqa: E402
from wabotiq.db.scratch import throwaway_database  # noqa: E402
from wabotiq.domain.assistant.models import Interaction  # noqa: E402
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog  # noqa: E402
from wabotiq.domain.conversations.models import Direction, Message  # noqa: E402
from wabotiq.domain.tenants.provisioning import create_tenant  # noqa: E402
from wabotiq.search.runtime import get_engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = ROOT / "bench" / "data" / "conversations_sample.jsonl"
WARM_UP_PHONE = "+254709999999"
# What each labelled language accepts of the reply's language (`detect_register(...).reply`).
ACCEPTED = {
    "en": {Register.ENGLISH},
    "sw": {Register.SWAHILI},
    "sheng": {Register.SHENG, Register.SWAHILI},
}


@dataclass(frozen=True)
class Recorded:
    """What the agent wrote down about a turn."""

    intent: str | None
    shown: list[dict[str, Any]]  # {"id", "kind", "code", "name", "price"}


async def recorded_turn(tenant_id: str, message_sid: str) -> Recorded | None:
    """The agent's interaction record of the turn that answered the customer message with this
    provider id (the record names the turn's last customer message), None when it recorded
    none. The one place that knows where the agent keeps it."""
    with tenant_context(TenantRef.of(tenant_id)):
        message = await Message.get(provider_message_id=message_sid, direction=Direction.INBOUND)
        row = await Interaction.filter(message_id=message.id).order_by("-id").first()
    if row is None:
        return None
    return Recorded(intent=row.intent, shown=list(row.shown or []))


def gold_intent(label: str) -> str | None:
    """The agent's name for a labelled intent; None when the agent has no such intent."""
    if label in ALIASES:
        return ALIASES[label].value
    return label if label in {intent.value for intent in Intent} else None


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def hit(expected: list[str], shown: list[dict[str, Any]], reply: str) -> bool:
    """Some expected item is among those shown, and the reply names it."""
    wanted = set(expected)
    text = _folded(reply)
    return any(
        item.get("code") in wanted and item.get("name") and _folded(item["name"]) in text
        for item in shown
    )


def named(expected: list[str], names: dict[str, str], reply: str) -> bool:
    """The reply names some expected item, by its catalog name."""
    text = _folded(reply)
    return any(code in names and _folded(names[code]) in text for code in expected)


def catalog_names(catalog: dict[str, Any]) -> dict[str, str]:
    """Each product's and service's name by SKU or service code."""
    products = {item["sku"]: item["name"] for item in catalog.get("products", [])}
    return products | {item["code"]: item["name"] for item in catalog.get("services", [])}


def reply_language(reply: str) -> Register | None:
    return detect_register(reply).reply if reply.strip() else None


def language_ok(label: str, got: Register | None) -> bool:
    if got is None:
        return False
    return label == "mixed" or got in ACCEPTED.get(label, set())


@dataclass(frozen=True)
class Scored:
    line: dict[str, Any]
    exchange: Exchange
    intent: str | None
    hit: bool | None  # None: the line expects no item
    named: bool | None
    language: Register | None

    @property
    def intent_ok(self) -> bool:
        gold = gold_intent(self.line["intent"])
        return gold is not None and self.intent == gold

    @property
    def language_ok(self) -> bool:
        return language_ok(self.line["lang"], self.language)


async def play(shop: LocalShop, line: dict[str, Any], phone: str, names: dict[str, str]) -> Scored:
    """One customer's conversation: the earlier messages, then the one scored."""
    for earlier in line.get("prev", []):
        await shop.send(earlier, phone=phone)
    exchange = await shop.send(line["text"], phone=phone)
    recorded = await recorded_turn(shop.tenant_id, exchange.message_sid)
    reply = "\n".join(exchange.replies)
    expected = line.get("expect_any") or []
    return Scored(
        line=line,
        exchange=exchange,
        intent=recorded.intent if recorded else None,
        hit=hit(expected, recorded.shown if recorded else [], reply) if expected else None,
        named=named(expected, names, reply) if expected else None,
        language=reply_language(reply),
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def _row(scored: Scored) -> str:
    text = scored.line["text"]
    text = text if len(text) <= 38 else text[:37] + "…"
    intent = f"{scored.line['intent']}→{scored.intent or '-'}"
    hit_mark = {None: "-", True: "yes", False: "name" if scored.named else "no"}[scored.hit]
    lang = f"{scored.line['lang']}→{scored.language.value if scored.language else '-'}"
    ms = scored.exchange.latency_ms
    marks = (
        ("" if scored.intent_ok else "I")
        + ("" if scored.hit is not False else "H")
        + ("" if scored.language_ok else "L")
    )
    return (
        f"{marks or 'ok':<4} {text:<39} {intent:<34} {hit_mark:<4} {lang:<13}"
        f" {f'{ms:.0f}' if ms is not None else '-':>6}"
    )


def summary(results: list[Scored]) -> str:
    expecting = [r for r in results if r.hit is not None]
    latencies = [r.exchange.latency_ms for r in results if r.exchange.latency_ms is not None]
    n = len(results)
    hits = sum(1 for r in expecting if r.hit) / len(expecting) if expecting else float("nan")
    either = sum(1 for r in expecting if r.hit or r.named)
    print(f"hit_named={either / len(expecting) if expecting else float('nan'):.3f}")
    return (
        f"intent_acc={sum(r.intent_ok for r in results) / n:.3f} hit={hits:.3f}"
        f" lang={sum(r.language_ok for r in results) / n:.3f}"
        f" p50_ms={pct(latencies, 50):.1f} p95_ms={pct(latencies, 95):.1f}"
    )


async def seed(settings: Settings) -> str:
    """A fresh tenant with the demo catalog, indexed."""
    slug = f"eval-{uuid.uuid4().hex[:8]}"
    made = await create_tenant(
        name="Duka Smart Electronics & Beauty",
        slug=slug,
        owner_email=f"owner-{slug}@example.com",
        owner_password="bench password 123",
        languages=["en", "sw", "sheng"],
    )
    await import_into_tenant(tenant=TenantRef.of(made.tenant.id), data=load_demo_catalog())
    entries = await get_engine().reindex(made.tenant.id)
    print(f"indexed {entries} entries with {get_engine().embedder.model}", flush=True)
    return made.tenant.id


async def evaluate(url: str, lines: list[dict[str, Any]], args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="wabotiq-eval-") as data_dir:
        settings = load_settings(database_url=url, redis_url=None, elasticsearch_url=None,
                                 data_dir=data_dir, **generate_secrets())  # fmt: skip
        await connect(settings, Database(url=url, embedded=None))
        results: list[Scored] = []
        try:
            app = create_app(settings, database_url=url, manage_db=False)
            tenant_id = await seed(settings)
            names = catalog_names(load_demo_catalog())
            async with LocalShop.open(app, tenant_id=tenant_id, lifespan=True) as shop:
                await shop.send("Hello", phone=WARM_UP_PHONE)  # models load on the first turn
                print(f"{'':<4} {'text':<39} {'intent want→got':<34} {'hit':<4}"
                      f" {'lang':<13} {'ms':>6}")  # fmt: skip
                for n, line in enumerate(lines, 1):
                    scored = await play(shop, line, f"+254710{n:06d}", names)
                    results.append(scored)
                    print(_row(scored), flush=True)
                    if args.show_replies:
                        for reply in scored.exchange.replies:
                            print("      shop> " + reply.replace("\n", "\n            "))
        finally:
            await close_db()
    answered = sum(1 for r in results if r.exchange.replies)
    print(f"answered={answered}/{len(results)}")
    return summary(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--show-replies", action="store_true", help="print each reply too")
    args = parser.parse_args()
    text = args.queries.read_text("utf-8")
    lines = [json.loads(raw) for raw in text.splitlines() if raw.strip()]
    # Outside the event loop: a scratch database on DATABASE_URL is made with its own loop.
    with throwaway_database(os.environ.get("DATABASE_URL") or None, prefix="wabotiq_eval") as url:
        print(asyncio.run(evaluate(url, lines, args)))


if __name__ == "__main__":
    main()
