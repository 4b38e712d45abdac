"""Batch loaders for bookings: one query per relation per page, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from wabotiq.domain.bookings.models import (
    Service,
    ServiceVariant,
    Staff,
    StaffService,
)
from wabotiq.domain.bookings.schedule import HoursInterval, working_hours


def _by_id(model: type[Model]) -> Callable[[list[Any]], Awaitable[list[Any]]]:
    async def load(keys: list[Any]) -> list[Any]:
        found = {row.pk: row for row in await model.filter(id__in=keys)}
        return [found.get(key) for key in keys]

    return load


async def _variants_by_service_id(keys: list[Any]) -> list[list[ServiceVariant]]:
    grouped: dict[Any, list[ServiceVariant]] = defaultdict(list)
    rows = await ServiceVariant.filter(service_id__in=keys).order_by("position", "name", "id")
    for row in rows:
        grouped[row.service_id].append(row)
    return [grouped[key] for key in keys]


async def _pairs(**where: Sequence[Any]) -> list[StaffService]:
    return list(await StaffService.filter(**where))


async def _staff_by_service_id(keys: list[Any]) -> list[list[Staff]]:
    links = await _pairs(service_id__in=keys)
    staff = {s.id: s for s in await Staff.filter(id__in={link.staff_id for link in links})}
    grouped: dict[Any, list[Staff]] = defaultdict(list)
    for link in links:
        grouped[link.service_id].append(staff[link.staff_id])
    return [sorted(grouped[key], key=lambda s: (s.name, s.id)) for key in keys]


async def _services_by_staff_id(keys: list[Any]) -> list[list[Service]]:
    links = await _pairs(staff_id__in=keys)
    services = {s.id: s for s in await Service.filter(id__in={link.service_id for link in links})}
    grouped: dict[Any, list[Service]] = defaultdict(list)
    for link in links:
        grouped[link.staff_id].append(services[link.service_id])
    return [sorted(grouped[key], key=lambda s: (s.name, s.id)) for key in keys]


async def _hours_by_staff_id(keys: list[tuple[Any, bool]]) -> list[list[HoursInterval]]:
    hours = await working_hours(follows_business=dict(keys))
    return [hours[staff_id] for staff_id, _ in keys]


def ServiceByIdLoader() -> DataLoader[Any, Service | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_by_id(Service))


def ServiceVariantByIdLoader() -> DataLoader[Any, ServiceVariant | None]:  # noqa: N802
    return DataLoader(load_fn=_by_id(ServiceVariant))


def StaffByIdLoader() -> DataLoader[Any, Staff | None]:  # noqa: N802
    return DataLoader(load_fn=_by_id(Staff))


def ServiceVariantsByServiceIdLoader() -> DataLoader[Any, list[ServiceVariant]]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_service_id)


def StaffByServiceIdLoader() -> DataLoader[Any, list[Staff]]:  # noqa: N802
    return DataLoader(load_fn=_staff_by_service_id)


def ServicesByStaffIdLoader() -> DataLoader[Any, list[Service]]:  # noqa: N802
    return DataLoader(load_fn=_services_by_staff_id)


def WorkingHoursByStaffIdLoader() -> DataLoader[tuple[Any, bool], list[HoursInterval]]:  # noqa: N802
    """Keyed by (staff id, whether they follow the business hours), which the caller knows."""
    return DataLoader(load_fn=_hours_by_staff_id)
