"""`wabotiq tenants ...`, `wabotiq catalog import` refusals and start-up configuration checks, run
as real subprocesses."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import OWNER_PASSWORD, MakeTenant, gql, login
from tests.support.polling import eventually
from tests.support.whatsapp import (
    ACCESS_TOKEN,
    ACCOUNT_SID,
    APP_SECRET,
    AUTH_TOKEN,
    PHONE_NUMBER_ID,
    SENDER,
    VERIFY_TOKEN,
    post_twilio,
    providers,
    twilio_message,
)
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import schema_for
from wabotiq.db.connection import get_pool

ME = "{ me { kind tenant { id slug } } }"


def _wabotiq() -> list[str]:
    script = Path(sys.executable).with_name("wabotiq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wabotiq.cli"]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment stripped of every WabotIQ setting, plus the given ones."""
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(DATA_DIR=str(tmp_path / "data"), **settings)
    return env


async def _run(*args: str, tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [*_wabotiq(), *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,  # no stray `.env` is read
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def slug() -> Iterator[str]:
    yield f"cli-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def cleanup(db: None) -> AsyncIterator[list[str]]:
    """Slugs to remove (rows and schema) after the test."""
    slugs: list[str] = []
    yield slugs
    async with get_pool().acquire() as connection:
        for made in slugs:
            tenant_id = await connection.fetchval(
                "SELECT id FROM public.tenants WHERE slug = $1", made
            )
            if tenant_id is not None:
                await connection.execute(f"DROP SCHEMA IF EXISTS t_{tenant_id} CASCADE")
                await connection.execute("DELETE FROM public.tenants WHERE id = $1", tenant_id)


async def _create(
    slug: str, database_url: str, tmp_path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return await _run(
        "tenants", "create", "--name", "CLI Shop", "--slug", slug,
        "--owner-email", f"Owner-{slug}@Example.com", *extra,
        tmp_path=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip


async def test_tenants_create_prints_json_and_the_key_works(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path, slug: str, cleanup: list[str]
) -> None:
    cleanup.append(slug)
    done = await _create(slug, database_url, tmp_path, "--owner-password", OWNER_PASSWORD)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert set(made) == {"tenant_id", "slug", "owner_email", "api_key"}
    assert made["slug"] == slug
    assert made["owner_email"] == f"owner-{slug}@example.com"
    assert made["api_key"].startswith("wbk_")

    headers = {"X-Tenant-ID": made["tenant_id"], "X-Tenant-API-Key": made["api_key"]}
    body = await gql(client, ME, headers=headers)
    assert body.get("errors") is None, body
    assert body["data"]["me"]["kind"] == "API_KEY"
    assert body["data"]["me"]["tenant"]["slug"] == slug

    # The owner's password was set too: they can sign in.
    signed_in = await login(client, made["owner_email"], OWNER_PASSWORD)
    assert signed_in["userErrors"] == [] and signed_in["session"]["accessToken"]


async def test_tenants_create_without_a_password_prints_one_the_owner_signs_in_with(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path, slug: str, cleanup: list[str]
) -> None:
    cleanup.append(slug)
    done = await _create(slug, database_url, tmp_path)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert set(made) == {"tenant_id", "slug", "owner_email", "api_key", "owner_password"}
    password = made["owner_password"]
    assert len(password) >= 24 and password not in done.stderr
    signed_in = await login(client, made["owner_email"], password)
    assert signed_in["userErrors"] == [] and signed_in["session"]["accessToken"]

    # The same owner's next shop: they have a password already, and keep it (null: none made).
    other = f"{slug}-2"
    cleanup.append(other)
    again = await _run(
        "tenants", "create", "--name", "Second Shop", "--slug", other,
        "--owner-email", made["owner_email"], tmp_path=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["owner_password"] is None
    signed_in = await login(client, made["owner_email"], password)
    token = signed_in["session"]["accessToken"]
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": second["tenant_id"]}
    body = await gql(client, ME, headers=headers)
    assert body.get("errors") is None and body["data"]["me"]["tenant"]["slug"] == other


async def test_tenants_list_suspend_and_resume(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path, slug: str, cleanup: list[str]
) -> None:
    cleanup.append(slug)
    made = json.loads((await _create(slug, database_url, tmp_path)).stdout)
    headers = {"X-Tenant-ID": made["tenant_id"], "X-Tenant-API-Key": made["api_key"]}

    listed = await _run("tenants", "list", tmp_path=tmp_path, DATABASE_URL=database_url)
    assert listed.returncode == 0, listed.stderr
    rows = {row["slug"]: row for row in json.loads(listed.stdout)}
    assert rows[slug] == {
        "tenant_id": made["tenant_id"],
        "slug": slug,
        "name": "CLI Shop",
        "status": "active",
    }

    suspended = await _run("tenants", "suspend", slug, tmp_path=tmp_path, DATABASE_URL=database_url)
    assert suspended.returncode == 0, suspended.stderr
    assert json.loads(suspended.stdout)["status"] == "suspended"
    response = await client.post("/graphql", json={"query": ME}, headers=headers)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "TENANT_SUSPENDED"
    listed = await _run("tenants", "list", tmp_path=tmp_path, DATABASE_URL=database_url)
    assert {row["slug"]: row["status"] for row in json.loads(listed.stdout)}[slug] == "suspended"

    resumed = await _run(
        "tenants", "resume", made["tenant_id"], tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout) == {
        "tenant_id": made["tenant_id"],
        "slug": slug,
        "status": "active",
    }
    body = await gql(client, ME, headers=headers)
    assert body["_status"] == 200 and body.get("errors") is None, body


async def test_duplicate_slug_fails_with_a_clear_message(
    database_url: str, tmp_path: Path, slug: str, cleanup: list[str]
) -> None:
    cleanup.append(slug)
    assert (await _create(slug, database_url, tmp_path)).returncode == 0
    again = await _create(slug, database_url, tmp_path)
    assert again.returncode != 0
    assert again.stdout == ""
    error = json.loads(again.stderr.strip().splitlines()[-1])
    assert error["error"] == "SLUG_TAKEN"
    assert slug in error["message"] and "taken" in error["message"]
    assert "Traceback" not in again.stderr


async def test_weak_owner_password_fails_with_a_clear_message(
    database_url: str, tmp_path: Path, slug: str, cleanup: list[str]
) -> None:
    cleanup.append(slug)
    done = await _create(slug, database_url, tmp_path, "--owner-password", "short")
    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] == "WEAK_PASSWORD" and "characters" in error["message"]
    listed = await _run("tenants", "list", tmp_path=tmp_path, DATABASE_URL=database_url)
    assert slug not in {row["slug"] for row in json.loads(listed.stdout)}


async def test_unknown_tenant_fails_with_a_clear_message(database_url: str, tmp_path: Path) -> None:
    done = await _run(
        "tenants", "suspend", "no-such-shop", tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert done.returncode != 0
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] == "NOT_FOUND" and "no-such-shop" in error["message"]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"DB_POOL_MAX": "0"}, "DB_POOL_MAX"),
        ({"DB_POOL_MIN": "5", "DB_POOL_MAX": "2"}, "DB_POOL_MIN"),
        ({"JWT_KEYS": json.dumps({"k1": "x" * 48}), "JWT_ACTIVE_KID": "nope"}, "JWT_ACTIVE_KID"),
        ({"JWT_KEYS": json.dumps({"k1": "short"})}, "JWT_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, "FIELD_ENCRYPTION_KEYS"),
        ({"DATABASE_URL": "localhost/wabotiq"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://wabotiq@127.0.0.1/none"}, "DATABASE_URL"),
    ],
)
def test_invalid_configuration_fails_at_start_up_naming_the_setting(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    # A database nobody listens on: a start-up check must fail before any connection attempt.
    env = {"DATABASE_URL": "postgresql://wabotiq@127.0.0.1:9/none", **settings}
    done = subprocess.run(
        [*_wabotiq(), "tenants", "list"],
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert "invalid configuration" in done.stderr
    assert named in done.stderr.upper()
    assert "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    """The single `wabotiq: ...` line a refused start prints, and nothing else."""
    assert done.returncode != 0, done
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("wabotiq: ")
    return line


COMMANDS = [["tenants", "list"], ["tenants", "suspend", "shop"], ["migrate"], ["up"], ["serve"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unreachable_database_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, command: list[str]
) -> None:
    port = _free_port()  # nobody listens there
    url = f"postgresql://wabotiq@127.0.0.1:{port}/shop"
    extra = ["--port", "0"] if command[0] in {"up", "serve"} else []
    done = subprocess.run(
        [*_wabotiq(), *command, *extra],
        env=_env(tmp_path, DATABASE_URL=url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = _one_line_failure(done)
    assert done.returncode == 1
    assert f"cannot use the database at 127.0.0.1:{port}/shop" in line
    assert "refused" in line.lower() or "connect call failed" in line.lower()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_non_postgres_database_url_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, command: list[str]
) -> None:
    done = subprocess.run(
        [*_wabotiq(), *command],
        env=_env(tmp_path, DATABASE_URL="mysql://wabotiq:secret@127.0.0.1/shop"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = _one_line_failure(done)
    assert done.returncode == 2
    assert "DATABASE_URL" in line and "postgresql://" in line and "mysql://" in line
    assert "secret" not in line


@pytest.mark.parametrize("command", ["up", "serve"])
async def test_a_busy_port_is_one_line_and_a_non_zero_exit(
    database_url: str, settings: Settings, tmp_path: Path, command: str
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = await _run(
            command, "--port", str(port),
            tmp_path=tmp_path, DATABASE_URL=database_url, **_secrets(settings),
        )  # fmt: skip
    line = _one_line_failure(done)
    assert done.returncode == 1
    assert line.startswith(f"wabotiq: cannot listen on 127.0.0.1:{port}: Address already in use")


def _secrets(settings: Settings) -> dict[str, str]:
    return {
        "JWT_KEYS": json.dumps(settings.jwt_keys),
        "JWT_ACTIVE_KID": settings.jwt_active_kid or "",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.field_encryption_keys),
        "LOOKUP_HASH_KEY": settings.lookup_hash_key or "",
    }


async def test_search_reindex_rebuilds_a_tenants_index_with_progress(
    client: httpx.AsyncClient,
    database_url: str,
    tmp_path: Path,
    slug: str,
    cleanup: list[str],
) -> None:
    cleanup.append(slug)
    made = json.loads((await _create(slug, database_url, tmp_path)).stdout)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "tenant": {"currency": "KES"},
                "products": [
                    {"sku": "CLI-1", "name": "Hotpoint fridge", "price": "30000", "stock": 1},
                    {"sku": "CLI-2", "name": "Nokia 105", "price": "2500", "stock": 3},
                ],
            }
        )
    )
    imported = await _run(
        "catalog", "import", "--tenant", slug, str(catalog),
        tmp_path=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    async with get_pool().acquire() as connection:
        await connection.execute(f"DELETE FROM t_{made['tenant_id']}.search_entries")

    done = await _run(
        "search", "reindex", "--tenant", slug, tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["reindexed"] == [{"tenant": slug, "entries": 2}]
    assert "2/2" in done.stderr  # the progress bar
    async with get_pool().acquire() as connection:
        titles = await connection.fetch(
            f"SELECT title FROM t_{made['tenant_id']}.search_entries ORDER BY title"
        )
    assert [row["title"] for row in titles] == ["Hotpoint fridge", "Nokia 105"]

    missing = await _run(
        "search", "reindex", "--tenant", "nope-nope", tmp_path=tmp_path, DATABASE_URL=database_url
    )
    assert missing.returncode == 2 and "NOT_FOUND" in missing.stderr


async def _product_count(tenant_id: str) -> int:
    async with get_pool().acquire() as connection:
        return await connection.fetchval(f"SELECT count(*) FROM {schema_for(tenant_id)}.products")


async def test_import_cli_refuses_unknown_tenants_and_bad_files(
    make_tenant: MakeTenant, database_url: str, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"products": [{"sku": "NO-PRICE", "name": "x"}]}))
    for args, code in (
        (["--tenant", "no-such-tenant", str(bad)], "NOT_FOUND"),
        (["--tenant", tenant.slug, str(tmp_path / "missing.json")], "INVALID"),
        (["--tenant", tenant.slug, str(bad)], "INVALID"),
    ):
        done = await _run("catalog", "import", *args, tmp_path=tmp_path, DATABASE_URL=database_url)
        assert done.returncode == 2, done
        assert json.loads(done.stderr.strip().splitlines()[-1])["error"] == code
    assert await _product_count(tenant.id) == 0


async def test_channels_create_and_list_print_json_and_the_stored_secret_signs_webhooks(
    app: Any,
    client: httpx.AsyncClient,
    make_tenant: MakeTenant,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
) -> None:
    tenant = await make_tenant()
    keys = {  # the server's keys: the CLI stores secrets the app must decrypt
        "DATABASE_URL": database_url,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.field_encryption_keys),
        "LOOKUP_HASH_KEY": settings.lookup_hash_key or "",
        "PUBLIC_BASE_URL": settings.public_base_url,
    }
    twilio = await _run(
        "channels", "create", "--tenant", tenant.slug, "--provider", "twilio",
        "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN, "--sender", SENDER,
        tmp_path=tmp_path, **keys,
    )  # fmt: skip
    assert twilio.returncode == 0, twilio.stderr
    made = json.loads(twilio.stdout)
    assert made == {
        "channel_id": made["channel_id"],
        "webhook_url": f"{settings.public_base_url}/webhooks/twilio/{made['channel_id']}",
    }
    cloud = await _run(
        "channels", "create", "--tenant", tenant.id, "--provider", "cloud",
        "--phone-number-id", PHONE_NUMBER_ID, "--access-token", ACCESS_TOKEN,
        "--app-secret", APP_SECRET, "--verify-token", VERIFY_TOKEN,
        tmp_path=tmp_path, **keys,
    )  # fmt: skip
    assert cloud.returncode == 0, cloud.stderr
    listed = await _run("channels", "list", "--tenant", tenant.slug, tmp_path=tmp_path, **keys)
    assert listed.returncode == 0, listed.stderr
    channels = json.loads(listed.stdout)
    assert [(c["provider"], c["status"]) for c in channels] == [
        ("twilio", "active"), ("cloud", "active"),
    ]  # fmt: skip
    assert AUTH_TOKEN not in listed.stdout and APP_SECRET not in listed.stdout
    # The app verifies Twilio's signature with the token the CLI stored.
    async with providers(app) as fake:
        accepted = await post_twilio(
            client, settings, made["channel_id"], twilio_message("+254712345678", "Habari")
        )

        async def replied() -> bool:
            return bool(fake.sent)

        await eventually(replied, "the reply to the accepted message")
    assert accepted.status_code == 200


async def test_channels_create_refuses_bad_input_naming_the_field(
    make_tenant: MakeTenant, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    keys = {
        "DATABASE_URL": database_url,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.field_encryption_keys),
        "LOOKUP_HASH_KEY": settings.lookup_hash_key or "",
    }
    missing = await _run(
        "channels", "create", "--tenant", tenant.slug, "--provider", "twilio",
        "--account-sid", ACCOUNT_SID, "--sender", SENDER, tmp_path=tmp_path, **keys,
    )  # fmt: skip
    unknown = await _run("channels", "list", "--tenant", "no-such-shop", tmp_path=tmp_path, **keys)
    assert (missing.returncode, unknown.returncode) == (2, 2)
    assert json.loads(missing.stderr) == {
        "error": "MISSING_FIELD", "message": "authToken is required.", "field": "authToken"
    }  # fmt: skip
    assert json.loads(unknown.stderr)["error"] == "NOT_FOUND"
