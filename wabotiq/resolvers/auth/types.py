"""GraphQL types of sign-in and the viewer."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.auth.models import User as UserModel
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.relations import relation
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.api_keys.types import ApiKey
    from wabotiq.resolvers.members.types import UserMembership
    from wabotiq.resolvers.tenancy.types import Tenant

ApiKeyRef = Annotated["ApiKey", strawberry.lazy("wabotiq.resolvers.api_keys.types")]
MembershipRef = Annotated["UserMembership", strawberry.lazy("wabotiq.resolvers.members.types")]
TenantRef = Annotated["Tenant", strawberry.lazy("wabotiq.resolvers.tenancy.types")]


@strawberry.enum(description="What kind of caller a request comes from.")
class PrincipalKind(Enum):
    USER = strawberry.enum_value("user", description="A person signed in with a JWT.")
    API_KEY = strawberry.enum_value("api_key", description="A server using a tenant API key.")


@strawberry.type(description="A person who can sign in.")
class User:
    id: strawberry.ID = strawberry.field(description="Global ID of the user.")
    email: str = strawberry.field(description="Email address, also the login.")
    name: str = strawberry.field(description="Name, as they gave it.")

    @classmethod
    def from_model(cls, user: UserModel) -> User:
        return cls(id=to_global_id("User", user.id), email=user.email, name=user.name)


@strawberry.type(description="The caller of this request.")
class Viewer:
    kind: PrincipalKind = strawberry.field(description="A person or an API key.")
    user: User | None = strawberry.field(description="The person, for JWT callers.")
    scopes: list[str] = strawberry.field(description="The scopes this request holds.")
    user_id: strawberry.Private[uuid.UUID | None]
    api_key_id: strawberry.Private[uuid.UUID | None]
    tenant_id: strawberry.Private[str | None]

    @relation(description="The key, for API key callers.")
    async def api_key(self, info: Info) -> ApiKeyRef | None:
        if self.api_key_id is None:
            return None
        return await info.context.loaders.api_keys.api_key(self.api_key_id)

    @relation(description="The tenant this request acts for.")
    async def tenant(self, info: Info) -> TenantRef | None:
        if self.tenant_id is None:
            return None
        return await info.context.loaders.tenancy.tenant(self.tenant_id)

    @relation(description="Every tenant the person belongs to (empty for API keys).")
    async def memberships(self, info: Info) -> list[MembershipRef]:
        if self.user_id is None:
            return []
        return await info.context.loaders.members.user_memberships(self.user_id)


@strawberry.type(description="Tokens for a signed-in person.")
class AuthSession:
    access_token: str = strawberry.field(description="Send as `Authorization: Bearer …`.")
    access_token_expires_at: datetime = strawberry.field(description="When it stops working.")
    refresh_token: str = strawberry.field(
        description="Trade it once for new tokens with refreshToken; reusing it ends the session."
    )
    refresh_token_expires_at: datetime = strawberry.field(description="When it stops working.")
    user: User = strawberry.field(description="The person signed in.")


@strawberry.type(description="The result of signing in or refreshing.")
class SessionPayload:
    session: AuthSession | None = strawberry.field(description="The new tokens.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description=(
            "After failed sign-ins: seconds before the next attempt is considered (until then"
            " attempts are refused with THROTTLED, unchecked); null when one may try at once."
        ),
    )


@strawberry.type(description="The result of signing out.")
class LogoutPayload:
    ok: bool = strawberry.field(description="Whether a session was ended.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of accepting an invitation.")
class InvitationAcceptPayload:
    tenant: TenantRef | None = strawberry.field(description="The tenant joined.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.input(description="Credentials to sign in with.")
class LoginInput:
    email: str = strawberry.field(description="Email address.")
    password: str = strawberry.field(description="Password.")


@strawberry.input(description="A refresh token to trade.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token from the last session.")


@strawberry.input(description="The session to end.")
class LogoutInput:
    refresh_token: str = strawberry.field(description="The session's current refresh token.")


@strawberry.input(description="An invitation to redeem.")
class InvitationAcceptInput:
    token: str = strawberry.field(description="The invitation token.")
    password: str | None = strawberry.field(
        default=None, description="A password, required when the person has none yet."
    )
    name: str | None = strawberry.field(default=None, description="The person's name.")
