"""`assistantSettings` and `updateAssistantSettings` over HTTP: defaults, changes read back,
refusals as userErrors that change nothing, the scope, and the effective chain following the
providers this deployment has settings for."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.support.apps import app_client
from wabotiq.core.settings import Settings

FIELDS = "llmChain effectiveLlmChain paymentInstructions"
READ = f"{{ assistantSettings {{ {FIELDS} }} }}"
UPDATE = f"""
mutation($input: UpdateAssistantSettingsInput!) {{
  updateAssistantSettings(input: $input) {{
    assistantSettings {{ {FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
API_KEY_CREATE = """
mutation($scopes: [String!]!) {
  apiKeyCreate(input: {name: "assistant", scopes: $scopes}) { secret userErrors { code } }
}
"""
NO_KEYS: dict[str, Any] = {
    "openai_api_key": None,
    "gemini_api_key": None,
    "llm_compatible_base_url": None,
    "llm_compatible_model": None,
    "llm_chain": ["openai", "gemini", "compatible"],
}


async def _read(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    body = await gql(client, READ, None, tenant.key_headers())
    assert "errors" not in body, body
    return body["data"]["assistantSettings"]


async def _update(
    client: httpx.AsyncClient, tenant: TenantFixture, **changes: Any
) -> dict[str, Any]:
    body = await gql(client, UPDATE, {"input": changes}, tenant.key_headers())
    assert "errors" not in body, body
    return body["data"]["updateAssistantSettings"]


async def test_settings_default_then_changed_and_read_back(
    settings: Settings, database_url: str, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    async with app_client(settings, database_url, **NO_KEYS) as client:
        never = await gql(client, "{ assistantSettings { updatedAt } }", None, tenant.key_headers())
        assert never["data"]["assistantSettings"] == {"updatedAt": None}
        assert await _read(client, tenant) == {
            "llmChain": [],
            "effectiveLlmChain": ["offline"],
            "paymentInstructions": "",
        }

        changed = await _update(
            client,
            tenant,
            llmChain=["Gemini", "openai", "gemini"],
            paymentInstructions=" Lipa na M-Pesa: Till 123456 ",
        )
        kept = await _update(client, tenant, paymentInstructions="Paybill 400200, account: jina")

        expected = {
            "llmChain": ["gemini", "openai"],
            "effectiveLlmChain": ["offline"],
            "paymentInstructions": "Lipa na M-Pesa: Till 123456",
        }
        assert changed == {"assistantSettings": expected, "userErrors": []}
        expected["paymentInstructions"] = "Paybill 400200, account: jina"
        assert kept == {"assistantSettings": expected, "userErrors": []}
        assert await _read(client, tenant) == expected
        body = await gql(client, "{ assistantSettings { updatedAt } }", None, tenant.key_headers())
        assert body["data"]["assistantSettings"]["updatedAt"] is not None


async def test_refusals_are_user_errors_that_change_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    await _update(client, tenant, llmChain=["openai"], paymentInstructions="Till 123456")
    before = await _read(client, tenant)

    unknown = await _update(client, tenant, llmChain=["gemini", "claude"], paymentInstructions="")
    too_long = await _update(client, tenant, llmChain=[], paymentInstructions="x" * 501)

    assert unknown["assistantSettings"] is None
    assert [(e["field"], e["code"]) for e in unknown["userErrors"]] == [
        (["input", "llmChain"], "UNKNOWN_PROVIDER")
    ]
    assert "'claude'" in unknown["userErrors"][0]["message"]
    assert too_long["assistantSettings"] is None
    assert [(e["field"], e["code"]) for e in too_long["userErrors"]] == [
        (["input", "paymentInstructions"], "INVALID")
    ]
    assert await _read(client, tenant) == before


async def test_settings_need_integrations_manage(
    client: httpx.AsyncClient, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    made = await gql(
        client, API_KEY_CREATE, {"scopes": ["conversations:view"]}, tenant.key_headers()
    )
    viewer = tenant.key_headers(made["data"]["apiKeyCreate"]["secret"])

    read = await gql(client, READ, None, viewer)
    update = await gql(client, UPDATE, {"input": {"paymentInstructions": "pwned"}}, viewer)

    for body in (read, update):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["extensions"]["missingScopes"] == ["integrations:manage"]
    assert (await _read(client, tenant))["paymentInstructions"] == ""


async def test_the_effective_chain_keeps_providers_with_settings_here_then_offline(
    settings: Settings, database_url: str, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    keys = {
        **NO_KEYS,
        "openai_api_key": "sk-test",
        "llm_compatible_base_url": "http://llm.test/v1",
        "llm_compatible_model": "llama-3.1-8b",
    }
    async with app_client(settings, database_url, **keys) as client:
        default = (await _read(client, tenant))["effectiveLlmChain"]
        chosen = await _update(client, tenant, llmChain=["gemini", "compatible", "openai"])
    async with app_client(settings, database_url, **NO_KEYS) as client:
        without_keys = (await _read(client, tenant))["effectiveLlmChain"]

    assert default == ["openai", "compatible", "offline"]
    assert chosen["assistantSettings"]["llmChain"] == ["gemini", "compatible", "openai"]
    assert chosen["assistantSettings"]["effectiveLlmChain"] == ["compatible", "openai", "offline"]
    assert without_keys == ["offline"]
