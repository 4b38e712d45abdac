"""Field encryption at rest (Fernet, newest key first for rotation) and keyed lookup hashes."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from wabotiq.core.settings import Settings


class FieldCipher:
    def __init__(self, settings: Settings) -> None:
        if not settings.field_encryption_keys or not settings.lookup_hash_key:
            raise ValueError("FIELD_ENCRYPTION_KEYS and LOOKUP_HASH_KEY must be set")
        self._fernet = MultiFernet([Fernet(key) for key in settings.field_encryption_keys])
        self._lookup_key = settings.lookup_hash_key.encode()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt with any configured key") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key."""
        return self._fernet.rotate(token.encode()).decode()

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()
