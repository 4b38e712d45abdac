"""Every area's loaders for one request, reached as `info.context.loaders.<area>`.

Each area owns the loaders of its own types (`<area>/dataloaders.py::<Area>Loaders`): batch
loaders named after what they load, and methods returning that area's GraphQL objects to its
own fields and to other areas. An area never imports another: it asks the other's loaders.
The schema assembly maps area names to these classes and the view builds a `Loaders` per
request; a subscription gets a fresh one per event. So nothing is cached beyond either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wabotiq.resolvers.api_keys.dataloaders import ApiKeysLoaders
    from wabotiq.resolvers.assistant.dataloaders import AssistantLoaders
    from wabotiq.resolvers.bookings.dataloaders import BookingsLoaders
    from wabotiq.resolvers.catalog.dataloaders import CatalogLoaders
    from wabotiq.resolvers.conversations.dataloaders import ConversationsLoaders
    from wabotiq.resolvers.customers.dataloaders import CustomersLoaders
    from wabotiq.resolvers.documents.dataloaders import DocumentsLoaders
    from wabotiq.resolvers.members.dataloaders import MembersLoaders
    from wabotiq.resolvers.orders.dataloaders import OrdersLoaders
    from wabotiq.resolvers.tenancy.dataloaders import TenancyLoaders

LoaderFactories = Mapping[str, Callable[[], Any]]


class Loaders:
    """One object per request (and per subscription event); each area's loaders are built on
    first use from the factory the schema assembly gives for it."""

    api_keys: ApiKeysLoaders
    assistant: AssistantLoaders
    bookings: BookingsLoaders
    catalog: CatalogLoaders
    conversations: ConversationsLoaders
    customers: CustomersLoaders
    documents: DocumentsLoaders
    members: MembersLoaders
    orders: OrdersLoaders
    tenancy: TenancyLoaders

    def __init__(self, factories: LoaderFactories) -> None:
        self._factories = factories

    def __getattr__(self, area: str) -> Any:
        # Only reached while the area's loaders are not built yet: they then sit in __dict__.
        factories = self.__dict__.get("_factories")
        if factories is None or area not in factories:
            raise AttributeError(f"no loaders for the area {area!r}")
        built = self.__dict__[area] = factories[area]()
        return built

    def fresh(self) -> Loaders:
        """Another set of loaders from the same factories, with empty caches."""
        return Loaders(self._factories)

    @classmethod
    def check(cls, factories: LoaderFactories) -> None:
        """Refuses factories that do not name exactly the areas declared above."""
        declared = {name for name in cls.__annotations__ if not name.startswith("_")}
        if set(factories) != declared:
            raise ValueError(
                f"loader factories for {sorted(factories)}, expected {sorted(declared)}"
            )
