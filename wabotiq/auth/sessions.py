"""Log in (throttled), rotate refresh tokens (reuse revokes the family), log out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wabotiq.auth import throttle
from wabotiq.auth.errors import AuthError, AuthErrorCode
from wabotiq.auth.models import RefreshToken, User
from wabotiq.auth.passwords import hash_password, needs_rehash, verify_password
from wabotiq.auth.throttle import LoginPolicy
from wabotiq.auth.tokens import JwtSigner, digest, new_secret

REFRESH_PREFIX = "wbr_"


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    access_token: str
    access_expires_at: int
    refresh_token: str
    refresh_expires_at: datetime


class RefreshTokenReused(AuthError):
    """A spent refresh token came back: whoever holds the family may be an attacker.

    The caller must revoke the family (`revoke_family`) in a transaction that commits.
    """

    must_commit = True

    def __init__(self, family_id: uuid.UUID) -> None:
        super().__init__(
            AuthErrorCode.REFRESH_TOKEN_REUSED,
            "This refresh token was already used; every session of its family is now revoked.",
        )
        self.family_id = family_id


def _now() -> datetime:
    return datetime.now(UTC)


async def _issue(
    *, user: User, family_id: uuid.UUID, signer: JwtSigner, refresh_ttl_s: int
) -> Session:
    access, access_exp = signer.issue_access(user.id)
    refresh = new_secret(REFRESH_PREFIX)
    expires_at = _now() + timedelta(seconds=refresh_ttl_s)
    await RefreshToken.create(
        id=uuid.uuid4(),
        user_id=user.id,
        family_id=family_id,
        token_hash=digest(refresh),
        expires_at=expires_at,
    )
    return Session(user, access, access_exp, refresh, expires_at)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A session, or why not. A refusal is returned, not raised: the failure it counted must
    commit with it."""

    session: Session | None
    refusal: AuthError | None = None
    retry_after_s: int | None = None


async def login(
    *,
    email: str,
    password: str,
    client: str,
    policy: LoginPolicy,
    signer: JwtSigner,
    refresh_ttl_s: int,
    now: datetime | None = None,
) -> LoginResult:
    """Check a password and open a session with a new refresh-token family; failures slow
    down further attempts, which are refused unchecked until their wait is over."""
    email = email.strip().lower()
    gate = await throttle.open_gate(email=email, client=client, policy=policy, now=now)
    if gate.wait_s() is not None:
        # Counted too: hammering through the wait only lengthens it.
        wait = await throttle.count_failure(gate=gate) or 1
        message = f"Too many failed sign-ins: try again in {throttle.describe_wait(wait)}."
        return LoginResult(None, AuthError(AuthErrorCode.THROTTLED, message), wait)
    user = await User.get_or_none(email=email, is_active=True)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        refusal = AuthError(AuthErrorCode.INVALID_CREDENTIALS, "Email or password is wrong.")
        return LoginResult(None, refusal, await throttle.count_failure(gate=gate))
    await throttle.forget_failures(gate=gate)
    return LoginResult(await _open_session(user, password, signer, refresh_ttl_s))


async def _open_session(
    user: User, password: str, signer: JwtSigner, refresh_ttl_s: int
) -> Session:
    user.last_login_at = _now()
    fields = ["last_login_at"]
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
        fields.append("password_hash")
    await user.save(update_fields=fields)
    return await _issue(
        user=user, family_id=uuid.uuid4(), signer=signer, refresh_ttl_s=refresh_ttl_s
    )


async def refresh(*, refresh_token: str, signer: JwtSigner, refresh_ttl_s: int) -> Session:
    """Swap a refresh token for a new pair; presenting a spent one revokes its whole family."""
    token = await RefreshToken.get_or_none(token_hash=digest(refresh_token))
    invalid = AuthError(AuthErrorCode.INVALID_REFRESH_TOKEN, "The refresh token is not valid.")
    if token is None or token.revoked_at is not None or token.expires_at <= _now():
        raise invalid
    claimed = await RefreshToken.filter(id=token.id, used_at__isnull=True).update(used_at=_now())
    if not claimed:
        raise RefreshTokenReused(token.family_id)
    user = await User.get_or_none(id=token.user_id, is_active=True)
    if user is None:
        raise invalid
    return await _issue(
        user=user, family_id=token.family_id, signer=signer, refresh_ttl_s=refresh_ttl_s
    )


async def revoke_family(*, family_id: uuid.UUID) -> int:
    """Revoke every refresh token of one login."""
    return await RefreshToken.filter(family_id=family_id, revoked_at__isnull=True).update(
        revoked_at=_now()
    )


async def logout(*, refresh_token: str) -> bool:
    """End the session the refresh token belongs to."""
    token = await RefreshToken.get_or_none(token_hash=digest(refresh_token))
    if token is None:
        return False
    await revoke_family(family_id=token.family_id)
    return True
