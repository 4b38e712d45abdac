"""`wabotiq up | serve | chat | worker | scheduler | migrate | tenants | catalog | search |
tasks`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import wabotiq.areas  # noqa: F401 - every area registers its models before the database opens
from wabotiq.core.logs import configure_logging
from wabotiq.core.settings import ConfigurationError, Settings, StartupError, get_settings
from wabotiq.db.bootstrap import connect, resolve_database
from wabotiq.db.connection import close_db

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]

OWNER_PASSWORD_BYTES = 18  # 24 URL-safe characters
# Modules that register the tasks a worker runs.
TASK_MODULES = (
    "wabotiq.workers.tasks",
    "wabotiq.workers.indexing",
    "wabotiq.workers.conversations",
    "wabotiq.workers.reconcile",
)


async def _with_db(settings: Settings, body: Callable[[], Awaitable[int]]) -> int:
    database = resolve_database(settings)
    try:
        await connect(settings, database)
        try:
            return await body()
        finally:
            await close_db()
    finally:
        database.stop()


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from wabotiq.tenancy.migrate import migrate_all

    async def body() -> int:
        report = await migrate_all(concurrency=args.concurrency or settings.migrate_concurrency)
        print(
            json.dumps(
                {
                    "public_applied": report.public_applied,
                    "migrated": len(report.migrated),
                    "up_to_date": report.up_to_date,
                    "failed": report.failed,
                    "spares_migrated": report.spares_migrated,
                    "spares_dropped": report.spares_dropped,
                }
            )
        )
        return 0 if report.ok else 1

    return await _with_db(settings, body)


async def cmd_tenants(args: argparse.Namespace, settings: Settings) -> int:
    from tortoise.transactions import in_transaction

    from wabotiq.auth.errors import AuthError
    from wabotiq.tenancy import service
    from wabotiq.tenancy.errors import TenancyError
    from wabotiq.tenancy.models import TenantStatus

    async def body() -> int:
        try:
            if args.action == "create":
                out: object = await _create_tenant(args)
            elif args.action == "list":
                out = [
                    {"tenant_id": t.id, "slug": t.slug, "name": t.name, "status": t.status.value}
                    for t in await service.list_tenants()
                ]
            else:
                status = TenantStatus.SUSPENDED if args.action == "suspend" else TenantStatus.ACTIVE
                async with in_transaction():  # the status and its access event, together
                    tenant = await service.set_status(ref=args.tenant, status=status)
                out = {"tenant_id": tenant.id, "slug": tenant.slug, "status": tenant.status.value}
        except (TenancyError, AuthError) as exc:
            print(json.dumps({"error": exc.code.value, "message": exc.message}), file=sys.stderr)
            return 2
        print(json.dumps(out, indent=None))
        return 0

    return await _with_db(settings, body)


async def _create_tenant(args: argparse.Namespace) -> dict[str, object]:
    """Without `--owner-password`, a new owner gets a generated password, printed once (an
    owner nobody can sign in as is of no use); an existing user keeps their own (null)."""
    from wabotiq.domain.tenants.provisioning import create_tenant

    password = args.owner_password or secrets.token_urlsafe(OWNER_PASSWORD_BYTES)
    made = await create_tenant(
        name=args.name, slug=args.slug, owner_email=args.owner_email, owner_password=password
    )
    out: dict[str, object] = {
        "tenant_id": made.tenant.id,
        "slug": made.tenant.slug,
        "owner_email": made.owner.email,
        "api_key": made.api_key,
    }
    if args.owner_password is None:
        out["owner_password"] = password if made.owner_password_set else None
    return out


async def cmd_channels(args: argparse.Namespace, settings: Settings) -> int:
    from wabotiq.domain.channels.errors import ChannelError

    async def body() -> int:
        try:
            out = await (_create_channel(args, settings) if args.action == "create" else
                         _list_channels(args, settings))  # fmt: skip
        except ChannelError as exc:
            message = {"error": exc.code.value, "message": exc.message, "field": exc.field}
            print(json.dumps(message), file=sys.stderr)
            return 2
        print(json.dumps(out))
        return 0

    settings.require_secrets()  # the secrets are stored encrypted with the server's keys
    return await _with_db(settings, body)


async def _channel_tenant(ref: str) -> str:
    from wabotiq.domain.channels.errors import ChannelError, ChannelErrorCode
    from wabotiq.tenancy.service import find_tenant

    tenant = await find_tenant(ref)
    if tenant is None:
        raise ChannelError(ChannelErrorCode.NOT_FOUND, f"No tenant {ref!r}.", field="tenant")
    return tenant.id


async def _create_channel(args: argparse.Namespace, settings: Settings) -> dict[str, object]:
    from tortoise.transactions import in_transaction

    from wabotiq.core.crypto import FieldCipher
    from wabotiq.core.tenant import TenantRef, tenant_context
    from wabotiq.domain.channels.models import ChannelProvider
    from wabotiq.domain.channels.service import create_channel
    from wabotiq.integrations.whatsapp.registry import webhook_url

    tenant_id = await _channel_tenant(args.tenant)
    with tenant_context(TenantRef.of(tenant_id)):
        async with in_transaction():
            channel = await create_channel(
                cipher=FieldCipher(settings),
                tenant_id=tenant_id,
                provider=ChannelProvider(args.provider),
                name=args.name,
                secrets={
                    "auth_token": args.auth_token,
                    "access_token": args.access_token,
                    "app_secret": args.app_secret,
                    "verify_token": args.verify_token,
                },
                account_sid=args.account_sid,
                sender=args.sender,
                phone_number_id=args.phone_number_id,
                graph_version=args.graph_version,
            )
    return {"channel_id": str(channel.id), "webhook_url": webhook_url(channel, settings)}


async def _list_channels(args: argparse.Namespace, settings: Settings) -> list[dict[str, object]]:
    from wabotiq.core.tenant import TenantRef, tenant_context
    from wabotiq.domain.channels.service import list_channels
    from wabotiq.integrations.whatsapp.registry import webhook_url

    tenant_id = await _channel_tenant(args.tenant)
    with tenant_context(TenantRef.of(tenant_id)):
        rows, _ = await list_channels(limit=10_000)
    return [
        {
            "channel_id": str(row.id),
            "provider": row.provider.value,
            "name": row.name,
            "status": row.status.value,
            "webhook_url": webhook_url(row, settings),
            **{key: value for key, value in row.config.items()},
        }
        for row in rows
    ]


async def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    from wabotiq.domain.catalog.importer import import_file

    async def body() -> int:
        report, error = await import_file(tenant=args.tenant, path=args.file)
        print(json.dumps(report or error), file=sys.stdout if report else sys.stderr)
        return 0 if report else 2

    return await _with_db(settings, body)


async def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from wabotiq.search.runtime import make_engine
    from wabotiq.tenancy.service import find_tenant, list_tenants

    async def body() -> int:
        if args.tenant:
            tenant = await find_tenant(args.tenant)
            if tenant is None:
                message = {"error": "NOT_FOUND", "message": f"No tenant {args.tenant!r}."}
                print(json.dumps(message), file=sys.stderr)
                return 2
            tenants = [tenant]
        else:
            tenants = await list_tenants()
        engine = make_engine(settings)
        results = []
        try:
            for tenant in tenants:
                total = await engine.count(tenant.id)
                with tqdm(total=total, desc=tenant.slug, unit="entry", disable=args.quiet) as bar:
                    written = await engine.reindex(tenant.id, progress=bar.update)
                results.append({"tenant": tenant.slug, "entries": written})
        finally:
            await engine.backend.close()
        print(json.dumps({"reindexed": results, "model": engine.embedder.model}))
        return 0

    return await _with_db(settings, body)


async def cmd_tasks(args: argparse.Namespace, settings: Settings) -> int:
    """Dead letters of a tenant (`--tenant`) or of the platform: list them, run one again."""
    from taskiq.exceptions import SendTaskError

    from wabotiq.core.tenant import TenantRef, tenant_context
    from wabotiq.domain.dead_letters.errors import DeadLetterError
    from wabotiq.domain.dead_letters.service import list_dead_letters
    from wabotiq.tenancy.service import find_tenant

    async def body() -> int:
        tenant = await find_tenant(args.tenant) if args.tenant else None
        if args.tenant and tenant is None:
            return _fail("NOT_FOUND", f"No tenant {args.tenant!r}.")
        with tenant_context(TenantRef.of(tenant.id) if tenant else None):
            try:
                if args.action == "dead":
                    rows, _ = await list_dead_letters(platform=tenant is None, limit=args.limit)
                    out: object = [_letter_json(row) for row in rows]
                else:
                    out = _letter_json(await _retry_letter(args.id, settings, tenant is None))
            except DeadLetterError as exc:
                return _fail(exc.code.value, exc.message)
            except SendTaskError as exc:  # nothing changed: the letter stays as it was
                return _fail("SEND_FAILED", f"Could not send the task: {exc.__cause__ or exc}")
        print(json.dumps(out))
        return 0

    return await _with_db(settings, body)


async def _retry_letter(raw_id: str, settings: Settings, platform: bool) -> Any:
    """Run a letter's task again. With the in-memory broker it runs in this process, with a
    runtime like the API's; the command waits for it (and its retries) before it exits."""
    import importlib

    from tortoise.transactions import in_transaction

    from wabotiq.domain.dead_letters.errors import DeadLetterError, DeadLetterErrorCode
    from wabotiq.domain.dead_letters.service import retry_dead_letter
    from wabotiq.runtime import Runtime
    from wabotiq.workers.broker import broker, drain, start_broker, stop_broker
    from wabotiq.workers.brokers import LocalBroker
    from wabotiq.workers.rerun import kick_again

    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
        raise DeadLetterError(DeadLetterErrorCode.NOT_FOUND, f"No dead letter {raw_id!r}.")
    for module in TASK_MODULES:  # the in-memory broker runs only the tasks it knows
        importlib.import_module(module)
    runtime = None
    if isinstance(broker, LocalBroker):
        runtime = Runtime.from_settings(settings.with_local_secrets())
        runtime.serve_tasks()
    await start_broker()
    try:
        async with in_transaction():
            letter = await retry_dead_letter(int(raw_id), kick=kick_again, platform=platform)
        await drain(broker)
    finally:
        await stop_broker()
        if runtime is not None:
            await runtime.stop_background()
    return letter


