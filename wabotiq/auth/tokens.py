"""Access JWTs (HS256, `kid` in the header, every configured key verifies) and opaque secrets."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from wabotiq.core.settings import Settings

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or signed by an unknown key."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    token_id: str
    expires_at: int


class JwtSigner:
    """Signs with the active key; verifies with any configured key, chosen by `kid`."""

    def __init__(self, settings: Settings) -> None:
        self._keys = KeySet(
            [OctKey.import_key(secret, {"kid": kid}) for kid, secret in settings.jwt_keys.items()]
        )
        self._active = settings.jwt_active_kid
        self._issuer = settings.jwt_issuer
        self._ttl = settings.access_token_ttl_s
        self._registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self._issuer},
            exp={"essential": True},
            sub={"essential": True},
            typ={"essential": True, "value": "access"},
        )

    def issue_access(self, user_id: uuid.UUID) -> tuple[str, int]:
        now = int(time.time())
        expires = now + self._ttl
        claims = {
            "iss": self._issuer,
            "sub": str(user_id),
            "iat": now,
            "exp": expires,
            "jti": secrets.token_hex(8),
            "typ": "access",
        }
        header = {"alg": ALGORITHM, "kid": self._active}
        return jwt.encode(header, claims, self._keys.get_by_kid(self._active)), expires

    def verify_access(self, token: str) -> AccessClaims:
        try:
            decoded = jwt.decode(token, self._keys, algorithms=[ALGORITHM])
            self._registry.validate(decoded.claims)
            return AccessClaims(
                user_id=uuid.UUID(decoded.claims["sub"]),
                token_id=str(decoded.claims.get("jti", "")),
                expires_at=int(decoded.claims["exp"]),
            )
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


def new_secret(prefix: str, nbytes: int = 32) -> str:
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough for lookup, nothing to crack."""
    return hashlib.sha256(secret.encode()).hexdigest()
