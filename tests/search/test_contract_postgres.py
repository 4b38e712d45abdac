"""The backend contract against the Postgres backend (each check's tenants are real schemas)."""

from __future__ import annotations

import pytest

from tests.conftest import MakeTenant
from tests.search.contract import CHECKS, Check, TrigramEmbedder
from wabotiq.search.postgres.backend import PostgresBackend


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
async def test_contract(make_tenant: MakeTenant, check: Check) -> None:
    async def new_tenant() -> str:
        return (await make_tenant()).id

    backend = PostgresBackend()
    embedder = TrigramEmbedder()
    await check(backend, embedder, new_tenant=new_tenant)
