"""Which model modules Tortoise knows, per scope: `public` (shared) or `tenant` (every tenant's
schema). Each area registers its own models module when it is imported
(`register_models("tenant", __name__)` at the end of its `models.py`); `wabotiq.areas` imports
every area, so an entry point that imports it hands Tortoise the whole set."""

from __future__ import annotations

from typing import Literal

Scope = Literal["public", "tenant"]

_registered: dict[Scope, list[str]] = {"public": [], "tenant": []}


def register_models(scope: Scope, module: str) -> None:
    """Add a models module to `scope` (once)."""
    if module not in _registered[scope]:
        _registered[scope].append(module)


def registered_models(scope: Scope) -> list[str]:
    """The registered models modules of `scope`, in registration order."""
    if not _registered["public"]:
        raise RuntimeError("no models registered: import wabotiq.areas before opening the database")
    return list(_registered[scope])
