"""`interactions` and `Conversation.interactions` list the records the domain service wrote,
newest first, paged, with what each turn did and cost; their SQL statements do not grow with
the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.assistant import conversations, interaction
from wabotiq.graphql.relay import to_global_id

NODE = """
  id intent understood language tier provider model tokensIn tokensOut costUsd latencyMs
  tools failoverHops hops { provider answered attempts failure error } handoff createdAt
  conversation { id status }
"""
LIST = f"""
query($conversationId: ID, $first: Int!, $after: String) {{
  interactions(conversationId: $conversationId, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    nodes {{ {NODE} }}
  }}
}}
"""
OF_CONVERSATION = """
query($id: ID!) {
  conversation(id: $id) { interactions(first: 5) { totalCount nodes { intent } } }
}
"""
HOPS = [
    {
        "provider": "openai",
        "answered": False,
        "attempts": 3,
        "failure": "timeout",
        "error": "openai: timeout: no answer within 20 s",
    },
    {"provider": "gemini", "answered": True, "attempts": 1, "failure": None, "error": None},
]


async def _list(
    client: httpx.AsyncClient, tenant: TenantFixture, **variables: Any
) -> dict[str, Any]:
    body = await gql(client, LIST, {"first": 50, **variables}, tenant.key_headers())
    assert "errors" not in body, body
    return body["data"]["interactions"]


async def test_a_conversations_interactions_newest_first_with_what_each_did(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    first, second = await conversations(tenant, app.state.runtime.cipher, 2)
    await interaction(tenant, first, intent="greeting")
    await interaction(tenant, second, intent="book")
    await interaction(tenant, first, intent="price", understood=False)
    answered = await interaction(
        tenant, first, intent="add_to_cart", language="sw", tier="llm", provider="gemini",
        model="gemini-2.0-flash", tokens_in=812, tokens_out=64, cost_usd=0.0001234567,
        latency_ms=412.345, tools=[{"name": "view_cart"}, {"name": "add_to_cart", "qty": 1}],
        hops=HOPS, handoff=True,
    )  # fmt: skip
    conversation_id = to_global_id("Conversation", first)

    page = await _list(client, tenant, conversationId=conversation_id, first=2)
    rest = await _list(
        client, tenant, conversationId=conversation_id, after=page["pageInfo"]["endCursor"]
    )
    everything = await _list(client, tenant)

    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    newest, older = page["nodes"]
    assert newest == {
        "id": to_global_id("Interaction", answered.id),
        "intent": "add_to_cart",
        "understood": True,
        "language": "sw",
        "tier": "LLM",
        "provider": "gemini",
        "model": "gemini-2.0-flash",
        "tokensIn": 812,
        "tokensOut": 64,
        "costUsd": "0.000123",
        "latencyMs": 412.35,
        "tools": ["view_cart", "add_to_cart"],
        "failoverHops": 1,
        "hops": HOPS,
        "handoff": True,
        "createdAt": answered.created_at.isoformat(),
        "conversation": {"id": conversation_id, "status": "BOT"},
    }
    assert (older["intent"], older["understood"], older["tier"], older["costUsd"]) == (
        "price",
        False,
        "OFFLINE",
        None,
    )
    assert (older["failoverHops"], older["hops"], older["tools"]) == (0, [], [])
    assert [n["intent"] for n in rest["nodes"]] == ["greeting"]
    assert rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    assert [n["intent"] for n in everything["nodes"]] == [
        "add_to_cart",
        "price",
        "book",
        "greeting",
    ]
    of_conversation = await gql(
        client, OF_CONVERSATION, {"id": conversation_id}, tenant.key_headers()
    )
    assert of_conversation["data"]["conversation"]["interactions"] == {
        "totalCount": 3,
        "nodes": [{"intent": "add_to_cart"}, {"intent": "price"}, {"intent": "greeting"}],
    }


async def test_a_conversation_id_that_is_not_one_is_refused(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    for given in ("nonsense", to_global_id("Customer", "00000000-0000-0000-0000-000000000000")):
        body = await gql(client, LIST, {"conversationId": given, "first": 5}, tenant.key_headers())
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", given


async def test_interactions_need_conversations_view(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    made = await gql(
        client,
        'mutation { apiKeyCreate(input: {name: "i", scopes: ["integrations:manage"]}) { secret } }',
        None,
        tenant.key_headers(),
    )
    manager = tenant.key_headers(made["data"]["apiKeyCreate"]["secret"])

    body = await gql(client, LIST, {"first": 5}, manager)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["missingScopes"] == ["conversations:view"]


PAGE = """
query($first: Int!) {
  conversations(first: $first) {
    nodes { id interactions(first: 2) { totalCount nodes { intent tools conversation { id } } } }
  }
  interactions(first: 50) { totalCount nodes { intent conversation { id } } }
}
"""


async def _statements(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    count_statements: Callable[[], Any],
    first: int,
) -> tuple[int, dict[str, Any]]:
    await gql(client, PAGE, {"first": first}, tenant.key_headers())  # warm caches and keys
    with count_statements() as statements:
        body = await gql(client, PAGE, {"first": first}, tenant.key_headers())
    assert "errors" not in body, body
    return len(statements), body["data"]


async def test_interaction_pages_statements_do_not_grow_with_their_size(
    app: Any,
    client: httpx.AsyncClient,
    make_tenant: MakeTenant,
    count_statements: Callable[[], Any],
):
    small, large = await make_tenant(), await make_tenant()
    for tenant, count in ((small, 2), (large, 12)):
        for conversation_id in await conversations(tenant, app.state.runtime.cipher, count):
            for intent in ("greeting", "price", "add_to_cart"):
                await interaction(tenant, conversation_id, intent=intent, tools=[{"name": "x"}])

    few, small_page = await _statements(client, small, count_statements, 2)
    many, large_page = await _statements(client, large, count_statements, 12)

    nodes = large_page["conversations"]["nodes"]
    assert len(small_page["conversations"]["nodes"]) == 2 and len(nodes) == 12
    for node in nodes:
        assert node["interactions"]["totalCount"] == 3
        assert [n["intent"] for n in node["interactions"]["nodes"]] == ["add_to_cart", "price"]
        assert {n["conversation"]["id"] for n in node["interactions"]["nodes"]} == {node["id"]}
    assert large_page["interactions"]["totalCount"] == 36
    # The key; the conversations page (ids and total) and its rows; their interactions: ranked
    # ids, totals, rows; the interactions page's total and rows; the interactions' conversations
    # (one batch for the interactions of both lists).
    assert few == many == 9
