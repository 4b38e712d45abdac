"""GraphQL types of API keys."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wabotiq.auth.models import ApiKey as ApiKeyModel
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relay import to_global_id


@strawberry.type(
    description="A key for servers and partners; the secret itself is never shown again."
)
class ApiKey:
    id: strawberry.ID = strawberry.field(description="Global ID of the key.")
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The visible start of the key, to recognise it.")
    scopes: list[str] = strawberry.field(description="What the key may do.")
    created_at: datetime = strawberry.field(description="When the key was created.")
    last_used_at: datetime | None = strawberry.field(
        description="When the key was last used (to the minute)."
    )
    revoked_at: datetime | None = strawberry.field(description="When the key was revoked.")

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", key.id),
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="What the key is for.")
    scopes: list[str] = strawberry.field(description="What the key may do; you must hold these.")


@strawberry.input(description="The key to revoke.")
class ApiKeyRevokeInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the key.")


@strawberry.type(description="The result of creating an API key.")
class ApiKeyCreatePayload:
    api_key: ApiKey | None = strawberry.field(description="The new key.")
    secret: str | None = strawberry.field(
        description="The key itself, shown this once: send it as X-Tenant-API-Key."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of revoking an API key.")
class ApiKeyRevokePayload:
    api_key: ApiKey | None = strawberry.field(description="The revoked key.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
