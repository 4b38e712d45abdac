"""The shop's assistant as a `Responder`: one turn in, one reply out, one interaction record.

Per turn it gathers what the tiers need (the shop, the customer's words and history, the list
last shown, how many turns in a row went misunderstood), asks the language-model tier when the
tenant has one, and falls back to the offline tier when no provider answers or the answer fails
its checks. Whatever the failed tier did through its tools is undone first (it ran inside a
savepoint), so the fallback starts from the same state and nothing is done twice.

It runs inside the conversation drain's transaction: the reply rows, the tools' writes and the
interaction record commit together, or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Protocol
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from wabotiq.agent.answer import AgentAnswer, AgentInput, Said, TierUnavailable
from wabotiq.agent.llm.chain import AllProvidersFailed
from wabotiq.agent.offline import OfflineAgent
from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item
from wabotiq.agent.tools.registry import Toolbox
from wabotiq.agent.turn import Reply, Turn
from wabotiq.domain.assistant.models import Interaction
from wabotiq.domain.assistant.service import (
    InteractionRecord,
    assistant_settings,
    recent_interactions,
    record_interaction,
)
from wabotiq.search.engine import SearchEngine
from wabotiq.search.runtime import get_engine
from wabotiq.tenancy.models import Tenant

logger = logging.getLogger(__name__)

MEMORY = 6  # interactions read back per turn: the last list and the misunderstood streak


class Tier(Protocol):
    async def answer(self, given: AgentInput, toolbox: Toolbox) -> AgentAnswer: ...


def no_language_model(chain: Sequence[str]) -> Tier | None:
    return None


class _Undo(Exception):
    """Raised inside a tier's savepoint to roll back what it did."""


@dataclass
class AgentResponder:
    """`language_tier(chain)` gives the tier for a tenant's provider chain (None: offline
    only); `engine` and `clock` are the process's unless a caller hands its own in."""

    offline: OfflineAgent = field(default_factory=OfflineAgent)
    language_tier: Callable[[Sequence[str]], Tier | None] = no_language_model
    engine: Callable[[], SearchEngine] = get_engine
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def respond(self, turn: Turn) -> Reply:
        started = perf_counter()
        conversation_id = uuid.UUID(turn.conversation.id)
        tenant = await Tenant.get(id=turn.tenant_id)
        zone = ZoneInfo(tenant.timezone)
        ctx = ToolContext(
            tenant_id=turn.tenant_id,
            customer_id=uuid.UUID(turn.customer.id),
            now=self.clock(),
            zone=zone,
            currency=tenant.currency,
            engine=self.engine(),
        )
        memory = await recent_interactions(conversation_id=conversation_id, limit=MEMORY)
        last_list = _last_list(memory)
        given = AgentInput(
            text="\n".join(m.text.strip() for m in turn.messages if m.is_text),
            history=[Said(m.author, m.text) for m in turn.history if m.is_text],
            language=turn.conversation.language or "",
            customer_name=turn.customer.name,
            shop_name=tenant.name,
            now=ctx.now.astimezone(zone),
            last_list=last_list,
            misunderstood=_misunderstood(memory),
        )
        answer, toolbox, hops = await self._answer(given, ctx)
        shown = toolbox.shown or list(last_list)
        last = next((m for m in reversed(turn.messages) if m.id), None)
        await record_interaction(
            InteractionRecord(
                conversation_id=conversation_id,
                message_id=uuid.UUID(last.id) if last and last.id else None,
                intent=answer.intent,
                understood=answer.understood,
                language=answer.language,
                tier=answer.tier,
                provider=answer.provider,
                model=answer.model,
                tokens_in=answer.tokens_in,
                tokens_out=answer.tokens_out,
                cost_usd=answer.cost_usd,
                latency_ms=(perf_counter() - started) * 1000,
                tools=[call.as_json() for call in toolbox.calls],
                hops=[*hops, *answer.hops],
                shown=[item.shown() for item in shown],
                handoff=answer.handoff,
            )
        )
        return Reply(texts=answer.texts, handoff=answer.handoff, language=answer.language)

    async def _answer(
        self, given: AgentInput, ctx: ToolContext
    ) -> tuple[AgentAnswer, Toolbox, list[dict[str, object]]]:
        """The language-model tier's answer, else the offline tier's (with the hops that
        failed on the way)."""
        hops: list[dict[str, object]] = []
        tier = self.language_tier((await assistant_settings()).llm_chain)
        if tier is not None:
            toolbox = Toolbox(ctx)
            try:
                async with in_transaction():  # a savepoint: a failed tier leaves no trace
                    try:
                        return await tier.answer(given, toolbox), toolbox, hops
                    except (AllProvidersFailed, TierUnavailable) as error:
                        hops = _failed_hops(error)
                        logger.warning("language model tier failed, answering offline: %s", error)
                        raise _Undo from error
            except _Undo:
                pass
        toolbox = Toolbox(ctx)
        return await self.offline.answer(given, toolbox), toolbox, hops


def _failed_hops(error: Exception) -> list[dict[str, object]]:
    if isinstance(error, AllProvidersFailed):
        return [
            {
                "provider": hop.provider,
                "answered": False,
                "attempts": hop.attempts,
                "failure": hop.kind.value if hop.kind else None,
                "error": hop.error,
            }
            for hop in error.hops
        ]
    # A reply refused after the model answered: its hops, and why it was not sent.
    steps = [dict(hop) for hop in getattr(error, "hops", ())]
    return [*steps, {"provider": "language-model", "answered": False, "error": str(error)}]


def _last_list(memory: Sequence[Interaction]) -> list[Item]:
    """The list the customer saw last: the newest interaction's (each carries it forward)."""
    if not memory or not memory[0].shown:
        return []
    return [Item.from_shown(record) for record in memory[0].shown]


def _misunderstood(memory: Sequence[Interaction]) -> int:
    """Turns in a row, up to now, the assistant could not understand."""
    streak = 0
    for interaction in memory:
        if interaction.understood:
            break
        streak += 1
    return streak
