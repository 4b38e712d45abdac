"""Opaque global IDs (`Type:raw` in unpadded URL-safe base64), as the API and the agent show."""

from __future__ import annotations

import base64
import binascii
import uuid

_URLSAFE = bytes.maketrans(b"+/", b"-_")


class InvalidGlobalId(ValueError):
    """An ID that is not ours or names another type."""


def encode_text(text: str) -> str:
    """Unpadded URL-safe base64 (binascii directly: global IDs are made for every node)."""
    return (
        binascii.b2a_base64(text.encode(), newline=False).translate(_URLSAFE).rstrip(b"=").decode()
    )


def decode_text(text: str) -> str:
    """The text inside `encode_text`'s output; raises ValueError (binascii.Error,
    UnicodeDecodeError) for anything else."""
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode()


def global_id(type_name: str, raw_id: object) -> str:
    return encode_text(f"{type_name}:{raw_id}")


def from_global_id(global_id: str, expected_type: str) -> str:
    """The raw id inside a global ID of `expected_type`."""
    try:
        type_name, _, raw = decode_text(global_id).partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidGlobalId(f"Not a valid ID: {global_id!r}") from exc
    if type_name != expected_type or not raw:
        raise InvalidGlobalId(f"Not a {expected_type} ID: {global_id!r}")
    return raw


def uuid_from_global_id(global_id: str, type_name: str) -> uuid.UUID:
    """The UUID inside a global ID of `type_name`."""
    try:
        return uuid.UUID(from_global_id(global_id, type_name))
    except ValueError as exc:
        raise InvalidGlobalId(f"Not a {type_name} ID: {global_id!r}") from exc
