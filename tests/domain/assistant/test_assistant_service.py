"""The assistant's settings (defaults, a chain cleaned of case, spaces and repeats, refusals
that change nothing) and its interaction records (newest first, paged, per conversation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.assistant import conversations, interaction
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.assistant.errors import AssistantError, AssistantErrorCode
from wabotiq.domain.assistant.models import AssistantSettings
from wabotiq.domain.assistant.service import (
    MAX_INSTRUCTIONS,
    assistant_settings,
    effective_chain,
    interactions_of_conversations,
    list_interactions,
    recent_interactions,
    update_assistant_settings,
)


async def _update(tenant: TenantFixture, **changes: Any) -> AssistantSettings:
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            return await update_assistant_settings(**changes)


async def _read(tenant: TenantFixture) -> AssistantSettings:
    with tenant_context(TenantRef.of(tenant.id)):
        return await assistant_settings()


async def test_settings_never_changed_are_the_defaults_and_write_nothing(make_tenant: MakeTenant):
    tenant = await make_tenant()

    settings = await _read(tenant)

    assert (settings.llm_chain, settings.payment_instructions) == ([], "")
    with tenant_context(TenantRef.of(tenant.id)):
        assert await AssistantSettings.all().count() == 0


async def test_the_chain_is_cleaned_and_what_is_not_given_stays(make_tenant: MakeTenant):
    tenant = await make_tenant()
    await _update(tenant, payment_instructions="  Lipa na M-Pesa: Till 123456 ")

    saved = await _update(tenant, llm_chain=[" Gemini", "openai", "GEMINI", "compatible "])

    assert saved.llm_chain == ["gemini", "openai", "compatible"]
    again = await _read(tenant)
    assert again.llm_chain == ["gemini", "openai", "compatible"]
    assert again.payment_instructions == "Lipa na M-Pesa: Till 123456"
    cleared = await _update(tenant, llm_chain=[])
    assert (cleared.llm_chain, cleared.payment_instructions) == ([], again.payment_instructions)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"llm_chain": ["openai", "claude"]}, AssistantErrorCode.UNKNOWN_PROVIDER, "llmChain"),
        ({"llm_chain": ["offline"]}, AssistantErrorCode.UNKNOWN_PROVIDER, "llmChain"),
        (
            {"payment_instructions": "x" * (MAX_INSTRUCTIONS + 1)},
            AssistantErrorCode.INVALID,
            "paymentInstructions",
        ),
    ],
)
async def test_refused_changes_change_nothing(
    make_tenant: MakeTenant, changes: dict[str, Any], code: AssistantErrorCode, field: str
):
    tenant = await make_tenant()
    await _update(tenant, llm_chain=["gemini"], payment_instructions="Till 123456")

    with pytest.raises(AssistantError) as refused:
        await _update(tenant, **changes)

    assert (refused.value.code, refused.value.field) == (code, field)
    kept = await _read(tenant)
    assert (kept.llm_chain, kept.payment_instructions) == (["gemini"], "Till 123456")


def test_the_effective_chain_keeps_configured_providers_and_ends_offline():
    default = ["openai", "gemini", "compatible"]

    assert effective_chain(chain=[], default=default, configured=["gemini", "openai"]) == [
        "openai",
        "gemini",
        "offline",
    ]
    chosen = effective_chain(chain=["compatible", "gemini"], default=default, configured=["gemini"])
    assert chosen == ["gemini", "offline"]
    assert effective_chain(chain=["openai"], default=default, configured=[]) == ["offline"]


async def test_interactions_are_read_newest_first_per_conversation(
    app: Any, make_tenant: MakeTenant
):
    tenant = await make_tenant()
    first, second = await conversations(tenant, app.state.runtime.cipher, 2)
    made = [await interaction(tenant, first, intent=f"turn{n}") for n in range(3)]
    other = await interaction(tenant, second, intent="book", cost_usd=0.0001234567)

    with tenant_context(TenantRef.of(tenant.id)):
        recent = await recent_interactions(conversation_id=first, limit=2)
        page, total = await list_interactions(before_id=other.id, limit=2)
        everything, overall = await list_interactions()
        batch = await interactions_of_conversations(
            conversation_ids=[first, second], limit=2, before_id=made[2].id
        )

    assert [row.intent for row in recent] == ["turn2", "turn1"]
    assert ([row.intent for row in page], total) == (["turn2", "turn1"], 4)
    newest_first = [other.id, made[2].id, made[1].id, made[0].id]
    assert ([row.id for row in everything], overall) == (newest_first, 4)
    assert everything[0].cost_usd == Decimal("0.000123")
    assert {key: ([row.intent for row in rows], n) for key, (rows, n) in batch.items()} == {
        first: (["turn1", "turn0"], 3),
        second: ([], 1),
    }
