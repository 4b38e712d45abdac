"""`deadLetters` pages newest first; `retryDeadLetter` refuses ids that name no letter of the
caller's tenant with userErrors, changing nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.dead_letters.models import DeadLetter
from wabotiq.domain.dead_letters.service import Failure, record_dead_letter
from wabotiq.graphql.relay import to_global_id

PAGE = """
query($first: Int!, $after: String) {
  deadLetters(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { id taskName }
  }
}
"""

RETRY = """
mutation($id: ID!) {
  retryDeadLetter(input: {id: $id}) { deadLetter { id } userErrors { field code } }
}
"""


async def _bury(tenant: TenantFixture, task_name: str) -> DeadLetter:
    now = datetime.now(UTC)
    with tenant_context(TenantRef.of(tenant.id)):
        letter = await record_dead_letter(
            Failure(
                task_name=task_name,
                task_id=uuid.uuid4().hex,
                error_type="ValueError",
                error_message="bad",
                traceback="",
                attempts=1,
                first_failed_at=now,
                last_failed_at=now,
                tenant_id=tenant.id,
            )
        )
    assert isinstance(letter, DeadLetter)
    return letter


async def test_dead_letters_page_newest_first(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    await _bury(tenant, "test.first")
    await _bury(tenant, "test.second")

    first = (await gql(client, PAGE, {"first": 1}, tenant.key_headers()))["data"]["deadLetters"]
    assert first["totalCount"] == 2
    assert [n["taskName"] for n in first["nodes"]] == ["test.second"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(client, PAGE, {"first": 5, "after": after}, tenant.key_headers()))["data"]
    assert [n["taskName"] for n in rest["deadLetters"]["nodes"]] == ["test.first"]
    assert rest["deadLetters"]["pageInfo"]["hasPreviousPage"] is True


async def test_retry_refuses_ids_of_no_letter(client: httpx.AsyncClient, make_tenant: MakeTenant):
    tenant = await make_tenant()
    letter = await _bury(tenant, "test.untouched")
    for given, code in (
        ("not-an-id", "INVALID_ID"),
        (to_global_id("Customer", uuid.uuid4()), "INVALID_ID"),
        (to_global_id("DeadLetter", "12abc"), "INVALID_ID"),
        (to_global_id("DeadLetter", letter.id + 1000), "NOT_FOUND"),
    ):
        body = await gql(client, RETRY, {"id": given}, tenant.key_headers())
        assert body["data"]["retryDeadLetter"] == {
            "deadLetter": None,
            "userErrors": [{"field": ["input", "id"], "code": code}],
        }, given
    with tenant_context(TenantRef.of(tenant.id)):
        assert (await DeadLetter.get(id=letter.id)).retried_at is None
