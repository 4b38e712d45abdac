"""Before execution: scopes (per document, cached) and cost (per request, per key budget)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationType
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from wabotiq.graphql.cost import CostBuckets, CostCalculator
from wabotiq.graphql.requirements import Denial, Requirement, RequirementIndex


def _accepts(requirement: Requirement | None) -> str:
    """`a and b or c`: the scopes that open a field (outer list OR, inner list AND)."""
    if not requirement:
        return "no one (it carries no access rule)"
    return " or ".join(" and ".join(alternative) for alternative in requirement)


def denial_error(denial: Denial) -> GraphQLError:
    if denial.unauthenticated:
        return GraphQLError(
            f"Sign in to use: {', '.join(denial.fields)}.",
            extensions={"code": "UNAUTHENTICATED", "fields": denial.fields},
        )
    needs = "; ".join(
        f"{field} needs {_accepts(requirement)}"
        for field, requirement in zip(denial.fields, denial.requirements, strict=True)
    )
    extensions = {"fields": denial.fields, "missingScopes": denial.missing_scopes}
    if denial.tenant_missing:
        return GraphQLError(
            "No tenant chosen: send the X-Tenant-ID header with your token; scopes are granted "
            f"per tenant. {needs}.",
            extensions={"code": "TENANT_REQUIRED", **extensions},
        )
    detail = (
        f" Missing scopes: {', '.join(denial.missing_scopes)}." if denial.missing_scopes else ""
    )
    return GraphQLError(
        f"Not allowed: {needs}.{detail}", extensions={"code": "FORBIDDEN", **extensions}
    )


class OperationGuard(SchemaExtension):
    """Refuses an operation before any resolver runs; reports its cost in `extensions.cost`."""

    def __init__(
        self,
        *,
        index: RequirementIndex,
        calculator: CostCalculator,
        buckets: CostBuckets,
        max_cost: int,
    ) -> None:
        self.index = index
        self.calculator = calculator
        self.buckets = buckets
        self.max_cost = max_cost
        self._cost: dict[str, Any] | None = None

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        operation = get_operation_ast(document, ctx.operation_name) if document else None
        if document is not None and operation is not None:
            error = self._check(document, operation)
            if error is not None:
                if operation.operation is OperationType.SUBSCRIPTION:
                    # Strawberry subscribes regardless of `ctx.result`; an error raised here
                    # ends the subscription with it instead.
                    raise error
                ctx.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def _check(self, document: Any, operation: Any) -> GraphQLError | None:
        ctx = self.execution_context
        principal = ctx.context.principal
        needs = self.index.for_document((ctx.query or "", ctx.operation_name), document, operation)
        denial = self.index.check(needs, principal)
        if denial is not None:
            ctx.context.denied = True
            return denial_error(denial)
        cost = self.calculator.operation_cost(document, operation, ctx.variables)
        if cost > self.max_cost:
            self._cost = {"requestedQueryCost": cost, "maxCost": self.max_cost}
            return GraphQLError(
                f"Query cost {cost} exceeds the maximum of {self.max_cost}; ask for fewer items.",
                extensions={"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": self.max_cost},
            )
        key = principal.actor_id or f"anon:{ctx.context.client_key}"
        allowed, status = self.buckets.spend(key, cost)
        self._cost = {"requestedQueryCost": cost, "throttleStatus": status.as_dict()}
        if not allowed:
            return GraphQLError(
                "Throttled: this key has spent its query budget; retry shortly.",
                extensions={"code": "THROTTLED"},
            )
        return None

    def get_results(self) -> dict[str, Any]:
        return {"cost": self._cost} if self._cost is not None else {}
