"""What the app needs at run time beyond settings: keys, ciphers, the resolved database URL."""

from __future__ import annotations

from dataclasses import dataclass

from wabotiq.auth.crypto import FieldCipher
from wabotiq.auth.tokens import JwtSigner
from wabotiq.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    signer: JwtSigner
    cipher: FieldCipher

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.require_secrets()
        return cls(settings=settings, signer=JwtSigner(settings), cipher=FieldCipher(settings))
