"""Loaders of customers: one query per page, whatever its size."""

from __future__ import annotations

import uuid
from functools import cached_property

from strawberry.dataloader import DataLoader

from wabotiq.domain.customers.models import Customer as CustomerModel
from wabotiq.resolvers.customers.types import Customer


async def _customers_by_id(keys: list[uuid.UUID]) -> list[CustomerModel | None]:
    found = {customer.id: customer for customer in await CustomerModel.filter(id__in=keys)}
    return [found.get(key) for key in keys]


def CustomerByIdLoader() -> DataLoader[uuid.UUID, CustomerModel | None]:  # noqa: N802
    return DataLoader(load_fn=_customers_by_id)


class CustomersLoaders:
    """The customers' loaders for one request, and their objects for other areas."""

    @cached_property
    def customer_by_id(self) -> DataLoader[uuid.UUID, CustomerModel | None]:
        return CustomerByIdLoader()

    async def customer(self, customer_id: uuid.UUID) -> Customer | None:
        found = await self.customer_by_id.load(customer_id)
        return Customer.from_model(found) if found else None
