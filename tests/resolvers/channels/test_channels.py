"""Channels through GraphQL: created with their secrets (never shown again), listed with their
webhook URL, changed, checked against the provider with a real call, and disabled."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant, gql
from tests.support.polling import eventually
from tests.support.whatsapp import (
    ACCESS_TOKEN,
    ACCOUNT_SID,
    APP_SECRET,
    AUTH_TOKEN,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeProviders,
    post_twilio,
    providers,
    twilio_message,
)
from wabotiq.api.schema import contract_schema
from wabotiq.core.ids import uuid_from_global_id
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.channels.models import Channel as ChannelModel

ERRORS = "userErrors { field code message }"
CHANNEL = """id name provider active webhookUrl accountSid sender phoneNumberId graphVersion
  templates { name contentSid language }"""
CREATE = f"""
mutation($input: CreateChannelInput!) {{
  createChannel(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}
"""
UPDATE = f"""
mutation($input: UpdateChannelInput!) {{
  updateChannel(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}
"""
DISABLE = f"""
mutation($id: ID!) {{ disableChannel(input: {{id: $id}}) {{ channel {{ id active }} {ERRORS} }} }}
"""
TEST = f"""
mutation($id: ID!) {{ testChannel(input: {{id: $id}}) {{ ok providerName detail {ERRORS} }} }}
"""
CHANNELS = f"{{ channels(first: 10) {{ totalCount nodes {{ {CHANNEL} }} }} }}"

TWILIO = {
    "provider": "TWILIO", "name": "Duka Twilio", "accountSid": ACCOUNT_SID,
    "authToken": AUTH_TOKEN, "sender": "0700 000 001",
    "templates": [{"name": "follow_up", "contentSid": "HX" + "ab" * 16}],
}  # fmt: skip
CLOUD = {
    "provider": "CLOUD", "name": "Duka Meta", "phoneNumberId": PHONE_NUMBER_ID,
    "accessToken": ACCESS_TOKEN, "appSecret": APP_SECRET, "verifyToken": VERIFY_TOKEN,
    "templates": [{"name": "follow_up", "language": "sw"}],
}  # fmt: skip


async def _call(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    body = await gql(client, query, variables, headers)
    assert body["_status"] == 200 and "errors" not in body, body
    return body["data"]


async def _sent(fake: FakeProviders) -> bool:
    return any(r.method == "POST" for r in fake.requests)


async def _create(client: httpx.AsyncClient, headers: dict[str, str], spec: dict[str, Any]):
    data = await _call(client, headers, CREATE, {"input": spec})
    assert data["createChannel"]["userErrors"] == [], data
    return data["createChannel"]["channel"]


async def test_channels_are_created_listed_with_their_webhook_url_and_show_no_secret(
    client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    twilio = await _create(client, headers, TWILIO)
    cloud = await _create(client, headers, CLOUD)
    twilio_id = uuid_from_global_id(twilio["id"], "Channel")
    cloud_id = uuid_from_global_id(cloud["id"], "Channel")
    assert twilio == {
        "id": twilio["id"], "name": "Duka Twilio", "provider": "TWILIO", "active": True,
        "webhookUrl": f"{settings.public_base_url}/webhooks/twilio/{twilio_id}",
        "accountSid": ACCOUNT_SID, "sender": "whatsapp:+254700000001", "phoneNumberId": None,
        "graphVersion": None, "templates": [TWILIO["templates"][0] | {"language": ""}],
    }  # fmt: skip
    assert cloud["webhookUrl"] == f"{settings.public_base_url}/webhooks/whatsapp/{cloud_id}"
    assert (cloud["phoneNumberId"], cloud["graphVersion"]) == (PHONE_NUMBER_ID, "21.0")
    listed = await _call(client, headers, CHANNELS, {})
    assert listed["channels"]["totalCount"] == 2
    assert [c["id"] for c in listed["channels"]["nodes"]] == [twilio["id"], cloud["id"]]
    # No field of the type could show a secret, and at rest they are ciphertext.
    fields = set(contract_schema()._schema.type_map["Channel"].fields)  # type: ignore[union-attr]
    assert not {f for f in fields if "token" in f.lower() or "secret" in f.lower()}
    with tenant_context(TenantRef.of(tenant.id)):
        stored = [row.secrets_encrypted for row in await ChannelModel.all()]
    for secret in (AUTH_TOKEN, ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert all(secret not in row for row in stored)


async def test_bad_channel_input_is_a_user_error_and_stores_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    cases = [
        ({**TWILIO, "authToken": None}, ["input", "authToken"], "MISSING_FIELD"),
        ({**TWILIO, "accountSid": "AC123"}, ["input", "accountSid"], "INVALID"),
        ({**TWILIO, "sender": "whatsapp:hello"}, ["input", "sender"], "INVALID"),
        ({**TWILIO, "templates": [{"name": "x", "contentSid": "nope"}]}, ["input", "templates"],
         "INVALID"),
        ({**CLOUD, "appSecret": " "}, ["input", "appSecret"], "MISSING_FIELD"),
        ({**CLOUD, "phoneNumberId": "12ab"}, ["input", "phoneNumberId"], "INVALID"),
    ]  # fmt: skip
    for spec, field, code in cases:
        data = await _call(client, headers, CREATE, {"input": spec})
        payload = data["createChannel"]
        assert payload["channel"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)], spec
    listed = await _call(client, headers, CHANNELS, {})
    assert listed["channels"]["totalCount"] == 0


async def test_a_new_auth_token_is_the_one_webhooks_must_be_signed_with(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    channel = await _create(client, headers, TWILIO)
    new_token = "rotated-auth-token"
    data = await _call(
        client, headers, UPDATE,
        {"input": {"id": channel["id"], "authToken": new_token, "name": "Renamed"}},
    )  # fmt: skip
    assert data["updateChannel"]["userErrors"] == []
    assert data["updateChannel"]["channel"]["name"] == "Renamed"
    channel_id = uuid_from_global_id(channel["id"], "Channel")
    async with providers(app) as fake:
        old = await post_twilio(client, settings, channel_id, twilio_message("+254712345678", "a"))
        new = await post_twilio(
            client, settings, channel_id, twilio_message("+254712345678", "b"), token=new_token
        )
        await eventually(lambda: _sent(fake), "the reply to the accepted message")
    assert (old.status_code, new.status_code) == (403, 200)
    wrong = await _call(client, headers, UPDATE, {"input": {"id": channel["id"], "appSecret": "x"}})
    assert [e["code"] for e in wrong["updateChannel"]["userErrors"]] == ["INVALID"]


async def test_test_channel_asks_the_provider_and_names_its_refusal(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    twilio = await _create(client, headers, TWILIO)
    cloud = await _create(client, headers, CLOUD)
    wrong = await _create(client, headers, {**TWILIO, "authToken": "wrong-token"})
    async with providers(app) as fake:
        ok = (await _call(client, headers, TEST, {"id": twilio["id"]}))["testChannel"]
        meta = (await _call(client, headers, TEST, {"id": cloud["id"]}))["testChannel"]
        refused = (await _call(client, headers, TEST, {"id": wrong["id"]}))["testChannel"]
    assert ok == {"ok": True, "providerName": "Duka Test", "detail": "active", "userErrors": []}
    assert meta == {
        "ok": True, "providerName": "Duka Test", "detail": "+254 700 000002", "userErrors": []
    }  # fmt: skip
    assert (refused["ok"], [e["code"] for e in refused["userErrors"]]) == (
        False, ["PROVIDER_REFUSED"],
    )  # fmt: skip
    assert "20003" in refused["userErrors"][0]["message"]
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"),
        ("GET", f"/v21.0/{PHONE_NUMBER_ID}"),
        ("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"),
    ]


async def test_a_disabled_channel_refuses_webhooks_and_can_be_turned_back_on(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    channel = await _create(client, headers, TWILIO)
    channel_id = uuid_from_global_id(channel["id"], "Channel")
    disabled = await _call(client, headers, DISABLE, {"id": channel["id"]})
    assert disabled["disableChannel"] == {
        "channel": {"id": channel["id"], "active": False}, "userErrors": []
    }  # fmt: skip
    async with providers(app) as fake:
        refused = await post_twilio(client, settings, channel_id, twilio_message("+254712345678"))
        await _call(client, headers, UPDATE, {"input": {"id": channel["id"], "active": True}})
        accepted = await post_twilio(client, settings, channel_id, twilio_message("+254712345678"))
        await eventually(lambda: _sent(fake), "the reply to the accepted message")
    assert (refused.status_code, accepted.status_code) == (403, 200)


class Unreachable(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


async def test_test_channel_says_when_the_provider_cannot_be_reached(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    headers = tenant.key_headers()
    channel = await _create(client, headers, CLOUD)
    messaging = app.state.runtime.messaging
    saved, messaging.transport = messaging.transport, Unreachable()
    try:
        answer = (await _call(client, headers, TEST, {"id": channel["id"]}))["testChannel"]
    finally:
        messaging.transport = saved
    assert (answer["ok"], [e["code"] for e in answer["userErrors"]]) == (
        False, ["PROVIDER_UNREACHABLE"],
    )  # fmt: skip
