"""Put the machinery around a bare schema: executor, limits, caches, authorization, cost, audit
and error masking. The schema itself (every area's root fields) is assembled in `wabotiq.api`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from wabotiq.core.settings import Settings
from wabotiq.db.health import connection_error
from wabotiq.graphql.cost import CostBuckets, CostCalculator
from wabotiq.graphql.defaults import make_defaults_printable
from wabotiq.graphql.executor import fast_execution_context
from wabotiq.graphql.extensions.audit import AuditMutations
from wabotiq.graphql.extensions.caches import ValidationCacheByText
from wabotiq.graphql.extensions.document import DocumentChecks
from wabotiq.graphql.extensions.guard import OperationGuard
from wabotiq.graphql.extensions.literals import LocateLiteralErrors
from wabotiq.graphql.extensions.masking import MaskUnexpectedErrors
from wabotiq.graphql.extensions.operation_context import ContextPerOperation
from wabotiq.graphql.extensions.text import StorableText
from wabotiq.graphql.requirements import requirement_index


class Schema(strawberry.Schema):
    """A Strawberry schema whose input defaults all print in introspection, and which logs
    errors as Strawberry does, except an unreachable database: that is noted in the runtime's
    database health, which logs one line per outage instead of a traceback a request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        make_defaults_printable(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        logged = []
        for error in errors:
            cause = connection_error(error.original_error)
            if cause is None:
                logged.append(error)
            elif execution_context is not None:
                execution_context.context.runtime.db_health.failed(cause)
        if logged:
            super().process_errors(logged, execution_context)


def configure(schema: Schema, settings: Settings) -> Schema:
    """`schema` with limits, caches, authorization, cost, audit and error masking."""
    if settings.fast_executor:
        schema.execution_context_class = fast_execution_context()
    index = requirement_index(schema._schema)
    calculator = CostCalculator(schema._schema)
    buckets = CostBuckets(
        capacity=settings.cost_bucket_capacity, restore_rate=settings.cost_restore_rate
    )
    # Rule classes built once: validation results are cached per (query text, rules).
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection:
        limits.extend(DisableIntrospection().validation_rules)
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ContextPerOperation,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        ParserCache,
        partial(AddValidationRules, limits),
        LocateLiteralErrors,
        ValidationCacheByText,
        partial(
            DocumentChecks,
            max_fragments=settings.max_fragments,
            max_selections=settings.max_selections,
            max_repeats=settings.max_field_repeats,
        ),
        partial(
            OperationGuard,
            index=index,
            calculator=calculator,
            buckets=buckets,
            max_cost=settings.max_query_cost,
        ),
        StorableText,
        AuditMutations,
        MaskUnexpectedErrors,
    ]
    schema.extensions = tuple(extensions)
    return schema
