"""The support inbox through GraphQL: conversations found by status, unread and customer,
read with their messages both ways; a person's message sent through the assistant's outbound
path (window rule included) takes the conversation; assign, release, resolve; live events."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, bearer_headers, gql
from tests.support.polling import eventually
from tests.support.sockets import acknowledged, listening, next_events, socket
from tests.support.whatsapp import (
    FakeProviders,
    cloud_channel,
    meta_notification,
    meta_text,
    meta_value,
    post_meta,
    post_twilio,
    providers,
    twilio_channel,
    twilio_message,
)
from wabotiq.agent.turn import Reply, Turn
from wabotiq.core.settings import Settings

ERRORS = "userErrors { field code message }"
CONVERSATION = """id status language windowOpen assigneeEmail lastInboundAt
  customer { name phone }
  messages(first: 10) { totalCount nodes { direction author kind text status errorCode } }"""
LIST = f"""
query($filter: ConversationFilter) {{
  conversations(filter: $filter, first: 20) {{ totalCount nodes {{ {CONVERSATION} }} }}
}}
"""
ONE = f"query($id: ID!) {{ conversation(id: $id) {{ {CONVERSATION} }} }}"
SEND = f"""
mutation($input: SendMessageInput!) {{
  sendMessage(input: $input) {{
    message {{ direction author kind text status }} conversation {{ id status assigneeEmail }}
    {ERRORS}
  }}
}}
"""
RELEASE = f"""
mutation($id: ID!) {{ releaseToBot(input: {{id: $id}}) {{ conversation {{ status }} {ERRORS} }} }}
"""
RESOLVE = f"""
mutation($id: ID!) {{
  resolveConversation(input: {{id: $id}}) {{ conversation {{ status }} {ERRORS} }}
}}
"""
ASSIGN = f"""
mutation($id: ID!, $member: ID!) {{
  assignConversation(input: {{id: $id, assigneeId: $member}}) {{
    conversation {{ status assigneeEmail }} {ERRORS}
  }}
}}
"""
MEMBERS = "{ members(first: 5) { nodes { id email } } }"
WANJIKU, OTIENO = "+254712345678", "+254722000111"


class Echo:
    def __init__(self) -> None:
        self.turns: list[list[str]] = []

    async def respond(self, turn: Turn) -> Reply:
        texts = [message.text for message in turn.messages]
        self.turns.append(texts)
        return Reply(texts=["got: " + " | ".join(texts)])


async def _data(client: httpx.AsyncClient, headers: dict[str, str], query: str, **v: Any):
    body = await gql(client, query, v, headers)
    assert body["_status"] == 200 and "errors" not in body, body
    return body["data"]


async def _posts(fake: FakeProviders, count: int) -> None:
    async def enough() -> bool:
        return len(fake.sent) >= count

    await eventually(enough, f"{count} messages sent to the provider")


async def _by_customer(client: httpx.AsyncClient, headers: dict[str, str], **filter: Any):
    data = await _data(client, headers, LIST, filter=filter or None)
    return {c["customer"]["name"]: c for c in data["conversations"]["nodes"]}


async def _shop(app: Any, client, make_tenant: MakeTenant, settings: Settings, fake, echo):
    """A tenant whose two customers wrote on Twilio and got the assistant's replies."""
    tenant = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    await post_twilio(client, settings, channel.id, twilio_message(WANJIKU, "Niaje"))
    await _posts(fake, 1)
    otieno = twilio_message(OTIENO, "Bei ya TV?", ProfileName="Otieno")
    await post_twilio(client, settings, channel.id, otieno)
    await _posts(fake, 2)
    return tenant, channel


