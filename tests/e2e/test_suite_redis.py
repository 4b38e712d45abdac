"""Tests marked `redis` skip without REDIS_URL, unless REQUIRE_REDIS (which CI exports) says
Redis is expected: then they fail, so a CI run that lost its Redis cannot pass having skipped
them. Checked by running the suite's own Redis tests in a pytest subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _redis_tests(**env: str) -> subprocess.CompletedProcess[str]:
    """The event bus's Redis tests, run without REDIS_URL and with `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "REQUIRE_REDIS"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "redis",
         "tests/events/test_bus.py"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip


def test_without_redis_url_redis_tests_skip_saying_why() -> None:
    done = _redis_tests()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped" in done.stdout and "passed" not in done.stdout, done.stdout


@pytest.mark.parametrize("required", ["1", "true"])
def test_with_require_redis_a_missing_redis_url_fails_them(required: str) -> None:
    done = _redis_tests(REQUIRE_REDIS=required)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 errors" in done.stdout and "skipped" not in done.stdout, done.stdout
    assert "REQUIRE_REDIS is set but REDIS_URL is not" in done.stdout, done.stdout