def _letter_json(letter: Any) -> dict[str, object]:
    fields = (
        "id", "task_name", "task_id", "args", "kwargs", "labels", "error_type", "error_message",
        "traceback", "attempts", "first_failed_at", "last_failed_at", "tenant_id", "request_id",
        "retried_at", "retry_task_id",
    )  # fmt: skip
    out = {name: getattr(letter, name) for name in fields}
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in out.items()}


def _fail(code: str, message: str) -> int:
    print(json.dumps({"error": code, "message": message}), file=sys.stderr)
    return 2


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from wabotiq.chat.terminal import run_chat

    return await run_chat(settings, tenant=args.tenant, phone=args.phone)


def _local_tasks() -> None:
    """`wabotiq chat` runs its tasks in this process, whatever REDIS_URL says: a worker
    elsewhere would answer through the real provider, not the chat's local one. Before the
    broker is built (it is chosen once, from the settings, when first imported)."""
    if "wabotiq.workers.broker" not in sys.modules:
        os.environ["REDIS_URL"] = ""
        get_settings.cache_clear()


async def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from wabotiq.server import serve

    return await serve(settings, seed_demo=args.command == "up", port=args.port)


def cmd_taskiq(args: argparse.Namespace, settings: Settings) -> int:
    """Hand over to Taskiq's own worker or scheduler process (signals, reloads, acks)."""
    if args.command == "worker":
        argv = [
            "worker",
            "wabotiq.workers.broker:broker",
            "wabotiq.areas",
            "wabotiq.runtime",  # each worker process builds the API's runtime at start-up
            *TASK_MODULES,
        ]
        argv += ["--workers", str(args.processes)]
    else:
        argv = ["scheduler", "wabotiq.workers.scheduler:scheduler", "--skip-first-run"]
        # Delayed retries wait in Redis until the scheduler next reads it.
        argv += ["--update-interval", str(settings.scheduler_update_interval_s)]
    os.execvp(sys.executable, [sys.executable, "-m", "taskiq", *argv])
    return 0  # not reached


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wabotiq", description="WabotIQ platform")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("up", "Start everything in one process, with a demo tenant on first start."),
        ("serve", "Start the API only."),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--port", type=int, default=None, help="Port (default: PORT setting).")
        cmd.set_defaults(handler=cmd_serve)
    worker = sub.add_parser("worker", help="Run Taskiq workers (needs REDIS_URL).")
    worker.add_argument("--processes", type=int, default=2)
    worker.set_defaults(handler=cmd_taskiq, sync=True)
    scheduler = sub.add_parser("scheduler", help="Run the Taskiq scheduler (one per deployment).")
    scheduler.set_defaults(handler=cmd_taskiq, sync=True)
    migrate = sub.add_parser("migrate", help="Bring public and every tenant schema up to date.")
    migrate.add_argument("--concurrency", type=int, default=None)
    migrate.set_defaults(handler=cmd_migrate)
    tenants = sub.add_parser("tenants", help="Manage tenants.")
    actions = tenants.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="Provision a tenant and print its owner and key.")
    create.add_argument("--name", required=True)
    create.add_argument("--slug", required=True)
    create.add_argument("--owner-email", required=True)
    create.add_argument(
        "--owner-password",
        default=None,
        help="The owner's password (default: generated and printed once as owner_password).",
    )
    actions.add_parser("list", help="List tenants.")
    for action in ("suspend", "resume"):
        cmd = actions.add_parser(action, help=f"{action.title()} a tenant.")
        cmd.add_argument("tenant", help="Tenant id or slug.")
    tenants.set_defaults(handler=cmd_tenants)
    catalog = sub.add_parser("catalog", help="Manage a tenant's catalog.")
    catalog_actions = catalog.add_subparsers(dest="action", required=True)
    importing = catalog_actions.add_parser("import", help="Import products by SKU (re-runnable).")
    importing.add_argument("--tenant", required=True, help="Tenant id or slug.")
    importing.add_argument("file", help="A catalog JSON file (see wabotiq/data/demo_catalog.json).")
    catalog.set_defaults(handler=cmd_catalog)
    _channels_parser(sub)
    chat = sub.add_parser(
        "chat",
        help="Chat with a shop as a WhatsApp customer, offline (replies are shown, not sent).",
        description="Each line goes through the Twilio webhook, the queue (in this process,"
        " even with REDIS_URL set) and the assistant; the reply is shown instead of sent."
        " Reads standard input, one message a line, when it is not a terminal.",
    )
    chat.add_argument("--tenant", default=None, help="Tenant id or slug (default: the demo).")
    chat.add_argument("--phone", default=None, help="The customer's number (default: a demo one).")
    chat.set_defaults(handler=cmd_chat)
    search = sub.add_parser("search", help="Manage search indexes.")
    search_actions = search.add_subparsers(dest="action", required=True)
    reindex = search_actions.add_parser(
        "reindex", help="Rebuild search indexes from the catalog and documents."
    )
    reindex.add_argument("--tenant", default=None, help="Tenant id or slug (default: all).")
    reindex.add_argument("--quiet", action="store_true", help="No progress bar.")
    search.set_defaults(handler=cmd_search)
    tasks = sub.add_parser("tasks", help="Tasks that failed their last attempt (dead letters).")
    task_actions = tasks.add_subparsers(dest="action", required=True)
    dead = task_actions.add_parser("dead", help="List dead letters as JSON, newest first.")
    dead.add_argument("--tenant", default=None, help="Tenant id or slug (default: platform).")
    dead.add_argument("--limit", type=int, default=100, help="At most this many (default 100).")
    retry = task_actions.add_parser("retry", help="Run a dead letter's task again (once).")
    retry.add_argument("id", help="The dead letter's id (as `tasks dead` lists it).")
    retry.add_argument("--tenant", default=None, help="Tenant id or slug (default: platform).")
    tasks.set_defaults(handler=cmd_tasks)
    return parser


