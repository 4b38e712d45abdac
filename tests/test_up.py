"""`wabotiq up` starts the embedded database, serves, and stops both on Ctrl-C or SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


def _wait_until_up(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.startswith("  Ctrl-C"):
            return lines
    process.kill()
    raise AssertionError(f"wabotiq up did not come up: {lines}")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_up_serves_the_demo_tenant_and_stops_the_database_on_signal(tmp_path, stop_signal):
    port = _free_port()
    process = _start(tmp_path, port)
    lines = _wait_until_up(process)
    assert f"WabotIQ is up: http://127.0.0.1:{port}/graphql" in lines
    demo = json.loads((tmp_path / "demo-credentials.json").read_text())
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

    pidfile = tmp_path / "postgres" / "postmaster.pid"
    assert pidfile.exists()
    process.send_signal(stop_signal)
    process.wait(timeout=60)
    assert not pidfile.exists(), "the embedded database was left running"