async def test_conversations_are_listed_filtered_and_read_with_their_messages(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    echo = Echo()
    async with providers(app, echo) as fake:
        tenant, channel = await _shop(app, client, make_tenant, settings, fake, echo)
        headers = tenant.key_headers()
        every = await _by_customer(client, headers)
        assert set(every) == {"Wanjiku", "Otieno"}
        wanjiku = every["Wanjiku"]
        assert (wanjiku["status"], wanjiku["windowOpen"], wanjiku["customer"]["phone"]) == (
            "BOT", True, WANJIKU,
        )  # fmt: skip
        assert wanjiku["messages"]["totalCount"] == 2
        assert [(m["direction"], m["author"], m["text"], m["status"])
                for m in wanjiku["messages"]["nodes"]] == [
            ("OUTBOUND", "BOT", "got: Niaje", "ACCEPTED"),
            ("INBOUND", "CUSTOMER", "Niaje", "RECEIVED"),
        ]  # fmt: skip
        assert set(await _by_customer(client, headers, search="otie")) == {"Otieno"}
        assert set(await _by_customer(client, headers, search="0712 345 678")) == {"Wanjiku"}
        # LIKE's own characters are searched for as they are.
        assert await _by_customer(client, headers, search="%") == {}
        assert await _by_customer(client, headers, search="_anjiku\\") == {}
        assert await _by_customer(client, headers, unread=True) == {}
        await post_twilio(client, settings, channel.id, twilio_message(OTIENO, "Hello?"))
        await _posts(fake, 3)
        assert set(await _by_customer(client, headers, status="BOT")) == {"Wanjiku", "Otieno"}
        assert set(await _by_customer(client, headers, status="HUMAN")) == set()
        one = await _data(client, headers, ONE, id=wanjiku["id"])
        assert one["conversation"] == wanjiku


async def test_a_person_s_message_goes_out_and_silences_the_assistant_until_released(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    echo = Echo()
    async with providers(app, echo) as fake:
        tenant, channel = await _shop(app, client, make_tenant, settings, fake, echo)
        owner = await bearer_headers(client, tenant)
        conversation = (await _by_customer(client, owner))["Wanjiku"]
        message = {"conversationId": conversation["id"], "text": "Hi, Achieng here",
                   "idempotencyKey": "k1"}  # fmt: skip
        sent = await _data(client, owner, SEND, input=message)
        payload = sent["sendMessage"]
        assert payload["userErrors"] == []
        assert payload["message"] == {
            "direction": "OUTBOUND", "author": "HUMAN", "kind": "text",
            "text": "Hi, Achieng here", "status": "PENDING",
        }  # fmt: skip
        assert payload["conversation"]["status"] == "HUMAN"
        assert payload["conversation"]["assigneeEmail"] == tenant.owner_email
        await _posts(fake, 3)
        assert fake.sent[2].form["Body"] == "Hi, Achieng here"
        assert fake.sent[2].form["To"] == f"whatsapp:{WANJIKU}"
        # The same key again sends nothing more.
        again = await _data(client, owner, SEND, input=message)
        assert again["sendMessage"]["userErrors"] == []
        # The customer answers the person: the assistant says nothing.
        await post_twilio(client, settings, channel.id, twilio_message(WANJIKU, "Sawa"))

        async def seen() -> bool:
            nodes = (await _data(client, owner, ONE, id=conversation["id"]))["conversation"]
            return nodes["messages"]["nodes"][0]["text"] == "Sawa"

        await eventually(seen, "the customer's answer is stored")
        released = await _data(client, owner, RELEASE, id=conversation["id"])
        assert released["releaseToBot"] == {"conversation": {"status": "BOT"}, "userErrors": []}
        await post_twilio(client, settings, channel.id, twilio_message(WANJIKU, "Bei ya laptop?"))
        await _posts(fake, 4)
    assert [r.text for r in fake.sent] == [
        "got: Niaje", "got: Bei ya TV?", "Hi, Achieng here", "got: Bei ya laptop?",
    ]  # fmt: skip
    assert echo.turns[-1] == ["Bei ya laptop?"]


async def test_outside_the_window_only_a_template_may_be_sent(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    channel = await cloud_channel(tenant.id, app.state.runtime.cipher)
    headers = tenant.key_headers()
    old = meta_text(WANJIKU.lstrip("+"), "Bado mko open?", timestamp=int(time.time()) - 25 * 3600)
    async with providers(app, Echo()) as fake:
        await post_meta(client, channel.id, meta_notification(meta_value(messages=[old])))

        async def listed() -> list[dict[str, Any]]:
            data = await _data(client, headers, LIST, filter=None)
            nodes = data["conversations"]["nodes"]
            return nodes if nodes and nodes[0]["messages"]["totalCount"] == 2 else []

        await eventually(listed, "the turn was taken")
        (conversation,) = await listed()
        assert conversation["windowOpen"] is False
        assert conversation["messages"]["nodes"][0]["status"] == "HELD"
        text = {"conversationId": conversation["id"], "text": "Tuko open!"}
        refused = (await _data(client, headers, SEND, input=text))["sendMessage"]
        assert refused["message"] is None
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
            (["input", "text"], "WINDOW_CLOSED")
        ]
        template = {"conversationId": conversation["id"], "template": "follow_up",
                    "variables": [{"key": "1", "value": "Wanjiku"}]}  # fmt: skip
        accepted = (await _data(client, headers, SEND, input=template))["sendMessage"]
        assert accepted["userErrors"] == [] and accepted["message"]["kind"] == "template"
        await _posts(fake, 1)
    assert fake.sent[0].json["template"] == {
        "name": "follow_up", "language": {"code": "sw"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Wanjiku"}]}],
    }  # fmt: skip
    after = (await _data(client, headers, LIST, filter=None))["conversations"]["nodes"][0]
    assert after["messages"]["totalCount"] == 3  # the refused text was not stored


async def test_assign_and_resolve(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    echo = Echo()
    async with providers(app, echo) as fake:
        tenant, channel = await _shop(app, client, make_tenant, settings, fake, echo)
        headers = tenant.key_headers()
        conversation = (await _by_customer(client, headers))["Otieno"]
        (member,) = (await _data(client, headers, MEMBERS))["members"]["nodes"]
        assigned = await _data(client, headers, ASSIGN, id=conversation["id"], member=member["id"])
        assert assigned["assignConversation"] == {
            "conversation": {"status": "HUMAN", "assigneeEmail": tenant.owner_email},
            "userErrors": [],
        }
        mine = await _data(client, headers, LIST, filter={"assigneeId": member["id"]})
        assert [c["id"] for c in mine["conversations"]["nodes"]] == [conversation["id"]]
        unknown = await _data(
            client, headers, ASSIGN, id=conversation["id"], member=_other_member_id()
        )
        assert [(e["field"], e["code"]) for e in unknown["assignConversation"]["userErrors"]] == [
            (["input", "assigneeId"], "NOT_FOUND")
        ]
        resolved = await _data(client, headers, RESOLVE, id=conversation["id"])
        assert resolved["resolveConversation"]["conversation"]["status"] == "RESOLVED"
        # The customer's next message opens a new conversation, answered by the assistant.
        await post_twilio(client, settings, channel.id, twilio_message(OTIENO, "Niko tena"))
        await _posts(fake, 3)
        everyone = (await _data(client, headers, LIST, filter=None))["conversations"]["nodes"]
        otieno = [c for c in everyone if c["customer"]["name"] == "Otieno"]
        assert sorted(c["status"] for c in otieno) == ["BOT", "RESOLVED"]


def _other_member_id() -> str:
    import uuid

    from wabotiq.graphql.relay import to_global_id

    return to_global_id("Member", uuid.uuid4())


EVENTS = """
subscription {
  conversationEvents {
    eventType conversation { id status } message { direction author text status }
  }
}
"""


async def test_conversation_events_carry_messages_deliveries_and_status_changes(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant: TenantFixture = await make_tenant()
    channel = await twilio_channel(tenant.id, app.state.runtime.cipher)
    async with providers(app, Echo()) as fake, socket(app, tenant.key_headers()) as ws:
        await acknowledged(ws)
        await ws.send_json({"id": "live", "type": "subscribe", "payload": {"query": EVENTS}})
        await listening(app, tenant, 1, aggregate="conversation")
        await post_twilio(client, settings, channel.id, twilio_message(WANJIKU, "Niaje"))
        await _posts(fake, 1)
        events = [m["payload"]["data"]["conversationEvents"] for m in await next_events(ws, 3)]
    assert [(e["eventType"], e["message"]["author"], e["message"]["text"]) for e in events] == [
        ("MESSAGE_RECEIVED", "CUSTOMER", "Niaje"),
        ("MESSAGE_QUEUED", "BOT", "got: Niaje"),
        ("DELIVERY_UPDATED", "BOT", "got: Niaje"),
    ]
    assert events[2]["message"]["status"] == "ACCEPTED"
