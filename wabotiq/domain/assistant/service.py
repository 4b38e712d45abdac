"""The assistant's settings and its interaction records.

Settings are one row per tenant, read on every turn (a primary-key lookup). Interactions are
written in the turn's own transaction, so a turn that rolls back leaves no record and a re-run
writes exactly one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from wabotiq.core.settings import LLM_PROVIDERS
from wabotiq.db.connection import current_connection
from wabotiq.domain.assistant.errors import AssistantError, AssistantErrorCode
from wabotiq.domain.assistant.models import AssistantSettings, Interaction

# The providers a tenant may put in its chain (the offline tier always ends it).
PROVIDERS = LLM_PROVIDERS
OFFLINE = "offline"
MAX_INSTRUCTIONS = 500
# A page of one conversation's interactions and that conversation's total.
InteractionPage = tuple[list[Interaction], int]


async def assistant_settings() -> AssistantSettings:
    """The tenant's settings (defaults when never changed)."""
    row = await AssistantSettings.get_or_none(id=1)
    return row or AssistantSettings(id=1, llm_chain=[], payment_instructions="")


def _chain(chain: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for name in chain:
        name = name.strip().lower()
        if name not in PROVIDERS:
            raise AssistantError(
                AssistantErrorCode.UNKNOWN_PROVIDER,
                f"Unknown provider {name!r}; choose from {', '.join(PROVIDERS)}.",
                field="llmChain",
            )
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _instructions(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_INSTRUCTIONS:
        raise AssistantError(
            AssistantErrorCode.INVALID,
            f"Payment instructions are at most {MAX_INSTRUCTIONS} characters.",
            field="paymentInstructions",
        )
    return text


async def update_assistant_settings(
    *, llm_chain: Sequence[str] | None = None, payment_instructions: str | None = None
) -> AssistantSettings:
    """Change what is given (None leaves it); returns the settings as saved."""
    row = await AssistantSettings.select_for_update().get_or_none(id=1)
    if row is None:
        row = await AssistantSettings.create(id=1)
    if llm_chain is not None:
        row.llm_chain = _chain(llm_chain)
    if payment_instructions is not None:
        row.payment_instructions = _instructions(payment_instructions)
    await row.save()
    return row


def effective_chain(
    *, chain: Sequence[str], default: Sequence[str], configured: Collection[str]
) -> list[str]:
    """The providers a turn asks, in order: the tenant's chain (the platform's `default` when
    it has none) less those not `configured` here, then the offline tier, always last."""
    return [name for name in (chain or default) if name in configured] + [OFFLINE]


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """What one answered turn leaves behind (see `Interaction`)."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    intent: str
    understood: bool
    language: str
    tier: str
    provider: str
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    latency_ms: float = 0.0
    tools: Sequence[dict[str, Any]] = ()
    hops: Sequence[dict[str, Any]] = ()
    shown: Sequence[dict[str, Any]] = field(default=())
    handoff: bool = False


async def record_interaction(record: InteractionRecord) -> Interaction:
    """Keep what one answered turn did (in the turn's own transaction)."""
    return await Interaction.create(
        conversation_id=record.conversation_id,
        message_id=record.message_id,
        intent=record.intent[:32],
        understood=record.understood,
        language=record.language[:8],
        tier=record.tier,
        provider=record.provider[:32],
        model=record.model[:128],
        tokens_in=record.tokens_in,
        tokens_out=record.tokens_out,
        cost_usd=None if record.cost_usd is None else Decimal(str(round(record.cost_usd, 6))),
        latency_ms=round(record.latency_ms, 2),
        tools=list(record.tools),
        hops=list(record.hops),
        shown=list(record.shown),
        handoff=record.handoff,
    )


async def recent_interactions(*, conversation_id: uuid.UUID, limit: int = 5) -> list[Interaction]:
    """The conversation's latest interactions, newest first."""
    rows = await Interaction.filter(conversation_id=conversation_id).order_by("-id").limit(limit)
    return list(rows)


async def list_interactions(
    *, conversation_id: uuid.UUID | None = None, before_id: int | None = None, limit: int = 50
) -> tuple[list[Interaction], int]:
    """Newest first (of one conversation, or all), keyset-paged by id, with the total."""
    query = Interaction.all()
    if conversation_id is not None:
        query = query.filter(conversation_id=conversation_id)
    total = await query.count()
    page = query.filter(id__lt=before_id) if before_id is not None else query
    rows = await page.order_by("-id").limit(limit)
    return list(rows), total


async def interactions_of_conversations(
    *, conversation_ids: list[uuid.UUID], limit: int, before_id: int | None
) -> dict[uuid.UUID, InteractionPage]:
    """Each conversation's interactions, newest first, up to `limit` older than `before_id`,
    with each conversation's total: three statements for any number of conversations."""
    async with current_connection() as connection:
        ranked = await connection.fetch(
            "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id"
            " ORDER BY id DESC) AS n FROM agent_interactions"
            " WHERE conversation_id = ANY($1::uuid[]) AND ($2::bigint IS NULL OR id < $2)) page"
            " WHERE n <= $3",
            conversation_ids,
            before_id,
            limit,
        )
        totals = await connection.fetch(
            "SELECT conversation_id, count(*) AS total FROM agent_interactions"
            " WHERE conversation_id = ANY($1::uuid[]) GROUP BY conversation_id",
            conversation_ids,
        )
    rows = await Interaction.filter(id__in=[r["id"] for r in ranked]).order_by("-id")
    pages: dict[uuid.UUID, InteractionPage] = {
        row["conversation_id"]: ([], int(row["total"])) for row in totals
    }
    for interaction in rows:
        pages[interaction.conversation_id][0].append(interaction)
    return pages
