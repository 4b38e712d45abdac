"""The schema, assembled from every area's root fields and loaders; `wabotiq.graphql` puts its
machinery (executor, limits, authorization, cost, audit, masking) around it."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from wabotiq.core.settings import Settings
from wabotiq.graphql.configure import Schema, configure
from wabotiq.graphql.scalars import SCALAR_MAP
from wabotiq.resolvers.api_keys.dataloaders import ApiKeysLoaders
from wabotiq.resolvers.api_keys.mutations import ApiKeysMutations
from wabotiq.resolvers.api_keys.queries import ApiKeysQueries
from wabotiq.resolvers.assistant.dataloaders import AssistantLoaders
from wabotiq.resolvers.assistant.mutations import AssistantMutations
from wabotiq.resolvers.assistant.queries import AssistantQueries
from wabotiq.resolvers.audit.queries import AuditQueries
from wabotiq.resolvers.auth.mutations import AuthMutations
from wabotiq.resolvers.auth.queries import AuthQueries
from wabotiq.resolvers.bookings.dataloaders import BookingsLoaders
from wabotiq.resolvers.bookings.mutations import BookingsMutations
from wabotiq.resolvers.bookings.queries import BookingsQueries
from wabotiq.resolvers.bookings.subscriptions import BookingsSubscriptions
from wabotiq.resolvers.catalog.dataloaders import CatalogLoaders
from wabotiq.resolvers.catalog.mutations import CatalogMutations
from wabotiq.resolvers.catalog.queries import CatalogQueries
from wabotiq.resolvers.channels.mutations import ChannelsMutations
from wabotiq.resolvers.channels.queries import ChannelsQueries
from wabotiq.resolvers.conversations.dataloaders import ConversationsLoaders
from wabotiq.resolvers.conversations.mutations import ConversationsMutations
from wabotiq.resolvers.conversations.queries import ConversationsQueries
from wabotiq.resolvers.conversations.subscriptions import ConversationsSubscriptions
from wabotiq.resolvers.customers.dataloaders import CustomersLoaders
from wabotiq.resolvers.customers.mutations import CustomersMutations
from wabotiq.resolvers.customers.queries import CustomersQueries
from wabotiq.resolvers.dead_letters.mutations import DeadLettersMutations
from wabotiq.resolvers.dead_letters.queries import DeadLettersQueries
from wabotiq.resolvers.documents.dataloaders import DocumentsLoaders
from wabotiq.resolvers.documents.mutations import DocumentsMutations
from wabotiq.resolvers.documents.queries import DocumentsQueries
from wabotiq.resolvers.loaders import LoaderFactories
from wabotiq.resolvers.members.dataloaders import MembersLoaders
from wabotiq.resolvers.members.mutations import MembersMutations
from wabotiq.resolvers.members.queries import MembersQueries
from wabotiq.resolvers.orders.dataloaders import OrdersLoaders
from wabotiq.resolvers.orders.mutations import OrdersMutations
from wabotiq.resolvers.orders.queries import OrdersQueries
from wabotiq.resolvers.orders.subscriptions import OrdersSubscriptions
from wabotiq.resolvers.search.queries import SearchQueries
from wabotiq.resolvers.search.types import HIT_TYPES
from wabotiq.resolvers.tenancy.dataloaders import TenancyLoaders
from wabotiq.resolvers.tenancy.queries import TenancyQueries


@strawberry.type(description="Everything you can read.")
class Query(
    AuthQueries,
    TenancyQueries,
    MembersQueries,
    ApiKeysQueries,
    AuditQueries,
    DeadLettersQueries,
    CustomersQueries,
    OrdersQueries,
    BookingsQueries,
    CatalogQueries,
    DocumentsQueries,
    SearchQueries,
    ChannelsQueries,
    ConversationsQueries,
    AssistantQueries,
):
    pass


@strawberry.type(description="Everything you can change.")
class Mutation(
    AuthMutations,
    MembersMutations,
    ApiKeysMutations,
    DeadLettersMutations,
    CustomersMutations,
    OrdersMutations,
    BookingsMutations,
    CatalogMutations,
    DocumentsMutations,
    ChannelsMutations,
    ConversationsMutations,
    AssistantMutations,
):
    pass


@strawberry.type(description="Everything you can follow live, over graphql-transport-ws.")
class Subscription(OrdersSubscriptions, BookingsSubscriptions, ConversationsSubscriptions):
    pass


ROOT_TYPES = ("Query", "Mutation", "Subscription")

# Each area's loaders, as `info.context.loaders.<area>`: a fresh set per request and per
# subscription event (see `wabotiq.resolvers.loaders`).
LOADERS: LoaderFactories = {
    "api_keys": ApiKeysLoaders,
    "assistant": AssistantLoaders,
    "bookings": BookingsLoaders,
    "catalog": CatalogLoaders,
    "conversations": ConversationsLoaders,
    "customers": CustomersLoaders,
    "documents": DocumentsLoaders,
    "members": MembersLoaders,
    "orders": OrdersLoaders,
    "tenancy": TenancyLoaders,
}


def build_schema(settings: Settings) -> Schema:
    """The schema with limits, caches, authorization, cost, audit and error masking."""
    return configure(contract_schema(), settings)


def contract_schema() -> Schema:
    """The bare schema, for printing and comparing with `schema.graphql`."""
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=HIT_TYPES,  # the kinds of search hits, reached only through their interface
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
