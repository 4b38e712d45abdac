"""Field encryption rotates keys without losing data; lookup hashes are keyed and stable."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet

from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings, generate_secrets


def _settings(keys: list[str], lookup_key: str = "k" * 43) -> Settings:
    secrets = generate_secrets() | {"field_encryption_keys": keys, "lookup_hash_key": lookup_key}
    return Settings(_env_file=None, **secrets)  # type: ignore[call-arg, arg-type]


def test_a_new_primary_key_still_decrypts_old_values_and_rotate_moves_them():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = FieldCipher(_settings([old]))
    token = before.encrypt("+254712345678")
    after = FieldCipher(_settings([new, old]))
    assert after.decrypt(token) == "+254712345678"
    rotated = after.rotate(token)
    only_new = FieldCipher(_settings([new]))
    assert only_new.decrypt(rotated) == "+254712345678"
    with pytest.raises(ValueError):
        only_new.decrypt(token)


def test_ciphertext_hides_the_value_and_differs_each_time():
    cipher = FieldCipher(_settings([Fernet.generate_key().decode()]))
    first, second = cipher.encrypt("+254712345678"), cipher.encrypt("+254712345678")
    assert first != second
    assert "254712345678" not in first


def test_lookup_hash_is_stable_per_key_and_differs_across_keys():
    key = Fernet.generate_key().decode()
    one = FieldCipher(_settings([key], lookup_key="a" * 43))
    two = FieldCipher(_settings([key], lookup_key="b" * 43))
    assert one.lookup_hash("+254712345678") == one.lookup_hash("+254712345678")
    assert one.lookup_hash("+254712345678") != two.lookup_hash("+254712345678")
    assert one.lookup_hash("+254712345678") != one.lookup_hash("+254712345679")
    # HMAC-SHA256 keyed with LOOKUP_HASH_KEY: without the key, the hash cannot be recomputed.
    keyed = hmac.new(b"a" * 43, b"+254712345678", hashlib.sha256).hexdigest()
    assert one.lookup_hash("+254712345678") == keyed
