"""Queries of dead letters."""

from __future__ import annotations

import strawberry

from wabotiq.domain.dead_letters.service import list_dead_letters
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import AfterArg, Connection, FirstArg, keyset_connection
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.dead_letters.types import DeadLetter
from wabotiq.resolvers.paging import int_key_page


@strawberry.type
class DeadLettersQueries:
    @strawberry.field(
        description="Tasks of this tenant that failed their last attempt, newest first.",
        directives=scopes(["integrations:manage"]),
    )
    async def dead_letters(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None
    ) -> Connection[DeadLetter]:
        before_id, limit = int_key_page(info, first, after)
        rows, total = await list_dead_letters(before_id=before_id, limit=limit + 1)
        return keyset_connection(
            rows,
            limit=limit,
            continued=before_id is not None,
            total=total,
            convert=DeadLetter.from_model,
            key=lambda row: row.id,
        )
