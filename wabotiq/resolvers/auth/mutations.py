"""Sign in, refresh, sign out, accept an invitation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from wabotiq.auth import sessions
from wabotiq.auth.members import accept_invitation
from wabotiq.auth.throttle import LoginPolicy
from wabotiq.graphql.directives import PUBLIC
from wabotiq.graphql.errors import UserError, mutate, user_error
from wabotiq.graphql.relay import INPUT
from wabotiq.resolvers.auth.types import (
    AuthSession,
    InvitationAcceptInput,
    InvitationAcceptPayload,
    LoginInput,
    LogoutInput,
    LogoutPayload,
    RefreshTokenInput,
    SessionPayload,
    User,
)
from wabotiq.resolvers.context import Info
from wabotiq.tenancy.models import Tenant
from wabotiq.tenancy.service import get_tenant, tenant_ref


def _payload(
    session: sessions.Session | None, errors: list[UserError], retry_after: int | None = None
) -> SessionPayload:
    if session is None:
        return SessionPayload(session=None, user_errors=errors, retry_after_seconds=retry_after)
    return SessionPayload(
        session=AuthSession(
            access_token=session.access_token,
            access_token_expires_at=datetime.fromtimestamp(session.access_expires_at, UTC),
            refresh_token=session.refresh_token,
            refresh_token_expires_at=session.refresh_expires_at,
            user=User.from_model(session.user),
        ),
        user_errors=[],
    )


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in with email and password.", directives=PUBLIC)
    async def login(self, info: Info, input: Annotated[LoginInput, INPUT]) -> SessionPayload:
        runtime = info.context.runtime
        result, errors = await mutate(
            lambda: sessions.login(
                email=input.email,
                password=input.password,
                client=info.context.client_key,
                policy=LoginPolicy.from_settings(runtime.settings),
                signer=runtime.signer,
                refresh_ttl_s=runtime.settings.refresh_token_ttl_s,
            )
        )
        if result is None:
            return _payload(None, errors)
        refused = [user_error(result.refusal)] if result.refusal else []
        return _payload(result.session, refused, result.retry_after_s)

    @strawberry.mutation(
        description="Trade a refresh token for new tokens; a reused token ends its session.",
        directives=PUBLIC,
    )
    async def refresh_token(
        self, info: Info, input: Annotated[RefreshTokenInput, INPUT]
    ) -> SessionPayload:
        runtime = info.context.runtime
        try:
            session, errors = await mutate(
                lambda: sessions.refresh(
                    refresh_token=input.refresh_token,
                    signer=runtime.signer,
                    refresh_ttl_s=runtime.settings.refresh_token_ttl_s,
                )
            )
        except sessions.RefreshTokenReused as reused:
            family_id = reused.family_id
            await mutate(lambda: sessions.revoke_family(family_id=family_id))
            session, errors = None, [user_error(reused)]
        return _payload(session, errors)

    @strawberry.mutation(description="End a session.", directives=PUBLIC)
    async def logout(self, info: Info, input: Annotated[LogoutInput, INPUT]) -> LogoutPayload:
        ended, errors = await mutate(lambda: sessions.logout(refresh_token=input.refresh_token))
        return LogoutPayload(ok=bool(ended), user_errors=errors)

    @strawberry.mutation(description="Join a tenant with an invitation token.", directives=PUBLIC)
    async def invitation_accept(
        self, info: Info, input: Annotated[InvitationAcceptInput, INPUT]
    ) -> InvitationAcceptPayload:
        async def accept() -> Tenant:
            membership = await accept_invitation(
                token=input.token, password=input.password, name=input.name
            )
            return await get_tenant(membership.tenant_id)

        tenant, errors = await mutate(accept)
        if tenant is None:
            return InvitationAcceptPayload(tenant=None, user_errors=errors)
        info.context.audit_tenant = tenant_ref(tenant)
        return InvitationAcceptPayload(
            tenant=info.context.loaders.tenancy.tenant_of(tenant), user_errors=errors
        )
