"""A principal of tenant A, holding B's channel IDs, changes, tests, disables and learns
nothing of B's channels: every channels field taking an ID answers as for an unknown ID."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import MakeTenant, bearer_headers, gql
from tests.support.id_coverage import root_fields
from tests.support.whatsapp import ACCOUNT_SID, AUTH_TOKEN
from wabotiq.graphql.relay import to_global_id

ERRORS = "userErrors { field code message }"
UPDATE = f"""
mutation($id: ID!) {{
  updateChannel(input: {{id: $id, name: "pwned", authToken: "pwned"}}) {{
    channel {{ id }} {ERRORS}
  }}
}}
"""
DISABLE = f"""
mutation($id: ID!) {{ disableChannel(input: {{id: $id}}) {{ channel {{ id }} {ERRORS} }} }}
"""
TEST = f"""
mutation($id: ID!) {{ testChannel(input: {{id: $id}}) {{ ok providerName detail {ERRORS} }} }}
"""
CREATE = """
mutation($input: CreateChannelInput!) { createChannel(input: $input) { channel { id } } }
"""
CHANNELS = "{ channels(first: 10) { totalCount nodes { id name active webhookUrl } } }"
ATTACKED_FIELDS = root_fields(UPDATE, DISABLE, TEST)


async def _data(client: httpx.AsyncClient, headers: dict[str, str], query: str, **v: Any):
    body = await gql(client, query, v, headers)
    assert body["_status"] == 200 and "errors" not in body, body
    return body["data"]


async def test_channel_ids_of_another_tenant_are_as_good_as_unknown(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    a, b = await make_tenant("Shop A"), await make_tenant("Shop B")
    spec = {"provider": "TWILIO", "name": "B's number", "accountSid": ACCOUNT_SID,
            "authToken": AUTH_TOKEN, "sender": "+254700000009"}  # fmt: skip
    b_channel = (await _data(client, b.key_headers(), CREATE, input=spec))["createChannel"]
    b_id = b_channel["channel"]["id"]
    b_before = await _data(client, b.key_headers(), CHANNELS)
    unknown = to_global_id("Channel", uuid.uuid4())
    sent: set[str] = set()
    for headers in (a.key_headers(), await bearer_headers(client, a)):
        for query in (UPDATE, DISABLE, TEST):
            sent |= root_fields(query)
            with_b = await _data(client, headers, query, id=b_id)
            with_unknown = await _data(client, headers, query, id=unknown)
            assert with_b == with_unknown, (query, with_b, with_unknown)
            (payload,) = with_b.values()
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], payload
        assert (await _data(client, headers, CHANNELS))["channels"]["totalCount"] == 0
    assert sent == ATTACKED_FIELDS
    assert await _data(client, b.key_headers(), CHANNELS) == b_before
