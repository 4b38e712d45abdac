"""Whether the database answers: which failures mean "unreachable", and one log line per change."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from typing import Any

import asyncpg
from tortoise.exceptions import DBConnectionError

from wabotiq.core.logs import request_id_var
from wabotiq.core.settings import StartupError
from wabotiq.core.tenant import set_tenant
from wabotiq.db.connection import credentials_from_url, get_pool

logger = logging.getLogger(__name__)

# Failures of the connection rather than of a statement. Requests do no file or socket I/O of
# their own (providers speak through httpx, Redis and Elasticsearch clients, whose errors are not
# OSError), so an OSError met while serving one comes from reaching the database: refused, reset,
# unreachable, a missing socket file, a timeout (TimeoutError is an OSError).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: the connection broke
    asyncpg.AdminShutdownError,  # 57P01: the server was stopped
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.TooManyConnectionsError,  # 53300
)
# asyncpg raises a bare InterfaceError for a connection or pool that is closed; other
# InterfaceErrors are misuse (bugs), which must stay visible as such.
CLOSED_MESSAGES = ("connection is closed", "pool is closed", "pool is closing")
# At start-up these also mean "this database cannot be used", and deserve one line, not a trace.
REFUSALS: tuple[type[BaseException], ...] = (
    asyncpg.InvalidAuthorizationSpecificationError,  # class 28: wrong user or password
    asyncpg.InvalidCatalogNameError,  # 3D000: no such database
    asyncpg.ClientConfigurationError,
    DBConnectionError,  # Tortoise's wrapper of the one above
)

UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
PROBE_INTERVAL_S = 1.0
PROBE_TIMEOUT_S = 5.0


class DatabaseUnreachable(StartupError):
    """The database named by the settings cannot be reached or used."""


def _causes(exc: BaseException | None) -> list[BaseException]:
    """`exc` and what it was raised from (or while handling), as a traceback would show them."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return chain


def connection_error(exc: BaseException | None) -> BaseException | None:
    """The connection-level failure behind `exc`, or None for anything else (SQL errors such as
    a constraint violation, bugs)."""
    for cause in _causes(exc):
        if isinstance(cause, CONNECTION_ERRORS):
            return cause
        if isinstance(cause, asyncpg.InterfaceError) and any(
            message in str(cause) for message in CLOSED_MESSAGES
        ):
            return cause
    return None


def describe(exc: BaseException) -> str:
    """One line about a failure, for logs and the command line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, OSError) else f"{type(exc).__name__}: {text}"


def unreachable(url: str, exc: BaseException) -> DatabaseUnreachable | None:
    """The start-up error for a failure to open `url`, or None when it is no such failure."""
    cause = connection_error(exc) or next(
        (c for c in _causes(exc) if isinstance(c, REFUSALS)), None
    )
    if cause is None:
        return None
    creds = credentials_from_url(url)  # never the password
    where = f"{creds['host']}:{creds['port']}/{creds['database']}"
    return DatabaseUnreachable(f"cannot use the database at {where}: {describe(cause)}")


def unavailable_error(retry_after_s: int) -> dict[str, Any]:
    """The GraphQL error, as JSON, that answers a request the database could not serve."""
    return {
        "message": f"The database is unavailable; retry in {retry_after_s} seconds.",
        "extensions": {"code": UNAVAILABLE_CODE, "retryAfter": retry_after_s},
    }


async def ping() -> None:
    async with get_pool().acquire() as connection:
        await connection.fetchval("SELECT 1")


class QuietConnectionFailures(logging.Filter):
    """For asyncpg's pool, which retries its minimum of connections with a backoff and logs every
    failed try with a traceback: the database health logs the outage once instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and connection_error(record.exc_info[1]))


_QUIET = QuietConnectionFailures()


def _quiet_pool_logs() -> None:
    """The pool's own failure tracebacks give way to this health's one line per outage."""
    pool_logger = logging.getLogger("asyncpg.pool")
    if _QUIET not in pool_logger.filters:
        pool_logger.addFilter(_QUIET)


class DatabaseHealth:
    """Whether the database answered last: one log line when it stops and one when it is back
    (not a traceback per request); while it is down, a background probe watches for its return."""

    def __init__(self, *, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        _quiet_pool_logs()
        self.down_since: float | None = None
        self._watch: asyncio.Task[None] | None = None

    def failed(self, exc: BaseException) -> None:
        """Note a connection-level failure; the first after a healthy spell is logged."""
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        logger.warning("database unavailable", extra={"reason": describe(exc)})
        # A copy of the caller's context (the ORM's connections live in it), cleared of the
        # request's id and tenant inside the task (the probe routes nowhere).
        self._watch = asyncio.get_running_loop().create_task(
            self._watch_until_up(), context=contextvars.copy_context()
        )

    def recovered(self) -> None:
        if self.down_since is None:
            return
        down_s = round(time.monotonic() - self.down_since, 1)
        self.down_since = None
        logger.info("database available again", extra={"down_s": down_s})

    async def check(self) -> BaseException | None:
        """Probe the database now; returns the failure, if any (only connection-level failures
        count as the database being down)."""
        try:
            await asyncio.wait_for(ping(), PROBE_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - the caller reports it
            cause = connection_error(exc)
            if cause is not None:
                self.failed(cause)
            return exc
        self.recovered()
        return None

    async def _watch_until_up(self) -> None:
        set_tenant(None)
        request_id_var.set(None)
        while self.down_since is not None:
            await asyncio.sleep(PROBE_INTERVAL_S)
            await self.check()

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
