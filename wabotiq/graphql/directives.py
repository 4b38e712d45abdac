"""The schema directives of our contract: `@requiresScopes` and `@public`."""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresScopes",
    description=(
        "The caller must hold every scope of at least one inner list "
        "(outer list OR, inner list AND). An empty inner list admits any signed-in caller."
    ),
)
class RequiresScopes:
    scopes: list[list[str]]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="public",
    description="Anyone may call this field, signed in or not.",
)
class Public:
    pass


def scopes(*alternatives: list[str]) -> list[RequiresScopes]:
    """`directives=` for a field: `scopes(["orders:view"], ["orders:edit"])`."""
    return [RequiresScopes(scopes=[list(alt) for alt in alternatives])]


def signed_in() -> list[RequiresScopes]:
    """Any authenticated caller."""
    return [RequiresScopes(scopes=[[]])]


PUBLIC = [Public()]
