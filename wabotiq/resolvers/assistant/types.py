"""GraphQL types of the assistant: settings, provider health and interaction records."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from wabotiq.agent.llm.breaker import ProviderHealth
from wabotiq.core.settings import Settings
from wabotiq.domain.assistant.models import AssistantSettings as SettingsModel
from wabotiq.domain.assistant.models import Interaction as InteractionModel
from wabotiq.domain.assistant.service import effective_chain
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relations import relation
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.conversations.types import Conversation

ConversationRef = Annotated[
    "Conversation", strawberry.lazy("wabotiq.resolvers.conversations.types")
]
MANAGE = scopes(["integrations:manage"])
VIEW = scopes(["conversations:view"])
INTERACTION = "Interaction"


@strawberry.type(description="How the shop's assistant works for this tenant.")
class AssistantSettings:
    llm_chain: list[str] = strawberry.field(
        description="The tenant's own order of LLM providers; empty: the platform's default."
    )
    effective_llm_chain: list[str] = strawberry.field(
        description="What a turn actually asks, in order: the tenant's chain (or the "
        "platform's), less providers not configured here, then offline, always last."
    )
    payment_instructions: str = strawberry.field(
        description="What a customer is told at checkout until a payment provider is "
        'connected, e.g. "Lipa na M-Pesa: Till 123456".'
    )
    updated_at: datetime | None = strawberry.field(
        description="When they last changed; null while they were never changed."
    )

    @classmethod
    def from_model(cls, row: SettingsModel, settings: Settings) -> AssistantSettings:
        chain = list(row.llm_chain)
        return cls(
            llm_chain=chain,
            effective_llm_chain=effective_chain(
                chain=chain,
                default=settings.llm_chain,
                configured=settings.configured_llm_providers(),
            ),
            payment_instructions=row.payment_instructions,
            updated_at=row.updated_at,
        )


@strawberry.input(description="Changes to the assistant's settings; omitted fields stay.")
class UpdateAssistantSettingsInput:
    llm_chain: list[str] | None = strawberry.field(
        default=None,
        description="LLM providers in the order to ask them (openai, gemini, compatible); "
        "an empty list returns to the platform's default.",
    )
    payment_instructions: str | None = strawberry.field(
        default=None, description="What a customer is told at checkout (at most 500 characters)."
    )


@strawberry.type(description="The result of changing the assistant's settings.")
class UpdateAssistantSettingsPayload:
    assistant_settings: AssistantSettings | None = strawberry.field(
        description="The settings as saved, when it succeeded."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused (UNKNOWN_PROVIDER, INVALID)."
    )


@strawberry.enum(description="The state of a provider's circuit breaker in this process.")
class CircuitState(Enum):
    CLOSED = strawberry.enum_value("closed", description="Calls pass.")
    OPEN = strawberry.enum_value(
        "open", description="Failed repeatedly: not called until its cool-down ends."
    )
    HALF_OPEN = strawberry.enum_value(
        "half_open", description="Cooled down: the next call is a probe that closes or reopens it."
    )


@strawberry.type(description="One LLM provider of the platform's chain, as this process sees it.")
class LlmProviderHealth:
    name: str = strawberry.field(description="openai, gemini, compatible or offline.")
    configured: bool = strawberry.field(
        description="Whether it has its settings here (a key; a base URL and model)."
    )
    state: CircuitState = strawberry.field(description="Its circuit breaker's state.")
    consecutive_failures: int = strawberry.field(description="Failures in a row, up to now.")
    last_failure_kind: str | None = strawberry.field(
        description="Why it last failed, e.g. timeout, rate_limited, server_error."
    )
    last_error: str | None = strawberry.field(description="Its last failure's message.")
    last_failure_at: datetime | None = strawberry.field(description="When it last failed.")
    last_success_at: datetime | None = strawberry.field(description="When it last answered.")
    next_probe_at: datetime | None = strawberry.field(
        description="While open: when its cool-down ends and a probe call may pass."
    )

    @classmethod
    def from_health(cls, health: ProviderHealth, *, configured: bool) -> LlmProviderHealth:
        return cls(
            name=health.provider,
            configured=configured,
            state=CircuitState(health.state.value),
            consecutive_failures=health.consecutive_failures,
            last_failure_kind=health.last_failure_kind,
            last_error=health.last_error,
            last_failure_at=health.last_failure_at,
            last_success_at=health.last_success_at,
            next_probe_at=health.probe_at,
        )


@strawberry.enum(description="Who wrote a turn's reply.")
class AssistantTier(Enum):
    LLM = strawberry.enum_value("llm", description="A language model of the chain.")
    OFFLINE = strawberry.enum_value(
        "offline", description="The offline tier (no key set, or every provider failed)."
    )


@strawberry.type(description="One provider's part in a turn.")
class FailoverHop:
    provider: str = strawberry.field(description="The provider asked (or skipped).")
    answered: bool = strawberry.field(description="Whether it gave the answer.")
    attempts: int = strawberry.field(description="Calls made to it (retries included).")
    failure: str | None = strawberry.field(
        description="Why it gave none, e.g. timeout, circuit_open, not_configured."
    )
    error: str | None = strawberry.field(description="Its error's message.")

    @classmethod
    def from_record(cls, hop: dict[str, Any]) -> FailoverHop:
        return cls(
            provider=str(hop.get("provider", "")),
            answered=bool(hop.get("answered")),
            attempts=int(hop.get("attempts") or 0),
            failure=hop.get("failure"),
            error=hop.get("error"),
        )


def _tool_names(tools: list[Any]) -> list[str]:
    return [str(tool.get("name", "")) if isinstance(tool, dict) else str(tool) for tool in tools]


@strawberry.type(description="One turn the assistant answered: what it understood, did and cost.")
class Interaction:
    id: strawberry.ID = strawberry.field(description="Global ID of the interaction.")
    intent: str = strawberry.field(description="What the customer wanted, e.g. price, book.")
    understood: bool = strawberry.field(description="Whether the assistant understood the turn.")
    language: str = strawberry.field(description="The reply's language: en, sw, sheng, mixed.")
    tier: AssistantTier = strawberry.field(description="Who wrote the reply.")
    provider: str = strawberry.field(description="The provider that answered (or offline).")
    model: str = strawberry.field(description="Its model; empty for the offline tier.")
    tokens_in: int = strawberry.field(description="Tokens sent to the model.")
    tokens_out: int = strawberry.field(description="Tokens the model wrote.")
    cost_usd: Decimal | None = strawberry.field(
        description="Estimated cost in US dollars; null when the model's price is unknown."
    )
    latency_ms: float = strawberry.field(description="How long the answer took, in milliseconds.")
    tools: list[str] = strawberry.field(description="The tools it called, in order.")
    failover_hops: int = strawberry.field(
        description="How many providers failed (or were skipped) before one answered."
    )
    hops: list[FailoverHop] = strawberry.field(description="Each provider's part, in order.")
    handoff: bool = strawberry.field(description="Whether the turn handed over to a person.")
    created_at: datetime = strawberry.field(description="When the turn was answered.")
    conversation_id: strawberry.Private[uuid.UUID]

    @relation(description="The conversation of the turn.")
    async def conversation(self, info: Info) -> ConversationRef | None:
        return await info.context.loaders.conversations.conversation(self.conversation_id)

    @classmethod
    def from_model(cls, row: InteractionModel) -> Interaction:
        hops = [FailoverHop.from_record(hop) for hop in row.hops]
        return cls(
            id=to_global_id(INTERACTION, row.id),
            intent=row.intent,
            understood=row.understood,
            language=row.language,
            tier=AssistantTier(row.tier),
            provider=row.provider,
            model=row.model,
            tokens_in=row.tokens_in,
            tokens_out=row.tokens_out,
            cost_usd=row.cost_usd,
            latency_ms=row.latency_ms,
            tools=_tool_names(row.tools),
            failover_hops=sum(1 for hop in hops if not hop.answered),
            hops=hops,
            handoff=row.handoff,
            created_at=row.created_at,
            conversation_id=row.conversation_id,
        )
