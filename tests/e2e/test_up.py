"""`wabotiq up` starts the embedded database, serves, and stops both on Ctrl-C, SIGTERM or SIGHUP;
the last process to use the embedded database stops it, whatever the order."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

SCRUBBED = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "JWT_KEYS", "JWT_ACTIVE_KID")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(DATA_DIR=str(data_dir), PORT=str(port))
    return subprocess.Popen(
        [sys.executable, "-m", "wabotiq.cli", "up"],
        env=env,
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_until_up(process: subprocess.Popen[str], deadline_s: float = 90) -> list[str]:
    """The lines `up` prints until it says how to stop it. A thread reads its output (and keeps
    draining it), so a server that stalls without a word fails the test at the deadline instead
    of hanging it on a blocked read."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)  # end of output: the process is gone

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + deadline_s
    with contextlib.suppress(queue.Empty):
        while (line := lines.get(timeout=max(0.0, deadline - time.monotonic()))) is not None:
            seen.append(line.strip())
            if line.startswith("  Ctrl-C"):
                return seen
    process.kill()
    process.wait(timeout=120)
    raise AssertionError(f"wabotiq up did not come up: {seen}")


def _servers(data_dir: Path) -> list[psutil.Process]:
    """The postgres server running on this data dir, if any, by its process (not its pid file)."""
    pgdata = str((data_dir / "postgres").resolve())
    return [
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres" and pgdata in (process.info["cmdline"] or [])
    ]


def _server_running(data_dir: Path) -> bool:
    return bool(_servers(data_dir))


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh DATA_DIR; what a failing test left running on it (our commands run in it) and
    its server are stopped after."""
    yield tmp_path
    for process in psutil.process_iter(["cwd"]):
        if process.info["cwd"] == str(tmp_path):
            process.kill()
    for process in _servers(tmp_path):
        process.terminate()


@pytest.mark.parametrize(
    "stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name
)
def test_up_serves_the_demo_tenant_and_stops_the_database_on_signal(data_dir, stop_signal):
    port = _free_port()
    process = _start(data_dir, port)
    lines = _wait_until_up(process)
    assert f"WabotIQ is up: http://127.0.0.1:{port}/graphql" in lines
    demo = json.loads((data_dir / "demo-credentials.json").read_text())
    assert any(demo["api_key"] in line for line in lines)
    assert any(demo["owner_email"] in line for line in lines)

    def graphql(query: str) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={
                "content-type": "application/json",
                "X-Tenant-ID": demo["tenant_id"],
                "X-Tenant-API-Key": demo["api_key"],
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    assert graphql("{ me { tenant { slug } } }")["data"]["me"]["tenant"]["slug"] == "demo"

    if stop_signal == signal.SIGINT:
        # The demo catalog gets indexed in the background: a customer's question finds it.
        search = """{ search(query: "Niaje, una laptop ngapi?", first: 3) {
            hits { ... on ProductSearchHit { product { sku } } } } }"""
        deadline = time.monotonic() + 120
        while not (hits := graphql(search)["data"]["search"]["hits"]):
            assert time.monotonic() < deadline, "the demo catalog was not indexed"
            time.sleep(0.5)
        assert all(hit["product"]["sku"].startswith("LP-") for hit in hits)

    pidfile = data_dir / "postgres" / "postmaster.pid"
    assert pidfile.exists()
    process.send_signal(stop_signal)
    process.wait(timeout=120)
    assert not pidfile.exists(), "the embedded database was left running"


# Who stops the embedded server ---------------------------------------------------------------


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "wabotiq.cli", *args],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _holding(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """A CLI command that joins the embedded server, then blocks reading a FIFO (its last
    argument) until the test writes to it."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(DATA_DIR=str(data_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "wabotiq.cli", *args],
        env=env,
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while process.pid not in _users(data_dir):
        assert process.poll() is None, process.communicate(timeout=60)
        assert time.monotonic() < deadline, "the command never joined the server"
        time.sleep(0.2)
    return process


