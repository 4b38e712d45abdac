"""Signed Twilio webhooks accepted per second by one uvicorn worker, against a floor.

    python bench/webhook_ingest.py [--requests 2000] [--concurrency 32] [--rounds 4]

What a WhatsApp number's burst costs us before any reply: each request is an inbound message
form as Twilio posts it, signed the way Twilio signs (`X-Twilio-Signature`, an HMAC over
PUBLIC_BASE_URL + path and the sorted fields, computed with the twilio library's own
`RequestValidator`), each with a new MessageSid, from a pool of `--customers` phones. The real
app (`python -m wabotiq.cli serve`: one uvicorn worker in a subprocess, on a free loopback
port) finds the channel and its tenant, checks the signature, gets or creates the customer,
opens the conversation, stores the message exactly once with its outbox event, and kicks one
drain task per conversation. The floor is a second one-worker uvicorn app whose endpoint parses
the same form body and does one asyncpg INSERT: what any durable webhook costs at least.

Both are driven by the same httpx client at the same concurrency, warm-up first, then in
alternating rounds (ABBA); the figures are medians of the rounds. The broker is Redis when
REDIS_URL is set (a queue of the bench's own, deleted afterwards; no worker consumes it, so
only the enqueue is measured), else the in-memory one, which runs each drain in the API process
itself (the holding reply goes to a local stand-in for Twilio): that drain work then competes
with the webhooks for the same worker. Without DATABASE_URL it starts a throwaway embedded
Postgres; with it, a scratch database on that server, dropped at the end. Afterwards it checks
that every accepted message was stored once. The last line is
`webhook_rps=… floor_rps=… ratio=…` (ratio = webhook / floor).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "bench-auth-token"
SENDER = "whatsapp:+254700000001"
FLOOR_TABLE = "bench_webhook_floor"


# --- the floor and the Twilio stand-in, each run as `--serve floor|twilio PORT` -------------


def floor_app() -> Any:
    """Parse the form, one INSERT, answer empty TwiML: the least a durable webhook does."""
    import asyncpg
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from wabotiq.db.connection import credentials_from_url

    pool: asyncpg.Pool | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        creds = credentials_from_url(os.environ["DATABASE_URL"])
        creds["password"] = creds["password"] or None
        pool = await asyncpg.create_pool(**creds, min_size=1, max_size=10)  # the app's pool size
        try:
            yield
        finally:
            await pool.close()

    async def webhook(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        assert pool is not None
        await pool.execute(
            f"INSERT INTO public.{FLOOR_TABLE} (message_sid, form) VALUES ($1, $2::jsonb)",
            form["MessageSid"],
            json.dumps(form),
        )
        return Response(EMPTY_TWIML, media_type="text/xml")

    return Starlette(
        routes=[Route("/floor/{channel_id}", webhook, methods=["POST"])], lifespan=lifespan
    )


def twilio_app() -> Any:
    """Twilio's Messages resource as far as a reply needs it: 201 and a message SID."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def messages(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"sid": "SM" + secrets.token_hex(16), "status": "queued"}, 201)

    return Starlette(
        routes=[Route("/2010-04-01/Accounts/{sid}/Messages.json", messages, methods=["POST"])]
    )


def serve(which: str, port: int) -> None:
    import uvicorn

    app = floor_app() if which == "floor" else twilio_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- the bench ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def server_env(database_url: str, secrets_: dict[str, Any], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PUBLIC_"))}
    env.update(
        DATABASE_URL=database_url,
        JWT_KEYS=json.dumps(secrets_["jwt_keys"]),
        JWT_ACTIVE_KID=secrets_["jwt_active_kid"],
        FIELD_ENCRYPTION_KEYS=",".join(secrets_["field_encryption_keys"]),
        LOOKUP_HASH_KEY=secrets_["lookup_hash_key"],
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        **extra,
    )
    return env


@contextlib.contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server subprocess (output to `log`), stopped at the end of the block."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError(f"nothing listens on {port}:\n{log.read_text()[-3000:]}")


async def seed(settings: Any, database_url: str) -> tuple[str, uuid.UUID]:
    """A tenant with one Twilio channel (as `wabotiq channels create` makes it), and the
    floor's table."""
    from tortoise.transactions import in_transaction

    from wabotiq.core.crypto import FieldCipher
    from wabotiq.core.tenant import TenantRef, tenant_context
    from wabotiq.db.bootstrap import Database, connect
    from wabotiq.db.connection import close_db, get_pool
    from wabotiq.domain.channels.models import ChannelProvider
    from wabotiq.domain.channels.service import create_channel
    from wabotiq.domain.tenants.provisioning import create_tenant

    await connect(settings, Database(url=database_url, embedded=None))
    try:
        made = await create_tenant(name="Bench", slug="bench", owner_email="bench@example.com")
        with tenant_context(TenantRef.of(made.tenant.id)):
            async with in_transaction():
                channel = await create_channel(
                    cipher=FieldCipher(settings),
                    tenant_id=made.tenant.id,
                    provider=ChannelProvider.TWILIO,
                    name="Bench",
                    secrets={"auth_token": AUTH_TOKEN},
                    account_sid=ACCOUNT_SID,
                    sender=SENDER,
                )
        async with get_pool().acquire() as connection:
            await connection.execute(
                f"CREATE TABLE public.{FLOOR_TABLE} (id bigserial PRIMARY KEY,"
                " message_sid text NOT NULL UNIQUE, form jsonb NOT NULL,"
                " received_at timestamptz NOT NULL DEFAULT now())"
            )
        return made.tenant.id, channel.id
    finally:
        await close_db()


async def stored(settings: Any, database_url: str, tenant_id: str) -> dict[str, int]:
    """How many inbound messages (and distinct provider ids) the app stored; the floor's rows."""
    from wabotiq.db.bootstrap import Database, connect
    from wabotiq.db.connection import close_db, get_pool

    await connect(settings, Database(url=database_url, embedded=None))
    try:
        async with get_pool().acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT count(*) AS messages, count(DISTINCT provider_message_id) AS distinct_ids"
                f" FROM t_{tenant_id}.messages WHERE direction = 'inbound'"
            )
            floor = await connection.fetchval(f"SELECT count(*) FROM public.{FLOOR_TABLE}")
        return {"messages": row["messages"], "distinct": row["distinct_ids"], "floor": floor}
    finally:
        await close_db()


