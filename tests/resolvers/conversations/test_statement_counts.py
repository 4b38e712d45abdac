"""The inbox page's SQL statements do not grow with its size: conversations, their
customers, assignees and messages each come in a fixed number of statements."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.support.whatsapp import twilio_channel
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import MessageKind

PAGE = """
query($first: Int!) {
  conversations(first: $first) {
    totalCount
    nodes {
      id status windowOpen assigneeEmail customer { name phone }
      messages(first: 5) { totalCount nodes { text direction status } }
    }
  }
}
"""


async def _conversations(tenant: TenantFixture, cipher: FieldCipher, count: int) -> None:
    """`count` customers wrote twice each; a person took every conversation."""
    channel = await twilio_channel(tenant.id, cipher)
    owner_id = tenant.provisioned.owner.id
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            for n in range(count):
                for text in ("Habari", "Bei gani?"):
                    message = InboundMessage(
                        provider_message_id=f"SM{uuid.uuid4().hex}",
                        phone=f"+2547{n:08d}",
                        kind=MessageKind.TEXT,
                        text=text,
                        profile_name=f"Customer {n}",
                    )
                    recorded = await service.record_inbound(
                        cipher=cipher, channel_id=channel.id, message=message
                    )
                await service.take_over(
                    conversation_id=recorded.conversation_id, assignee_id=owner_id
                )


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


async def test_the_inbox_page_statements_do_not_grow_with_its_size(
    app: Any,
    client: httpx.AsyncClient,
    make_tenant: MakeTenant,
    count_statements: Callable[[], Any],
) -> None:
    small, large = await make_tenant(), await make_tenant()
    await _conversations(small, app.state.runtime.cipher, 3)
    await _conversations(large, app.state.runtime.cipher, 30)
    few, small_page = await _statements(client, small, count_statements, 3)
    many, large_page = await _statements(client, large, count_statements, 30)
    nodes = large_page["conversations"]["nodes"]
    assert len(small_page["conversations"]["nodes"]) == 3 and len(nodes) == 30
    assert all(n["messages"]["totalCount"] == 2 for n in nodes)
    assert all(n["customer"]["name"].startswith("Customer ") for n in nodes)
    assert {n["assigneeEmail"] for n in nodes} == {large.owner_email}
    # The key, the page, its conversations; customers; assignees; messages: ranked ids,
    # totals, rows.
    assert few == many == 8
