"""Tenant API keys: shown once, stored hashed, found by their visible prefix, revocable."""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wabotiq.auth.errors import AuthError, AuthErrorCode
from wabotiq.auth.models import ApiKey
from wabotiq.auth.scopes import check_grantable
from wabotiq.auth.tokens import digest

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


async def revoke_api_key(*, tenant_id: str, api_key_id: uuid.UUID) -> ApiKey:
    """Revoke at once: the next request with this key is refused."""
    key = await ApiKey.get_or_none(id=api_key_id, tenant_id=tenant_id)
    if key is None:
        raise AuthError(AuthErrorCode.NOT_FOUND, "No such API key.", field="id")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at"])
    return key


async def authenticate_api_key(*, tenant_id: str, secret: str) -> ApiKey | None:
    """The live key of this tenant matching `secret`, or None."""
    prefix = _split(secret)
    if prefix is None:
        return None
    key = await ApiKey.get_or_none(prefix=prefix)
    if key is None or not hmac.compare_digest(key.secret_hash, digest(secret)):
        return None
    if key.tenant_id != tenant_id or key.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        await ApiKey.filter(id=key.id).update(last_used_at=now)
    return key


async def list_api_keys(*, tenant_id: str, offset: int, limit: int) -> tuple[list[ApiKey], int]:
    """A page of the tenant's keys, newest first, and the total count."""
    query = ApiKey.filter(tenant_id=tenant_id)
    total = await query.count()
    rows = await query.order_by("-created_at", "id").offset(offset).limit(limit)
    return list(rows), total
