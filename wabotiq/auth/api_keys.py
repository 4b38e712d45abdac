"""Tenant API keys: shown once, stored hashed, found by their visible prefix, revocable."""

from __future__ import annotations

import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import connections

from wabotiq.auth.errors import AuthError, AuthErrorCode
from wabotiq.auth.models import ApiKey
from wabotiq.auth.scopes import check_grantable, check_manageable
from wabotiq.auth.tokens import digest
from wabotiq.tenancy.access import AccessChange, access_changed

KEY_PREFIX = "wbk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    api_key: ApiKey
    secret: str


def _split(secret: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like ours."""
    if not secret.startswith(KEY_PREFIX) or len(secret) < len(KEY_PREFIX) + 20:
        return None
    return secret[: len(KEY_PREFIX) + 8]


async def create_api_key(
    *,
    tenant_id: str,
    name: str,
    scopes: list[str],
    granted: frozenset[str],
    created_by: uuid.UUID | None,
) -> CreatedApiKey:
    """Create a key with scopes the creator holds; the secret is returned this once only."""
    check_grantable(scopes, granted)
    if not name.strip():
        raise AuthError(AuthErrorCode.INVALID, "A name is required.", field="name")
    secret = KEY_PREFIX + secrets.token_hex(4) + secrets.token_urlsafe(32)
    key = await ApiKey.create(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=name.strip(),
        prefix=_split(secret),
        secret_hash=digest(secret),
        scopes=sorted(set(scopes)),
        created_by=created_by,
    )
    return CreatedApiKey(api_key=key, secret=secret)


async def revoke_api_key(
    *, tenant_id: str, api_key_id: uuid.UUID, granted: frozenset[str]
) -> ApiKey:
    """Revoke a key holding no scope you lack, at once: the next request with it is refused,
    its open sockets closed."""
    key = await ApiKey.get_or_none(id=api_key_id, tenant_id=tenant_id)
    if key is None:
        raise AuthError(AuthErrorCode.NOT_FOUND, "No such API key.", field="id")
    check_manageable(key.scopes, granted, what="an API key")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at"])
        await access_changed(
            tenant_id=tenant_id, change=AccessChange.API_KEY_REVOKED, subject_id=str(key.id)
        )
    return key


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """A live key and the tenant it belongs to."""

    api_key_id: uuid.UUID
    prefix: str
    scopes: frozenset[str]
    tenant_id: str
    tenant_slug: str
    tenant_status: str


KEY_WITH_TENANT = (
    "SELECT k.id, k.prefix, k.secret_hash, k.scopes, k.revoked_at, k.last_used_at,"
    " t.id AS tenant_id, t.slug AS tenant_slug, t.status AS tenant_status"
    " FROM public.api_keys k JOIN public.tenants t ON t.id = k.tenant_id WHERE k.prefix = $1"
)


async def authenticate_api_key(*, tenant_ref: str, secret: str) -> KeyMatch | None:
    """The live key matching `secret` whose tenant is `tenant_ref` (id or slug), or None.

    One query for key and tenant: this runs on every API-key request."""
    prefix = _split(secret)
    if prefix is None:
        return None
    rows = await connections.get("default").execute_query_dict(KEY_WITH_TENANT, [prefix])
    row = rows[0] if rows else None
    if row is None or not hmac.compare_digest(row["secret_hash"], digest(secret)):
        return None
    if row["revoked_at"] is not None or tenant_ref.strip().lower() not in (
        row["tenant_id"],
        row["tenant_slug"],
    ):
        return None
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_RESOLUTION:
        await ApiKey.filter(id=row["id"]).update(last_used_at=now)
    scopes = row["scopes"]
    return KeyMatch(
        api_key_id=row["id"],
        prefix=row["prefix"],
        scopes=frozenset(json.loads(scopes) if isinstance(scopes, str) else scopes),
        tenant_id=row["tenant_id"],
        tenant_slug=row["tenant_slug"],
        tenant_status=row["tenant_status"],
    )


async def list_api_keys(*, tenant_id: str, offset: int, limit: int) -> tuple[list[ApiKey], int]:
    """A page of the tenant's keys, newest first, and the total count."""
    query = ApiKey.filter(tenant_id=tenant_id)
    total = await query.count()
    rows = await query.order_by("-created_at", "id").offset(offset).limit(limit)
    return list(rows), total
