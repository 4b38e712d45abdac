"""A principal of tenant A, holding B's conversation IDs, learns nothing of B's assistant:
`interactions(conversationId:)` answers as for an ID that exists nowhere, and the unfiltered
list holds only A's own turns."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.factories.assistant import conversations, interaction
from tests.support.id_coverage import root_fields
from wabotiq.graphql.relay import to_global_id

OF_CONVERSATION = """
query($id: ID) {
  interactions(conversationId: $id, first: 50) { totalCount nodes { id intent } }
}
"""
ALL = "{ interactions(first: 50) { totalCount nodes { intent conversation { id } } } }"
# Everything this module sends with another tenant's IDs; the test checks it sends them all.
ATTACKED_FIELDS = root_fields(OF_CONVERSATION)


async def test_interactions_of_another_tenants_conversation_are_as_good_as_unknown(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    cipher = app.state.runtime.cipher
    (a_conversation,) = await conversations(a, cipher, 1)
    (b_conversation,) = await conversations(b, cipher, 1)
    await interaction(a, a_conversation, intent="greeting")
    await interaction(b, b_conversation, intent="b_only")
    b_id = to_global_id("Conversation", b_conversation)
    unknown_id = to_global_id("Conversation", uuid.uuid4())

    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        sent |= root_fields(OF_CONVERSATION)
        with_b = await gql(client, OF_CONVERSATION, {"id": b_id}, headers)
        with_unknown = await gql(client, OF_CONVERSATION, {"id": unknown_id}, headers)
        assert with_b["data"] == with_unknown["data"], (with_b, with_unknown)
        assert with_b["data"]["interactions"] == {"totalCount": 0, "nodes": []}
        listed = await gql(client, ALL, None, headers)
        assert listed["data"]["interactions"] == {
            "totalCount": 1,
            "nodes": [
                {
                    "intent": "greeting",
                    "conversation": {"id": to_global_id("Conversation", a_conversation)},
                }
            ],
        }
    assert sent == ATTACKED_FIELDS

    b_listed = await gql(client, OF_CONVERSATION, {"id": b_id}, b.key_headers())
    assert [n["intent"] for n in b_listed["data"]["interactions"]["nodes"]] == ["b_only"]