def _users(data_dir: Path) -> list[int]:
    """The pids registered as users of the embedded server (the wheel's own list)."""
    try:
        return json.loads((data_dir / "postgres" / ".handle_pids.json").read_text())
    except (OSError, ValueError):  # not there yet, or caught mid-write
        return []


def _me(port: int, demo: dict[str, str]) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": "{ me { tenant { slug } } }"}).encode(),
        headers={
            "content-type": "application/json",
            "X-Tenant-ID": demo["tenant_id"],
            "X-Tenant-API-Key": demo["api_key"],
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]["me"]["tenant"]["slug"]


def test_a_cli_command_stops_the_server_it_started_and_one_a_killed_up_left(data_dir):
    listed = _cli(data_dir, "tenants", "list")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    assert not _server_running(data_dir)

    # `up` killed outright cannot stop its server, nor leave the list of its users.
    process = _start(data_dir, _free_port())
    _wait_until_up(process)
    process.kill()
    process.wait(timeout=120)
    assert _server_running(data_dir)

    # The next command joins that server, finds itself its last user, and stops it.
    listed = _cli(data_dir, "tenants", "list")
    assert listed.returncode == 0, listed.stderr
    assert [row["slug"] for row in json.loads(listed.stdout)] == ["demo"]
    assert not _server_running(data_dir)


def _write_fifo(fifo: Path, text: str, deadline_s: float = 60) -> None:
    """Write `text` to a FIFO once a reader has it open (a plain open would block for ever if
    the reader never came)."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:  # ENXIO: no reader yet
            assert exc.errno == errno.ENXIO and time.monotonic() < deadline, exc
            time.sleep(0.1)
    try:
        os.write(fd, text.encode())  # small: fits the pipe's buffer at once
    finally:
        os.close(fd)


def _finish_import(importer: subprocess.Popen[str], fifo: Path) -> None:
    """Feed the blocked `catalog import` one new product (named after its FIFO) and let it end."""
    product = {"sku": fifo.stem, "name": "Nokia 105", "price": "2500", "stock": 3}
    _write_fifo(fifo, json.dumps({"tenant": {"currency": "KES"}, "products": [product]}))
    out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err
    assert json.loads(out)["created"] == 1


def test_up_and_a_cli_command_share_the_server_and_the_last_to_leave_stops_it(data_dir):
    made = _cli(data_dir, "tenants", "create", "--name", "Shop", "--slug", "shop",
                "--owner-email", "owner@shop.example.com")  # fmt: skip
    assert made.returncode == 0, made.stderr
    port = _free_port()

    # A command started the server; `up` joins it; the command ends and `up` keeps serving.
    fifo = data_dir / "catalog-1.fifo"
    os.mkfifo(fifo)
    importer = _holding(data_dir, "catalog", "import", "--tenant", "shop", str(fifo))
    up = _start(data_dir, port)
    _wait_until_up(up)
    demo = json.loads((data_dir / "demo-credentials.json").read_text())
    # A second `up` on the same port says so in one line, and leaves the server alone.
    second = _cli(data_dir, "up", "--port", str(port))
    assert second.returncode != 0 and second.stdout == ""
    assert second.stderr.startswith("wabotiq: cannot listen on") and second.stderr.count("\n") == 1
    _finish_import(importer, fifo)
    assert _server_running(data_dir)
    assert _me(port, demo) == "demo"
    up.send_signal(signal.SIGINT)
    up.wait(timeout=120)
    assert not _server_running(data_dir)

    # The other order: `up` ends first, and the command still using the server stops it.
    fifo = data_dir / "catalog-2.fifo"
    os.mkfifo(fifo)
    importer = _holding(data_dir, "catalog", "import", "--tenant", "shop", str(fifo))
    up = _start(data_dir, port)
    _wait_until_up(up)
    up.send_signal(signal.SIGINT)
    up.wait(timeout=120)
    assert _server_running(data_dir) and importer.poll() is None
    _finish_import(importer, fifo)
    assert not _server_running(data_dir)
