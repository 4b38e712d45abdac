"""Inputs shared by every area's mutations."""

from __future__ import annotations

import strawberry


@strawberry.input(description="Which object to act on.")
class IdInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the object.")