class Requests:
    """Pre-built, signed request bodies (signing is the provider's work, not timed)."""

    def __init__(self, *, public_base_url: str, channel_id: uuid.UUID, customers: int) -> None:
        self.public_base_url = public_base_url
        self.channel_id = channel_id
        self.phones = [f"+2547{11_000_000 + i:08d}" for i in range(customers)]
        self.validator = RequestValidator(AUTH_TOKEN)
        self.count = 0

    def form(self) -> dict[str, str]:
        sid = "SM" + secrets.token_hex(16)
        phone = self.phones[self.count % len(self.phones)]
        self.count += 1
        return {
            "SmsMessageSid": sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": f"whatsapp:{phone}",
            "To": SENDER,
            "Body": f"Niaje, mna Samsung A15? ({self.count})",
            "NumMedia": "0",
            "NumSegments": "1",
            "ProfileName": f"Customer {self.count % len(self.phones)}",
            "WaId": phone.lstrip("+"),
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }

    def batch(self, prefix: str, n: int) -> list[tuple[str, bytes, dict[str, str]]]:
        """`n` requests to `prefix/<channel>`, each signed over our public URL of that path."""
        path = f"{prefix}/{self.channel_id}"
        out = []
        for _ in range(n):
            form = self.form()
            signature = self.validator.compute_signature(self.public_base_url + path, form)
            headers = {
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": signature,
            }
            out.append((path, urlencode(form).encode(), headers))
        return out


async def drive(
    base_url: str, batch: list[tuple[str, bytes, dict[str, str]]], concurrency: int
) -> float:
    """Send the batch `concurrency` at a time; requests per second. Every answer must be 200.
    A new client each time: between rounds the server closes idle keep-alive connections
    (uvicorn: after 5 s), and reusing one as it closes fails the request."""
    pending = iter(batch)
    failures: list[str] = []
    retried: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for path, body, headers in pending:
            try:
                response = await client.post(path, content=body, headers=headers)
            except httpx.TransportError as exc:
                # Now and then (about once in 5,000 on a loaded machine) the server closes a
                # kept-alive connection as a request goes out. Send it again, as Twilio does:
                # a message stored twice would fail the check at the end.
                retried.append(f"{base_url}{path} {exc!r}")
                response = await client.post(path, content=body, headers=headers)
            if response.status_code != 200:
                failures.append(f"{path} {response.status_code} {response.text[:200]}")

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    if retried:
        print(f"  {len(retried)} sent again after {retried[0]}", flush=True)
    return len(batch) / elapsed


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time (Linux; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    args: argparse.Namespace,
    app_port: int,
    floor_port: int,
    requests: Requests,
    pids: dict[str, int],
) -> tuple[dict[str, float], dict[str, float]]:
    """Median requests per second of each app, and the median CPU milliseconds its server
    process spent per request (less disturbed by other work on the machine than the rate; the
    database's share is in neither)."""
    targets = {
        "webhook": (f"http://127.0.0.1:{app_port}", "/webhooks/twilio"),
        "floor": (f"http://127.0.0.1:{floor_port}", "/floor"),
    }
    for base, prefix in targets.values():  # warm-up: caches, the first customers
        await drive(base, requests.batch(prefix, args.warmup), args.concurrency)
    results: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    order = list(targets)
    for round_no in range(args.rounds):
        turn = order if round_no % 4 in (0, 3) else list(reversed(order))  # ABBA
        for name in turn:
            batch = requests.batch(targets[name][1], args.requests)
            before = cpu_seconds(pids[name])
            results[name].append(await drive(targets[name][0], batch, args.concurrency))
            cpu[name].append((cpu_seconds(pids[name]) - before) * 1000 / len(batch))
        print(
            f"round {round_no + 1}: "
            + "  ".join(f"{k}={v[-1]:.0f} rps/{cpu[k][-1]:.2f} cpu_ms" for k, v in results.items()),
            flush=True,
        )
    return (
        {name: statistics.median(v) for name, v in results.items()},
        {name: statistics.median(v) for name, v in cpu.items()},
    )


