"""Assemble the schema: root types from every area, and the extensions that guard it."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from wabotiq.graphql.cost import CostBuckets, CostCalculator
from wabotiq.graphql.executor import FastExecutionContext
from wabotiq.graphql.extensions.audit import AuditMutations
from wabotiq.graphql.extensions.guard import OperationGuard
from wabotiq.graphql.extensions.masking import MaskUnexpectedErrors
from wabotiq.graphql.requirements import RequirementIndex
from wabotiq.graphql.scalars import SCALAR_MAP
from wabotiq.resolvers.api_keys.mutations import ApiKeysMutations
from wabotiq.resolvers.api_keys.queries import ApiKeysQueries
from wabotiq.resolvers.audit.queries import AuditQueries
from wabotiq.resolvers.auth.mutations import AuthMutations
from wabotiq.resolvers.auth.queries import AuthQueries
from wabotiq.resolvers.members.mutations import MembersMutations
from wabotiq.resolvers.members.queries import MembersQueries
from wabotiq.resolvers.tenancy.queries import TenancyQueries
from wabotiq.settings import Settings


@strawberry.type(description="Everything you can read.")
class Query(AuthQueries, TenancyQueries, MembersQueries, ApiKeysQueries, AuditQueries):
    pass


@strawberry.type(description="Everything you can change.")
class Mutation(AuthMutations, MembersMutations, ApiKeysMutations):
    pass


ROOT_TYPES = ("Query", "Mutation", "Subscription")


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with limits, caches, authorization, cost, audit and error masking."""
    schema = contract_schema()
    if settings.fast_executor:
        schema.execution_context_class = FastExecutionContext
    index = RequirementIndex(schema._schema, ROOT_TYPES)
    calculator = CostCalculator(schema._schema)
    buckets = CostBuckets(
        capacity=settings.cost_bucket_capacity, restore_rate=settings.cost_restore_rate
    )
    extensions: list[type[SchemaExtension] | partial[SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        ParserCache,
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        ValidationCache,
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
    if not settings.introspection:
        extensions.insert(3, DisableIntrospection)
    schema.extensions = extensions  # type: ignore[assignment]
    return schema


def contract_schema() -> strawberry.Schema:
    """The bare schema, for printing and comparing with `schema.graphql`."""
    return strawberry.Schema(
        query=Query, mutation=Mutation, config=StrawberryConfig(scalar_map=SCALAR_MAP)
    )
