"""Every mutation leaves an audit entry: actor, operation, targets, outcome, request id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import FieldNode, OperationType
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from wabotiq.core.tenant import tenant_context
from wabotiq.domain.audit.service import Outcome, record_entry


def _outcome(field: str, result: Any, denied: bool) -> Outcome:
    if denied:
        return Outcome.FORBIDDEN
    errors = getattr(result, "errors", None) or []
    if any(e.path and e.path[0] == field for e in errors) or (result.data is None and errors):
        return Outcome.ERROR
    payload = (result.data or {}).get(field)
    if isinstance(payload, dict) and payload.get("userErrors"):
        return Outcome.USER_ERROR
    return Outcome.SUCCESS


class AuditMutations(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context
        context = ctx.context
        principal = context.principal
        document = ctx.graphql_document
        operation = get_operation_ast(document, ctx.operation_name) if document else None
        if operation is None or operation.operation is not OperationType.MUTATION:
            return
        tenant = principal.tenant or context.audit_tenant
        if tenant is None:
            return  # nothing tenant-scoped was touched (sign-in and token refresh)
        with tenant_context(tenant):
            await self._record(operation, context, principal)

    async def _record(self, operation: Any, context: Any, principal: Any) -> None:
        ctx = self.execution_context
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            field = selection.alias.value if selection.alias else selection.name.value
            await record_entry(
                actor_type=principal.kind.value,
                actor_id=principal.actor_id,
                actor_label=principal.label,
                operation=selection.name.value,
                target_ids=context.audit_targets.get(field, []),
                outcome=_outcome(field, ctx.result, context.denied),
                request_id=context.request_id,
            )