def _channels_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    channels = sub.add_parser("channels", help="Manage a tenant's WhatsApp channels.")
    actions = channels.add_subparsers(dest="action", required=True)
    create = actions.add_parser(
        "create", help="Connect a WhatsApp number; prints its channel_id and webhook_url."
    )
    create.add_argument("--tenant", required=True, help="Tenant id or slug.")
    create.add_argument("--provider", required=True, choices=["twilio", "cloud"])
    create.add_argument("--name", default="")
    twilio = create.add_argument_group("twilio")
    twilio.add_argument("--account-sid", default=None, help="AC…")
    twilio.add_argument("--auth-token", default=None)
    twilio.add_argument("--sender", default=None, help="whatsapp:+254…")
    cloud = create.add_argument_group("cloud")
    cloud.add_argument("--phone-number-id", default=None)
    cloud.add_argument("--access-token", default=None)
    cloud.add_argument("--app-secret", default=None)
    cloud.add_argument("--verify-token", default=None)
    cloud.add_argument("--graph-version", default=None, help="Graph API version (default 21.0).")
    listing = actions.add_parser("list", help="List a tenant's channels (JSON; no secrets).")
    listing.add_argument("--tenant", required=True, help="Tenant id or slug.")
    channels.set_defaults(handler=cmd_channels)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so the embedded database is stopped on the way out
    (uvicorn re-raises the signal it caught once it has shut down)."""
    raise SystemExit(128 + signum)


def _hang_up(signum: int, frame: object) -> None:
    """SIGHUP (a closed terminal) becomes SIGTERM: while serving, uvicorn shuts down gracefully
    on it; an exception raised here instead could land inside any task of the event loop."""
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "chat":
        _local_tasks()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _hang_up)
    configure_logging()
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        print(f"wabotiq: {exc}", file=sys.stderr)
        return 2
    if args.command in {"up", "channels", "chat"}:
        # Channels' secrets are encrypted with the keys `wabotiq up` uses (set, or local).
        settings = settings.with_local_secrets()
    if getattr(args, "sync", False):
        if not settings.redis_url:
            print(f"wabotiq: {args.command} needs REDIS_URL", file=sys.stderr)
            return 2
        return args.handler(args, settings)
    try:
        return asyncio.run(args.handler(args, settings))
    except StartupError as exc:  # a bad setting, an unreachable database, a busy port
        print(f"wabotiq: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigurationError) else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
