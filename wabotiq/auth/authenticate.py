"""Turn request credentials into a principal; every failure looks the same to the caller."""

from __future__ import annotations

from collections.abc import Mapping

from wabotiq.auth.api_keys import authenticate_api_key
from wabotiq.auth.members import member_scopes
from wabotiq.auth.principal import ANONYMOUS, Principal, PrincipalKind
from wabotiq.auth.tokens import InvalidToken, JwtSigner
from wabotiq.core.tenant import TenantRef
from wabotiq.tenancy.models import TenantStatus
from wabotiq.tenancy.service import find_tenant, tenant_ref


class Unauthenticated(Exception):
    """Wrong, unknown or mismatched credentials; deliberately says no more than that."""


class TenantSuspended(Exception):
    """Valid credentials for a tenant that is suspended."""


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated
    return token.strip()


async def authenticate(*, headers: Mapping[str, str], signer: JwtSigner) -> Principal:
    """Resolve `Authorization: Bearer` or `X-Tenant-API-Key`, with `X-Tenant-ID`, to a principal."""
    bearer = _bearer(headers)
    api_key = headers.get("x-tenant-api-key")
    tenant_header = headers.get("x-tenant-id")
    if bearer is None and api_key is None:
        return ANONYMOUS
    if bearer is not None and api_key is not None:
        raise Unauthenticated
    if api_key is not None:
        principal = await _from_api_key(tenant_header, api_key)
    else:
        principal = await _from_jwt(tenant_header, bearer or "", signer)
    return principal


async def _from_api_key(tenant_header: str | None, secret: str) -> Principal:
    match = await authenticate_api_key(tenant_ref=tenant_header or "", secret=secret)
    if match is None:
        raise Unauthenticated
    if match.tenant_status == TenantStatus.SUSPENDED:
        raise TenantSuspended
    return Principal(
        kind=PrincipalKind.API_KEY,
        tenant=TenantRef.of(match.tenant_id),
        scopes=match.scopes,
        api_key_id=match.api_key_id,
        label=f"API key {match.prefix}",
    )


async def _from_jwt(tenant_header: str | None, token: str, signer: JwtSigner) -> Principal:
    try:
        claims = signer.verify_access(token)
    except InvalidToken as exc:
        raise Unauthenticated from exc
    if tenant_header is None:
        return Principal(kind=PrincipalKind.USER, user_id=claims.user_id)
    tenant = await find_tenant(tenant_header)
    member = await member_scopes(tenant_id=tenant.id, user_id=claims.user_id) if tenant else None
    if tenant is None or member is None:
        raise Unauthenticated
    if tenant.status is TenantStatus.SUSPENDED:
        raise TenantSuspended
    scopes, email = member
    return Principal(
        kind=PrincipalKind.USER,
        tenant=tenant_ref(tenant),
        scopes=scopes,
        user_id=claims.user_id,
        label=email,
    )
