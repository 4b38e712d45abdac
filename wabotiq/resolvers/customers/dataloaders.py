"""Batch loaders for customers: one query per page, whatever its size."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from wabotiq.domain.customers.models import Customer


async def _customers_by_id(keys: list[object]) -> list[Customer | None]:
    found = {customer.id: customer for customer in await Customer.filter(id__in=keys)}
    return [found.get(key) for key in keys]  # type: ignore[call-overload]


def CustomerByIdLoader() -> DataLoader[object, Customer | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_customers_by_id)
