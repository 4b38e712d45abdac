"""Put the machinery around a bare schema: executor, limits, caches, authorization, cost, audit
and error masking. The schema itself (every area's root fields) is assembled in `wabotiq.api`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)

from wabotiq.core.settings import Settings
from wabotiq.graphql.cost import CostBuckets, CostCalculator
from wabotiq.graphql.executor import FastExecutionContext
from wabotiq.graphql.extensions.audit import AuditMutations
from wabotiq.graphql.extensions.caches import ValidationCacheByText
from wabotiq.graphql.extensions.guard import OperationGuard
from wabotiq.graphql.extensions.masking import MaskUnexpectedErrors
from wabotiq.graphql.requirements import RequirementIndex


def configure(
    schema: strawberry.Schema, settings: Settings, *, root_types: Sequence[str]
) -> strawberry.Schema:
    """`schema` with limits, caches, authorization, cost, audit and error masking."""
    if settings.fast_executor:
        schema.execution_context_class = FastExecutionContext
    index = RequirementIndex(schema._schema, tuple(root_types))
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
    extensions: list[type[SchemaExtension] | partial[SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        ParserCache,
        partial(AddValidationRules, limits),
        ValidationCacheByText,
        partial(
            OperationGuard,
            index=index,
            calculator=calculator,
            buckets=buckets,
            max_cost=settings.max_query_cost,
        ),
        AuditMutations,
        MaskUnexpectedErrors,
    ]
    schema.extensions = extensions  # type: ignore[assignment]
    return schema
