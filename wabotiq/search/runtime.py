"""The process's search engine, built from settings on first use: Elasticsearch when
ELASTICSEARCH_URL is set, else Postgres; the embedder from the LLM settings (offline default)."""

from __future__ import annotations

from wabotiq.core.settings import Settings, get_settings
from wabotiq.search.backend import SearchBackend
from wabotiq.search.engine import SearchEngine

_engine: SearchEngine | None = None


def make_backend(settings: Settings) -> SearchBackend:
    if settings.elasticsearch_url:
        from wabotiq.search.elastic.backend import make_elastic_backend

        return make_elastic_backend(
            settings.elasticsearch_url,
            index_prefix=settings.elasticsearch_index_prefix,
            server_side_rrf=settings.elasticsearch_server_side_rrf,
            write_timeout_s=settings.elasticsearch_write_timeout_s,
        )
    from wabotiq.search.postgres.backend import PostgresBackend

    return PostgresBackend()


def make_engine(settings: Settings) -> SearchEngine:
    from wabotiq.search.embedders import make_embedder

    return SearchEngine(make_backend(settings), make_embedder(settings))


def configure(settings: Settings) -> SearchEngine:
    """Use an engine built from these settings in this process (the app calls this)."""
    global _engine
    if _engine is None:
        _engine = make_engine(settings)
    return _engine


def get_engine() -> SearchEngine:
    return configure(get_settings())


async def close() -> None:
    global _engine
    if _engine is not None:
        await _engine.backend.close()
        _engine = None
