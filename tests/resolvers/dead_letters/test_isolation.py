"""A principal of tenant A, holding B's dead-letter IDs, learns and changes nothing of B:
`retryDeadLetter` answers exactly as for an ID that exists nowhere, and B's letter stays
unretried; `deadLetters` lists only A's own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.support.id_coverage import root_fields
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.dead_letters.models import DeadLetter
from wabotiq.domain.dead_letters.service import Failure, record_dead_letter
from wabotiq.graphql.relay import to_global_id

RETRY = """
mutation($id: ID!) {
  retryDeadLetter(input: {id: $id}) {
    deadLetter { id retriedAt }
    userErrors { field message code }
  }
}
"""
LETTERS = "{ deadLetters(first: 50) { totalCount nodes { id taskName } } }"
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(RETRY)


async def test_dead_letter_ids_of_another_tenant_are_as_good_as_unknown(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    now = datetime.now(UTC)
    with tenant_context(TenantRef.of(b.id)):
        letter = await record_dead_letter(
            Failure(
                task_name="test.isolation.b_only",
                task_id=uuid.uuid4().hex,
                error_type="ValueError",
                error_message="B's trouble",
                traceback="",
                attempts=1,
                first_failed_at=now,
                last_failed_at=now,
                tenant_id=b.id,
            )
        )
    b_id = to_global_id("DeadLetter", letter.id)
    unknown_id = to_global_id("DeadLetter", letter.id + 10_000)

    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        sent |= root_fields(RETRY)
        with_b = await gql(client, RETRY, {"id": b_id}, headers)
        with_unknown = await gql(client, RETRY, {"id": unknown_id}, headers)
        assert with_b["data"] == with_unknown["data"], (with_b, with_unknown)
        assert with_b["data"]["retryDeadLetter"]["deadLetter"] is None
        assert [e["code"] for e in with_b["data"]["retryDeadLetter"]["userErrors"]] == ["NOT_FOUND"]
        listed = await gql(client, LETTERS, None, headers)
        assert listed["data"]["deadLetters"] == {"totalCount": 0, "nodes": []}
    assert sent == ATTACKED_FIELDS

    with tenant_context(TenantRef.of(b.id)):
        assert (await DeadLetter.get(id=letter.id)).retried_at is None
    b_listed = await gql(client, LETTERS, None, b.key_headers())
    assert b_listed["data"]["deadLetters"]["nodes"] == [
        {"id": b_id, "taskName": "test.isolation.b_only"}
    ]
