"""The offline agent's reading of customer messages: intent and register accuracy, and latency.

    .venv/bin/python bench/understanding_eval.py [--queries FILE.jsonl] [--show-misses]

Each line of the file (format of conversations_sample.jsonl: `text`, `intent`, `lang`, optional
`prev`) is read by `wabotiq.agent.understanding.understand` after its `prev` messages, which set
the customer's register as the conversation would. Intent accuracy compares the line's `intent`;
register accuracy is given twice: `lang_exact` (en, sw, sheng, mixed as labelled) and `lang`, the
way the agent benchmark judges a reply (`en` wants English, `sw` and `sheng` want Swahili or
Sheng, `mixed` accepts either). Latency is one whole `understand` call, the example matrix
already loaded. Last line: `intent_acc=… lang=… lang_exact=… p50_ms=… p95_ms=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("OMP_NUM_THREADS", "1")

from wabotiq.agent.understanding import understand  # noqa: E402
from wabotiq.agent.understanding.intents import ALIASES, Intent  # noqa: E402
from wabotiq.agent.understanding.language import Register, detect_register  # noqa: E402
from wabotiq.agent.understanding.message import warm_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = ROOT / "bench" / "data" / "conversations_sample.jsonl"
TZ = ZoneInfo("Africa/Nairobi")


def _gold_intent(label: str) -> Intent:
    return ALIASES.get(label) or Intent(label)


def _family_ok(gold: str, reply: Register) -> bool:
    if gold == "mixed":
        return True
    return (gold == "en") == (reply == Register.ENGLISH)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.queries.read_text("utf-8").splitlines() if line]
    await warm_up()  # the models and the example matrix, as a worker does at start
    intents = exact = family = 0
    latencies = []
    now = datetime.now(TZ)
    for row in rows:
        previous = None
        for earlier in row.get("prev", []):
            previous = detect_register(earlier, previous).register
        started = time.perf_counter()
        result = await understand(
            row["text"],
            previous_register=previous,
            last_list=(),
            now=now,
            tz=TZ,
            history=row.get("prev", []),
        )
        latencies.append((time.perf_counter() - started) * 1000)
        intent_ok = result.intent.intent == _gold_intent(row["intent"])
        intents += intent_ok
        exact += result.register.register.value == row["lang"]
        family_ok = _family_ok(row["lang"], result.register.reply)
        family += family_ok
        if args.show_misses and not (intent_ok and family_ok):
            print(
                f"{row['text']!r}: intent {row['intent']} -> {result.intent.intent.value}"
                f" ({result.intent.score}, then {result.intent.runner_up.value}),"
                f" lang {row['lang']} -> {result.register.register.value}"
                f"/{result.register.reply.value}"
            )
    count = len(rows)
    p95 = statistics.quantiles(latencies, n=20)[-1] if count > 1 else latencies[0]
    print(
        f"lines={count} intent_acc={intents / count:.3f} lang={family / count:.3f}"
        f" lang_exact={exact / count:.3f} p50_ms={statistics.median(latencies):.1f}"
        f" p95_ms={p95:.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
