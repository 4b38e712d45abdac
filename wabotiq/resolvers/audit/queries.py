"""Queries of the audit log."""

from __future__ import annotations

from typing import Annotated

import strawberry

from wabotiq.domain.audit.service import AuditFilter, Outcome, list_entries
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.relay import (
    AfterArg,
    Connection,
    FirstArg,
    keyset_connection,
)
from wabotiq.resolvers.audit.types import AuditEntry, AuditLogFilter
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import int_key_page

FilterArg = Annotated[
    AuditLogFilter | None, strawberry.argument(description="Only entries matching this.")
]


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Recorded mutations, newest first.", directives=scopes(["users:manage"])
    )
    async def audit_log(
        self, info: Info, first: FirstArg = 50, after: AfterArg = None, filter: FilterArg = None
    ) -> Connection[AuditEntry]:
        before_id, limit = int_key_page(info, first, after)
        given = filter or AuditLogFilter()
        rows, total = await list_entries(
            filter=AuditFilter(
                operation=given.operation,
                actor_id=given.actor_id,
                outcome=Outcome[given.outcome.name] if given.outcome else None,
                since=given.since,
                until=given.until,
            ),
            before_id=before_id,
            limit=limit + 1,
        )
        return keyset_connection(
            rows,
            limit=limit,
            continued=before_id is not None,
            total=total,
            convert=AuditEntry.from_model,
            key=lambda row: row.id,
        )
