"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wabotiq.domain.audit.models import AuditEntry as AuditEntryModel
from wabotiq.graphql.relay import to_global_id


@strawberry.enum(description="How a recorded mutation ended.")
class AuditOutcome(Enum):
    SUCCESS = strawberry.enum_value("success", description="It did what was asked.")
    USER_ERROR = strawberry.enum_value("user_error", description="Refused with userErrors.")
    ERROR = strawberry.enum_value("error", description="Failed with an error.")
    FORBIDDEN = strawberry.enum_value("forbidden", description="Refused for missing scopes.")


@strawberry.type(description="One recorded mutation.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Global ID of the entry.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    actor_type: str = strawberry.field(description="user, api_key or anonymous.")
    actor_id: str | None = strawberry.field(description="The user or API key id.")
    actor_label: str = strawberry.field(description="The user's email or the key's prefix.")
    operation: str = strawberry.field(description="The mutation, e.g. roleCreate.")
    target_ids: list[str] = strawberry.field(description="Global IDs of what it touched.")
    outcome: AuditOutcome = strawberry.field(description="How it ended.")
    request_id: str = strawberry.field(description="The request id, as in X-Request-ID.")

    @classmethod
    def from_model(cls, entry: AuditEntryModel) -> AuditEntry:
        return cls(
            id=to_global_id("AuditEntry", entry.id),
            occurred_at=entry.occurred_at,
            actor_type=entry.actor_type,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            operation=entry.operation,
            target_ids=list(entry.target_ids),
            outcome=AuditOutcome(entry.outcome),
            request_id=entry.request_id,
        )


@strawberry.input(description="Narrow the audit log; every given field must match.")
class AuditLogFilter:
    operation: str | None = strawberry.field(default=None, description="The mutation name.")
    actor_id: str | None = strawberry.field(default=None, description="A user or API key id.")
    outcome: AuditOutcome | None = strawberry.field(default=None, description="How it ended.")
    since: datetime | None = strawberry.field(default=None, description="At or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Before this time.")