def clear_queue(redis_url: str, queue: str) -> None:
    from redis import Redis

    with Redis.from_url(redis_url) as redis:
        keys = list(redis.scan_iter(match=f"{queue}*"))
        if keys:
            redis.delete(*keys)


def run(args: argparse.Namespace, database_url: str) -> dict[str, float]:
    from wabotiq.core.settings import Settings, generate_secrets

    keys = generate_secrets()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        **keys,  # type: ignore[arg-type]
    )
    tenant_id, channel_id = asyncio.run(seed(settings, database_url))
    redis_url = os.environ.get("REDIS_URL") or ""
    queue = f"wabotiq_bench_{secrets.token_hex(4)}"
    print(
        "broker: "
        + ("redis (queue kept unconsumed)" if redis_url else "in-memory (drains run in the API)"),
        flush=True,
    )
    app_port, floor_port, twilio_port = free_port(), free_port(), free_port()
    public_base_url = f"http://127.0.0.1:{app_port}"
    with tempfile.TemporaryDirectory(prefix="wabotiq_bench_") as tmp:
        logs = Path(tmp)
        app_env = server_env(
            database_url,
            keys,
            PUBLIC_BASE_URL=public_base_url,
            TWILIO_API_BASE_URL=f"http://127.0.0.1:{twilio_port}",
            TASKIQ_QUEUE=queue,
            REDIS_URL=redis_url,
        )
        here = str(Path(__file__).resolve())
        try:
            with (
                process(
                    [sys.executable, here, "--serve", "twilio", str(twilio_port)],
                    app_env,
                    logs / "twilio.log",
                ) as twilio,
                process(
                    [sys.executable, here, "--serve", "floor", str(floor_port)],
                    app_env,
                    logs / "floor.log",
                ) as floor,
                process(
                    [sys.executable, "-m", "wabotiq.cli", "serve", "--port", str(app_port)],
                    app_env,
                    logs / "app.log",
                ) as app,
            ):
                for port, proc, log in (
                    (twilio_port, twilio, "twilio.log"),
                    (floor_port, floor, "floor.log"),
                    (app_port, app, "app.log"),
                ):
                    asyncio.run(wait_listening(port, proc, logs / log))
                requests = Requests(
                    public_base_url=public_base_url, channel_id=channel_id, customers=args.customers
                )
                pids = {"webhook": app.pid, "floor": floor.pid}
                try:
                    figures, cpu = asyncio.run(measure(args, app_port, floor_port, requests, pids))
                finally:
                    for name, proc in (("app", app), ("floor", floor), ("twilio", twilio)):
                        if proc.poll() is not None:  # then another program may have its port
                            print(f"the {name} server exited ({proc.returncode})", flush=True)
                            print((logs / f"{name}.log").read_text()[-3000:], flush=True)
        finally:
            if redis_url:
                clear_queue(redis_url, queue)
    counts = asyncio.run(stored(settings, database_url, tenant_id))
    sent = args.warmup + args.requests * args.rounds
    print(
        f"stored: {counts['messages']} inbound messages ({counts['distinct']} distinct"
        f" MessageSids) for {sent} webhooks; floor {counts['floor']} rows for {sent}",
        flush=True,
    )
    if not (counts["messages"] == counts["distinct"] == sent == counts["floor"]):
        raise RuntimeError("not every accepted message was stored exactly once")
    print(
        f"server CPU ms per request (median of rounds): webhook={cpu['webhook']:.2f}"
        f" floor={cpu['floor']:.2f} (ratio {cpu['floor'] / cpu['webhook']:.2f})",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and app")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=300, help="requests per app before timing")
    parser.add_argument("--customers", type=int, default=200, help="distinct phones writing")
    parser.add_argument("--serve", nargs=2, metavar=("WHICH", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    from wabotiq.db.scratch import throwaway_database

    with throwaway_database(os.environ.get("DATABASE_URL") or None, prefix="wabotiq_bench") as url:
        figures = run(args, url)
    ratio = figures["webhook"] / figures["floor"]
    print(
        f"webhook_rps={figures['webhook']:.0f} floor_rps={figures['floor']:.0f} ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
