"""Assemble the schema: root types from every area, and the extensions that guard it."""

from __future__ import annotations

from functools import partial

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
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from wabotiq.db.health import connection_error
from wabotiq.graphql.cost import CostBuckets, CostCalculator
from wabotiq.graphql.defaults import make_defaults_printable
from wabotiq.graphql.executor import fast_execution_context
from wabotiq.graphql.extensions.audit import AuditMutations
from wabotiq.graphql.extensions.caches import ValidationCacheByText
from wabotiq.graphql.extensions.document import DocumentChecks
from wabotiq.graphql.extensions.guard import OperationGuard
from wabotiq.graphql.extensions.masking import MaskUnexpectedErrors
from wabotiq.graphql.extensions.operation_context import ContextPerOperation
from wabotiq.graphql.extensions.text import StorableText
from wabotiq.graphql.requirements import requirement_index
from wabotiq.graphql.scalars import SCALAR_MAP
from wabotiq.resolvers.api_keys.mutations import ApiKeysMutations
from wabotiq.resolvers.api_keys.queries import ApiKeysQueries
from wabotiq.resolvers.audit.queries import AuditQueries
from wabotiq.resolvers.auth.mutations import AuthMutations
from wabotiq.resolvers.auth.queries import AuthQueries
from wabotiq.resolvers.bookings.mutations import BookingsMutations
from wabotiq.resolvers.bookings.queries import BookingsQueries
from wabotiq.resolvers.bookings.subscriptions import BookingsSubscriptions
from wabotiq.resolvers.catalog.mutations import CatalogMutations
from wabotiq.resolvers.catalog.queries import CatalogQueries
from wabotiq.resolvers.customers.mutations import CustomersMutations
from wabotiq.resolvers.customers.queries import CustomersQueries
from wabotiq.resolvers.documents.mutations import DocumentsMutations
from wabotiq.resolvers.documents.queries import DocumentsQueries
from wabotiq.resolvers.members.mutations import MembersMutations
from wabotiq.resolvers.members.queries import MembersQueries
from wabotiq.resolvers.orders.mutations import OrdersMutations
from wabotiq.resolvers.orders.queries import OrdersQueries
from wabotiq.resolvers.orders.subscriptions import OrdersSubscriptions
from wabotiq.resolvers.search.queries import SearchQueries
from wabotiq.resolvers.search.types import HIT_TYPES
from wabotiq.resolvers.tenancy.queries import TenancyQueries
from wabotiq.settings import Settings


@strawberry.type(description="Everything you can read.")
class Query(
    AuthQueries,
    TenancyQueries,
    MembersQueries,
    ApiKeysQueries,
    AuditQueries,
    CustomersQueries,
    OrdersQueries,
    BookingsQueries,
    CatalogQueries,
    DocumentsQueries,
    SearchQueries,
):
    pass


@strawberry.type(description="Everything you can change.")
class Mutation(
    AuthMutations,
    MembersMutations,
    ApiKeysMutations,
    CustomersMutations,
    OrdersMutations,
    BookingsMutations,
    CatalogMutations,
    DocumentsMutations,
):
    pass


@strawberry.type(description="Everything you can follow live, over graphql-transport-ws.")
class Subscription(OrdersSubscriptions, BookingsSubscriptions):
    pass


ROOT_TYPES = ("Query", "Mutation", "Subscription")


def build_schema(settings: Settings) -> Schema:
    """The schema with limits, caches, authorization, cost, audit and error masking."""
    schema = contract_schema()
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
    extensions: list[type[SchemaExtension] | partial[SchemaExtension]] = [
        ContextPerOperation,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        ParserCache,
        partial(AddValidationRules, limits),
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
    schema.extensions = extensions  # type: ignore[assignment]
    return schema


class Schema(strawberry.Schema):
    """Logs errors as Strawberry does, except an unreachable database: that is noted in the
    runtime's database health, which logs one line per outage instead of a traceback a request."""

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


def contract_schema() -> Schema:
    """The bare schema, for printing and comparing with `schema.graphql`."""
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=HIT_TYPES,  # the kinds of search hits, reached only through their interface
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
    make_defaults_printable(schema._schema)
    return schema
