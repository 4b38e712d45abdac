"""Loaders of bookings: one query per relation per page, whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from wabotiq.domain.bookings import appointments as appointment_service
from wabotiq.domain.bookings import models
from wabotiq.domain.bookings.schedule import HoursInterval, working_hours
from wabotiq.graphql.relay import Connection, offset_connection
from wabotiq.resolvers.bookings.types import (
    Appointment,
    Service,
    ServiceVariant,
    Staff,
    WorkingHours,
)
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import offset_page


def _by_id(model: type[Model]) -> Callable[[list[Any]], Awaitable[list[Any]]]:
    async def load(keys: list[Any]) -> list[Any]:
        found = {row.pk: row for row in await model.filter(id__in=keys)}
        return [found.get(key) for key in keys]

    return load


async def _variants_by_service_id(keys: list[Any]) -> list[list[models.ServiceVariant]]:
    grouped: dict[Any, list[models.ServiceVariant]] = defaultdict(list)
    rows = await models.ServiceVariant.filter(service_id__in=keys).order_by(
        "position", "name", "id"
    )
    for row in rows:
        grouped[row.service_id].append(row)
    return [grouped[key] for key in keys]


async def _pairs(**where: Sequence[Any]) -> list[models.StaffService]:
    return list(await models.StaffService.filter(**where))


async def _staff_by_service_id(keys: list[Any]) -> list[list[models.Staff]]:
    links = await _pairs(service_id__in=keys)
    staff = {s.id: s for s in await models.Staff.filter(id__in={link.staff_id for link in links})}
    grouped: dict[Any, list[models.Staff]] = defaultdict(list)
    for link in links:
        grouped[link.service_id].append(staff[link.staff_id])
    return [sorted(grouped[key], key=lambda s: (s.name, s.id)) for key in keys]


async def _services_by_staff_id(keys: list[Any]) -> list[list[models.Service]]:
    links = await _pairs(staff_id__in=keys)
    services = {
        s.id: s for s in await models.Service.filter(id__in={link.service_id for link in links})
    }
    grouped: dict[Any, list[models.Service]] = defaultdict(list)
    for link in links:
        grouped[link.staff_id].append(services[link.service_id])
    return [sorted(grouped[key], key=lambda s: (s.name, s.id)) for key in keys]


async def _hours_by_staff_id(keys: list[tuple[Any, bool]]) -> list[list[HoursInterval]]:
    hours = await working_hours(follows_business=dict(keys))
    return [hours[staff_id] for staff_id, _ in keys]


def ServiceByIdLoader() -> DataLoader[Any, models.Service | None]:  # noqa: N802 - a loader factory
    return DataLoader(load_fn=_by_id(models.Service))


def ServiceVariantByIdLoader() -> DataLoader[Any, models.ServiceVariant | None]:  # noqa: N802
    return DataLoader(load_fn=_by_id(models.ServiceVariant))


def StaffByIdLoader() -> DataLoader[Any, models.Staff | None]:  # noqa: N802
    return DataLoader(load_fn=_by_id(models.Staff))


def ServiceVariantsByServiceIdLoader() -> DataLoader[Any, list[models.ServiceVariant]]:  # noqa: N802
    return DataLoader(load_fn=_variants_by_service_id)


def StaffByServiceIdLoader() -> DataLoader[Any, list[models.Staff]]:  # noqa: N802
    return DataLoader(load_fn=_staff_by_service_id)


def ServicesByStaffIdLoader() -> DataLoader[Any, list[models.Service]]:  # noqa: N802
    return DataLoader(load_fn=_services_by_staff_id)


def WorkingHoursByStaffIdLoader() -> DataLoader[tuple[Any, bool], list[HoursInterval]]:  # noqa: N802
    """Keyed by (staff id, whether they follow the business hours), which the caller knows."""
    return DataLoader(load_fn=_hours_by_staff_id)


class BookingsLoaders:
    """The bookings' loaders for one request, and their objects for other areas."""

    @cached_property
    def service_by_id(self) -> DataLoader[Any, models.Service | None]:
        return ServiceByIdLoader()

    @cached_property
    def variant_by_id(self) -> DataLoader[Any, models.ServiceVariant | None]:
        return ServiceVariantByIdLoader()

    @cached_property
    def staff_by_id(self) -> DataLoader[Any, models.Staff | None]:
        return StaffByIdLoader()

    @cached_property
    def variants_by_service_id(self) -> DataLoader[Any, list[models.ServiceVariant]]:
        return ServiceVariantsByServiceIdLoader()

    @cached_property
    def staff_by_service_id(self) -> DataLoader[Any, list[models.Staff]]:
        return StaffByServiceIdLoader()

    @cached_property
    def services_by_staff_id(self) -> DataLoader[Any, list[models.Service]]:
        return ServicesByStaffIdLoader()

    @cached_property
    def working_hours_by_staff_id(self) -> DataLoader[tuple[Any, bool], list[HoursInterval]]:
        return WorkingHoursByStaffIdLoader()

    async def service(self, service_id: uuid.UUID) -> Service | None:
        found = await self.service_by_id.load(service_id)
        return Service.from_model(found) if found else None

    async def variant(self, variant_id: uuid.UUID, currency: str) -> ServiceVariant | None:
        found = await self.variant_by_id.load(variant_id)
        return ServiceVariant.from_model(found, currency) if found else None

    async def staff(self, staff_id: uuid.UUID) -> Staff | None:
        found = await self.staff_by_id.load(staff_id)
        return Staff.from_model(found) if found else None

    async def variants_of(self, service: Service) -> list[ServiceVariant]:
        rows = await self.variants_by_service_id.load(service.service_id)
        return [ServiceVariant.from_model(row, service.currency) for row in rows]

    async def staff_of(self, service: Service) -> list[Staff]:
        rows = await self.staff_by_service_id.load(service.service_id)
        return [Staff.from_model(row) for row in rows]

    async def services_of(self, staff: Staff) -> list[Service]:
        rows = await self.services_by_staff_id.load(staff.staff_id)
        return [Service.from_model(row) for row in rows]

    async def working_hours_of(self, staff: Staff) -> list[WorkingHours]:
        found = await self.working_hours_by_staff_id.load(
            (staff.staff_id, staff.uses_business_hours)
        )
        return [WorkingHours.from_interval(interval) for interval in found]

    async def customer_appointments(
        self, info: Info, customer_id: uuid.UUID, *, first: int, after: str | None
    ) -> Connection[Appointment]:
        """A customer's appointments, by start time (one statement per customer)."""
        offset, limit = offset_page(info, first, after)
        rows, total = await appointment_service.list_appointments(
            customer_id=customer_id, offset=offset, limit=limit
        )
        return offset_connection(rows, offset=offset, total=total, convert=Appointment.from_model)
