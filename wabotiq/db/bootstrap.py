"""Pick the database (DATABASE_URL or the embedded server), connect, bring `public` up to date."""

from __future__ import annotations

from dataclasses import dataclass

from wabotiq.core.settings import Settings
from wabotiq.db.connection import close_db, init_db
from wabotiq.db.embedded import EmbeddedPostgres
from wabotiq.db.health import unreachable
from wabotiq.db.migrator import migrate_public


@dataclass
class Database:
    url: str
    embedded: EmbeddedPostgres | None

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def resolve_database(settings: Settings) -> Database:
    """DATABASE_URL when set, else start the embedded server in the data dir."""
    if settings.database_url:
        return Database(url=settings.database_url, embedded=None)
    embedded = EmbeddedPostgres(settings.data_dir / "postgres")
    return Database(url=embedded.start(), embedded=embedded)


async def connect(settings: Settings, database: Database) -> None:
    """Open the pool and migrate `public` (tenant schemas are `wabotiq migrate`'s job); a
    database that cannot be reached or used raises `DatabaseUnreachable`, one line to print."""
    try:
        await init_db(settings, database.url)
    except Exception as exc:
        error = unreachable(database.url, exc)
        if error is None:
            raise
        await close_db()
        raise error from exc
    try:
        await migrate_public()
    except BaseException:
        await close_db()
        raise
