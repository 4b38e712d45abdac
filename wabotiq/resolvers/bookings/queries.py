"""Queries of services, staff, hours, closures, availability and appointments."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, TypeVar

import strawberry
from strawberry.types.arguments import StrawberryArgumentAnnotation

from wabotiq.core.errors import DomainError
from wabotiq.domain.bookings import appointments as appointment_service
from wabotiq.domain.bookings import schedule
from wabotiq.domain.bookings import service as booking_service
from wabotiq.domain.bookings.availability import availability as find_slots
from wabotiq.domain.bookings.models import AppointmentStatus as StatusModel
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import coded_error
from wabotiq.graphql.relay import (
    AfterArg,
    Connection,
    FirstArg,
    offset_connection,
    optional_query_uuid,
    query_uuid,
)
from wabotiq.resolvers.bookings.inputs import AppointmentFilter, ServiceFilter, StaffFilter
from wabotiq.resolvers.bookings.types import (
    Appointment,
    AvailableSlot,
    Closure,
    Service,
    Staff,
    WorkingHours,
)
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.paging import offset_page

T = TypeVar("T")

SERVICES_VIEW = scopes(["services:view"])
APPOINTMENTS_VIEW = scopes(["appointments:view"])


async def refused_as_error(action: Awaitable[T]) -> T:
    """A query's domain refusal becomes a BAD_USER_INPUT error carrying the domain's code."""
    try:
        return await action
    except DomainError as exc:
        raise coded_error(exc.message, "BAD_USER_INPUT", reason=str(exc.code)) from exc


def _arg(description: str) -> StrawberryArgumentAnnotation:
    return strawberry.argument(description=description)


IdArg = Annotated[strawberry.ID, _arg("Global ID of the object.")]


@strawberry.type
class BookingsQueries:
    @strawberry.field(description="The tenant's services, by name.", directives=SERVICES_VIEW)
    async def services(
        self,
        info: Info,
        filter: Annotated[ServiceFilter | None, _arg("Which services to list.")] = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Service]:
        offset, limit = offset_page(info, first, after)
        wanted = filter or ServiceFilter()
        rows, total = await booking_service.list_services(
            search=wanted.search,
            active=wanted.active,
            include_archived=wanted.include_archived,
            offset=offset,
            limit=limit,
        )
        return offset_connection(rows, offset=offset, total=total, convert=Service.from_model)

    @strawberry.field(
        description="One service, or null when there is none.", directives=SERVICES_VIEW
    )
    async def service(self, info: Info, id: IdArg) -> Service | None:
        return await info.context.loaders.bookings.service(query_uuid(id, "Service"))

    @strawberry.field(description="The tenant's staff, by name.", directives=SERVICES_VIEW)
    async def staff(
        self,
        info: Info,
        filter: Annotated[StaffFilter | None, _arg("Which staff to list.")] = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Staff]:
        offset, limit = offset_page(info, first, after)
        wanted = filter or StaffFilter()
        rows, total = await booking_service.list_staff(
            service_id=optional_query_uuid(wanted.service_id, "Service"),
            active=wanted.active,
            offset=offset,
            limit=limit,
        )
        return offset_connection(rows, offset=offset, total=total, convert=Staff.from_model)

    @strawberry.field(
        description="The business's weekly opening hours, in the tenant's time zone.",
        directives=SERVICES_VIEW,
    )
    async def business_hours(self) -> list[WorkingHours]:
        return [WorkingHours.from_interval(i) for i in await schedule.business_hours()]

    @strawberry.field(
        description="Closures of the business and its staff, by start.", directives=SERVICES_VIEW
    )
    async def closures(
        self,
        info: Info,
        ending_after: Annotated[
            datetime | None, _arg("Only closures that end after this time; all when null.")
        ] = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Closure]:
        offset, limit = offset_page(info, first, after)
        rows, total = await schedule.list_closures(
            ending_after=ending_after, offset=offset, limit=limit
        )
        return offset_connection(rows, offset=offset, total=total, convert=Closure.from_model)

    @strawberry.field(
        description="Bookable slots of a service between two times (at most 31 days apart), "
        "by start then staff, in the tenant's time zone; each fits the staff member's hours, "
        "avoids closures and other appointments (with buffers) and respects the lead time. "
        "None for a service, variant or staff member that is unknown or not bookable.",
        directives=scopes(["appointments:view"], ["services:view"]),
    )
    async def availability(
        self,
        service_id: Annotated[strawberry.ID, _arg("The service.")],
        from_: Annotated[datetime, strawberry.argument(name="from", description="Earliest start.")],
        to: Annotated[datetime, _arg("Latest end.")],
        variant_id: Annotated[strawberry.ID | None, _arg("A variant of the service.")] = None,
        staff_id: Annotated[strawberry.ID | None, _arg("Only this staff member.")] = None,
    ) -> list[AvailableSlot]:
        slots = await refused_as_error(
            find_slots(
                service_id=query_uuid(service_id, "Service"),
                variant_id=optional_query_uuid(variant_id, "ServiceVariant"),
                staff_id=optional_query_uuid(staff_id, "Staff"),
                start=from_,
                end=to,
            )
        )
        return [AvailableSlot.from_slot(slot) for slot in slots]

    @strawberry.field(
        description="The tenant's appointments, by start time.", directives=APPOINTMENTS_VIEW
    )
    async def appointments(
        self,
        info: Info,
        filter: Annotated[AppointmentFilter | None, _arg("Which appointments to list.")] = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Appointment]:
        offset, limit = offset_page(info, first, after)
        wanted = filter or AppointmentFilter()
        rows, total = await appointment_service.list_appointments(
            statuses=[StatusModel(str(s.value)) for s in wanted.statuses or ()],
            staff_id=optional_query_uuid(wanted.staff_id, "Staff"),
            service_id=optional_query_uuid(wanted.service_id, "Service"),
            customer_id=optional_query_uuid(wanted.customer_id, "Customer"),
            starts_from=wanted.starts_from,
            starts_before=wanted.starts_before,
            offset=offset,
            limit=limit,
        )
        return offset_connection(rows, offset=offset, total=total, convert=Appointment.from_model)

    @strawberry.field(
        description="One appointment, or null when there is none.", directives=APPOINTMENTS_VIEW
    )
    async def appointment(self, id: IdArg) -> Appointment | None:
        appointment_id = query_uuid(id, "Appointment")
        found = await appointment_service.find_appointment(appointment_id=appointment_id)
        return Appointment.from_model(found) if found else None
