"""Every acquire is routed by the tenant contextvar; without a tenant, queries fail closed."""

from __future__ import annotations

import httpx
import pytest
from tortoise.exceptions import OperationalError

from tests.conftest import gql
from wabotiq.core.tenant import current_tenant, tenant_context
from wabotiq.domain.audit.models import AuditEntry
from wabotiq.tenancy.service import tenant_ref

ROLE_CREATE = """
mutation($name: String!) {
  roleCreate(input: {name: $name, description: "custom", scopes: ["catalog:view"]}) {
    userErrors { code message }
  }
}
"""


async def _create_role(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> None:
    body = await gql(client, ROLE_CREATE, {"name": name}, headers)
    assert body["_status"] == 200 and body["data"]["roleCreate"]["userErrors"] == [], body


async def test_tenant_contextvar_fails_closed_without_a_tenant(client, make_tenant):
    a = await make_tenant("Shop A")
    b = await make_tenant("Shop B")
    await _create_role(client, a.key_headers(), "Only in A")  # one audit entry in A, none in B

    assert current_tenant() is None
    with pytest.raises(OperationalError, match="audit_log"):
        await AuditEntry.all()
    with tenant_context(None), pytest.raises(OperationalError, match="audit_log"):
        await AuditEntry.all().count()

    # With a tenant set, the same query reads that tenant's schema and no other.
    with tenant_context(tenant_ref(a.provisioned.tenant)):
        assert [e.operation for e in await AuditEntry.all()] == ["roleCreate"]
    with tenant_context(tenant_ref(b.provisioned.tenant)):
        assert await AuditEntry.all().count() == 0
    assert current_tenant() is None
    with pytest.raises(OperationalError, match="audit_log"):
        await AuditEntry.all()
