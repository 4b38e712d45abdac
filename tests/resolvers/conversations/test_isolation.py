"""A principal of tenant A, holding B's conversation and member IDs, reads, sends, assigns,
releases and resolves nothing of B's: each answers exactly as for an ID that exists nowhere."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.support.id_coverage import root_fields
from tests.support.polling import eventually
from tests.support.whatsapp import post_twilio, providers, twilio_channel, twilio_message
from wabotiq.agent.turn import Reply, Turn
from wabotiq.core.settings import Settings
from wabotiq.graphql.relay import to_global_id

ERRORS = "userErrors { field code message }"
ONE = "query($id: ID!) { conversation(id: $id) { id status messages(first: 5) { totalCount } } }"
LIST = """
query($member: ID!) {
  conversations(filter: {assigneeId: $member}, first: 10) { totalCount nodes { id } }
}
"""
SEND = f"""
mutation($id: ID!) {{
  sendMessage(input: {{conversationId: $id, text: "pwned"}}) {{ message {{ text }} {ERRORS} }}
}}
"""
ASSIGN = f"""
mutation($id: ID!, $member: ID!) {{
  assignConversation(input: {{id: $id, assigneeId: $member}}) {{ conversation {{ id }} {ERRORS} }}
}}
"""
RELEASE = f"""
mutation($id: ID!) {{ releaseToBot(input: {{id: $id}}) {{ conversation {{ id }} {ERRORS} }} }}
"""
RESOLVE = f"""
mutation($id: ID!) {{
  resolveConversation(input: {{id: $id}}) {{ conversation {{ id }} {ERRORS} }}
}}
"""
B_VIEW = "{ conversations(first: 10) { nodes { id status messages(first: 10) { totalCount } } } }"
MEMBERS = "{ members(first: 5) { nodes { id } } }"
ATTACKED_FIELDS = root_fields(ONE, LIST, SEND, ASSIGN, RELEASE, RESOLVE)


class Quiet:
    async def respond(self, turn: Turn) -> Reply:
        return Reply(texts=["ok"])


async def _data(client: httpx.AsyncClient, headers: dict[str, str], query: str, **v: Any):
    body = await gql(client, query, v, headers)
    assert body["_status"] == 200 and "errors" not in body, body
    return body["data"]


async def test_conversation_ids_of_another_tenant_are_as_good_as_unknown(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    channel = await twilio_channel(b.id, app.state.runtime.cipher)
    async with providers(app, Quiet()) as fake:
        await post_twilio(client, settings, channel.id, twilio_message("+254712345678", "Hi"))

        async def replied() -> bool:
            return len(fake.sent) == 1

        await eventually(replied, "B's customer got the reply")
    b_before = await _data(client, b.key_headers(), B_VIEW)
    (b_conversation,) = b_before["conversations"]["nodes"]
    (b_member,) = (await _data(client, b.key_headers(), MEMBERS))["members"]["nodes"]
    (a_member,) = (await _data(client, a.key_headers(), MEMBERS))["members"]["nodes"]
    unknown = to_global_id("Conversation", uuid.uuid4())
    unknown_member = to_global_id("Member", uuid.uuid4())
    cases = [
        (ONE, {"id": b_conversation["id"]}, {"id": unknown}),
        (LIST, {"member": b_member["id"]}, {"member": unknown_member}),
        (SEND, {"id": b_conversation["id"]}, {"id": unknown}),
        (ASSIGN, {"id": b_conversation["id"], "member": a_member["id"]},
         {"id": unknown, "member": a_member["id"]}),
        (RELEASE, {"id": b_conversation["id"]}, {"id": unknown}),
        (RESOLVE, {"id": b_conversation["id"]}, {"id": unknown}),
    ]  # fmt: skip
    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for query, with_b_ids, with_unknown_ids in cases:
            sent |= root_fields(query)
            with_b = await _data(client, headers, query, **with_b_ids)
            with_unknown = await _data(client, headers, query, **with_unknown_ids)
            assert with_b == with_unknown, (query, with_b, with_unknown)
            (payload,) = with_b.values()
            if payload is not None and "userErrors" in payload:
                assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], payload
            elif payload is not None:
                assert payload["totalCount"] == 0, payload
    assert sent == ATTACKED_FIELDS
    assert await _data(client, b.key_headers(), B_VIEW) == b_before
    assert len(fake.sent) == 1
