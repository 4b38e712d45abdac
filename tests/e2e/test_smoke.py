from __future__ import annotations

from tests.conftest import bearer_headers, gql


async def test_owner_sees_me_with_all_scopes(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    body = await gql(
        client,
        "{ me { kind scopes tenant { slug } user { email } memberships { role { name } } } }",
        headers=headers,
    )
    assert body.get("errors") is None, body
    me = body["data"]["me"]
    assert me["kind"] == "USER"
    assert me["tenant"]["slug"] == tenant.slug
    assert "users:manage" in me["scopes"]
    assert me["memberships"][0]["role"]["name"] == "Owner"
