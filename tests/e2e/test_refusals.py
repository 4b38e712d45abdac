"""Refusals say what is actually missing: the tenant header, or every scope that would do."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import MakeTenant, TenantFixture, gql, login
from tests.factories.orders import key_with_scopes


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


async def test_a_token_without_a_tenant_header_is_told_to_send_it(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    session = await login(client, tenant.owner_email, tenant.password)
    headers = {"Authorization": f"Bearer {session['session']['accessToken']}"}

    body = await gql(client, "{ products { totalCount } }", headers=headers)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "TENANT_REQUIRED",
        "fields": ["Query.products"],
        "missingScopes": ["catalog:view"],
    }
    assert "X-Tenant-ID" in error["message"]
    assert "Query.products needs catalog:view" in error["message"]

    # What needs no tenant still works, and with the header the owner holds the scope.
    me = await gql(client, "{ me { kind tenant { tenantId } } }", headers=headers)
    assert me["data"]["me"] == {"kind": "USER", "tenant": None}, me
    chosen = {**headers, "X-Tenant-ID": tenant.id}
    products = await gql(client, "{ products { totalCount } }", headers=chosen)
    assert products.get("errors") is None and products["data"]["products"]["totalCount"] == 0


async def test_a_field_any_of_several_scopes_opens_names_them_all(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    viewer = await key_with_scopes(client, tenant, ["catalog:view"])
    body = await gql(client, "{ apiKeys { totalCount } }", headers=viewer)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["fields"] == ["Query.apiKeys"]
    assert "Query.apiKeys needs users:manage or integrations:manage" in error["message"]
    # Machine-readable: what one of the alternatives lacks.
    assert error["extensions"]["missingScopes"] in (["users:manage"], ["integrations:manage"])

    # Several refused fields: each with what would open it.
    both = await gql(client, "{ apiKeys { totalCount } orders { totalCount } }", headers=viewer)
    [error] = both["errors"]
    assert error["extensions"]["fields"] == ["Query.apiKeys", "Query.orders"]
    assert "Query.apiKeys needs users:manage or integrations:manage" in error["message"]
    assert "Query.orders needs orders:view" in error["message"]
    assert "orders:view" in error["extensions"]["missingScopes"]
