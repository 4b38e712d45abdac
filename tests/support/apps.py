"""A second app, beside the suite's, for tests that need other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from wabotiq.app import create_app
from wabotiq.core.settings import Settings


@asynccontextmanager
async def app_client(
    settings: Settings, database_url: str, **update: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client over a fresh app built from the test settings with `update` applied."""
    app = create_app(settings.model_copy(update=update), database_url=database_url, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
