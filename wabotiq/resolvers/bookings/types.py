"""GraphQL types of services, staff, hours, closures, slots and appointments."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from wabotiq.domain.bookings import models
from wabotiq.domain.bookings.availability import Slot
from wabotiq.domain.bookings.schedule import HoursInterval
from wabotiq.graphql.errors import UserError
from wabotiq.graphql.money import Money
from wabotiq.graphql.relations import relation, required
from wabotiq.graphql.relay import to_global_id
from wabotiq.resolvers.context import Info

if TYPE_CHECKING:
    from wabotiq.resolvers.customers.types import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("wabotiq.resolvers.customers.types")]


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


@strawberry.enum(description="A day of the week.")
class Weekday(Enum):
    MONDAY = strawberry.enum_value(1, description="Monday.")
    TUESDAY = strawberry.enum_value(2, description="Tuesday.")
    WEDNESDAY = strawberry.enum_value(3, description="Wednesday.")
    THURSDAY = strawberry.enum_value(4, description="Thursday.")
    FRIDAY = strawberry.enum_value(5, description="Friday.")
    SATURDAY = strawberry.enum_value(6, description="Saturday.")
    SUNDAY = strawberry.enum_value(7, description="Sunday.")


ISO_WEEKDAY = {day: number for number, day in enumerate(Weekday, start=1)}


@strawberry.enum(description="Where an appointment stands.")
class AppointmentStatus(Enum):
    BOOKED = strawberry.enum_value("booked", description="Booked; holds the staff member's time.")
    CANCELLED = strawberry.enum_value("cancelled", description="Cancelled, with a reason.")
    COMPLETED = strawberry.enum_value("completed", description="It took place.")
    NO_SHOW = strawberry.enum_value("no_show", description="The customer did not come.")


@strawberry.type(description="Open (or working) from `opens` to `closes` on a weekday, local time.")
class WorkingHours:
    weekday: Weekday = strawberry.field(description="The day of the week.")
    opens: time = strawberry.field(description="Opening time, in the tenant's time zone.")
    closes: time = strawberry.field(description="Closing time, in the tenant's time zone.")

    @classmethod
    def from_interval(cls, interval: HoursInterval) -> WorkingHours:
        return cls(weekday=Weekday(interval.weekday), opens=interval.opens, closes=interval.closes)


@strawberry.type(description="A variant of a service that may take longer or cost differently.")
class ServiceVariant:
    id: strawberry.ID = strawberry.field(description="Global ID of the variant.")
    name: str = strawberry.field(description="What sets it apart, e.g. 'Long hair'.")
    duration_minutes: int | None = strawberry.field(
        description="How long it takes; null when it takes as long as the service."
    )
    price: Money | None = strawberry.field(
        description="What it costs; null when it costs what the service does."
    )
    position: int = strawberry.field(description="Where it sorts among the service's variants.")
    archived: bool = strawberry.field(description="No longer offered.")
    service_id: strawberry.Private[uuid.UUID]

    @relation(description="The service this is a variant of.")
    async def service(self, info: Info) -> Service:
        found = await info.context.loaders.bookings.service(self.service_id)
        return required(found, f"service {self.service_id}")

    @classmethod
    def from_model(cls, variant: models.ServiceVariant, currency: str) -> ServiceVariant:
        return cls(
            id=to_global_id("ServiceVariant", variant.id),
            name=variant.name,
            duration_minutes=variant.duration_minutes,
            price=_money(variant.price, currency) if variant.price is not None else None,
            position=variant.position,
            archived=variant.archived_at is not None,
            service_id=variant.service_id,
        )


@strawberry.type(description="Something customers book time for, e.g. a haircut.")
class Service:
    id: strawberry.ID = strawberry.field(description="Global ID of the service.")
    code: str = strawberry.field(description="A short code, unique within the tenant.")
    name: str = strawberry.field(description="The service's name.")
    description: str = strawberry.field(description="What the service is.")
    duration_minutes: int = strawberry.field(description="How long it takes.")
    price: Money = strawberry.field(description="What it costs.")
    buffer_before_minutes: int = strawberry.field(
        description="Time kept free before each appointment (preparation)."
    )
    buffer_after_minutes: int = strawberry.field(
        description="Time kept free after each appointment (clearing up)."
    )
    lead_time_minutes: int = strawberry.field(description="How long in advance it must be booked.")
    active: bool = strawberry.field(description="Offered for booking.")
    tags: list[str] = strawberry.field(description="Words customers use for it; searchable.")
    archived: bool = strawberry.field(description="Retired: hidden from listings and booking.")
    created_at: datetime = strawberry.field(description="When the service was added.")
    updated_at: datetime = strawberry.field(description="When the service last changed.")
    service_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]

    @relation(description="The service's variants, in order.")
    async def variants(
        self,
        info: Info,
        include_archived: Annotated[
            bool, strawberry.argument(description="Include variants no longer offered.")
        ] = False,
    ) -> list[ServiceVariant]:
        variants = await info.context.loaders.bookings.variants_of(self)
        return [variant for variant in variants if include_archived or not variant.archived]

    @relation(description="The staff who perform the service, by name.")
    async def staff(self, info: Info) -> list[Staff]:
        return await info.context.loaders.bookings.staff_of(self)

    @classmethod
    def from_model(cls, service: models.Service) -> Service:
        return cls(
            id=to_global_id("Service", service.id),
            code=service.code,
            name=service.name,
            description=service.description,
            duration_minutes=service.duration_minutes,
            price=_money(service.price, service.currency),
            buffer_before_minutes=service.buffer_before_minutes,
            buffer_after_minutes=service.buffer_after_minutes,
            lead_time_minutes=service.lead_time_minutes,
            active=service.active,
            tags=list(service.tags),
            archived=service.archived_at is not None,
            created_at=service.created_at,
            updated_at=service.updated_at,
            service_id=service.id,
            currency=service.currency,
        )


@strawberry.type(description="Someone who performs services.")
class Staff:
    id: strawberry.ID = strawberry.field(description="Global ID of the staff member.")
    name: str = strawberry.field(description="The staff member's name.")
    active: bool = strawberry.field(description="Takes bookings.")
    uses_business_hours: bool = strawberry.field(
        description="Works the business hours (true) or their own working hours (false)."
    )
    created_at: datetime = strawberry.field(description="When the staff member was added.")
    staff_id: strawberry.Private[uuid.UUID]

    @relation(description="The services they perform, by name.")
    async def services(self, info: Info) -> list[Service]:
        return await info.context.loaders.bookings.services_of(self)

    @relation(description="When they work each week: their own hours or the business's.")
    async def working_hours(self, info: Info) -> list[WorkingHours]:
        return await info.context.loaders.bookings.working_hours_of(self)

    @classmethod
    def from_model(cls, staff: models.Staff) -> Staff:
        return cls(
            id=to_global_id("Staff", staff.id),
            name=staff.name,
            active=staff.active,
            uses_business_hours=staff.uses_business_hours,
            created_at=staff.created_at,
            staff_id=staff.id,
        )


async def _staff(info: Info, staff_id: uuid.UUID) -> Staff:
    found = await info.context.loaders.bookings.staff(staff_id)
    return required(found, f"staff member {staff_id}")


@strawberry.type(
    description="A time the business, or one staff member, takes no bookings: whole local days "
    "(startDate to endDate) or an exact period (startsAt to endsAt)."
)
class Closure:
    id: strawberry.ID = strawberry.field(description="Global ID of the closure.")
    start_date: date | None = strawberry.field(description="First closed day, local.")
    end_date: date | None = strawberry.field(description="Last closed day (inclusive), local.")
    starts_at: datetime | None = strawberry.field(description="Start of a closed period.")
    ends_at: datetime | None = strawberry.field(description="End of a closed period.")
    reason: str = strawberry.field(description="Why, e.g. 'Public holiday'.")
    created_at: datetime = strawberry.field(description="When the closure was added.")
    staff_id: strawberry.Private[uuid.UUID | None]

    @relation(description="The staff member who is off; null when the business is.")
    async def staff(self, info: Info) -> Staff | None:
        return await _staff(info, self.staff_id) if self.staff_id else None

    @classmethod
    def from_model(cls, closure: models.Closure) -> Closure:
        return cls(
            id=to_global_id("Closure", closure.id),
            start_date=closure.start_date,
            end_date=closure.end_date,
            starts_at=closure.starts_at,
            ends_at=closure.ends_at,
            reason=closure.reason,
            created_at=closure.created_at,
            staff_id=closure.staff_id,
        )


@strawberry.type(description="A time a staff member can take the service, in the tenant's zone.")
class AvailableSlot:
    start: datetime = strawberry.field(description="When the appointment would start.")
    end: datetime = strawberry.field(description="When it would end.")
    staff_id: strawberry.Private[uuid.UUID]

    @relation(description="Who would perform it.")
    async def staff(self, info: Info) -> Staff:
        return await _staff(info, self.staff_id)

    @classmethod
    def from_slot(cls, slot: Slot) -> AvailableSlot:
        return cls(start=slot.start, end=slot.end, staff_id=slot.staff_id)


@strawberry.type(description="A customer's booked time with a staff member for a service.")
class Appointment:
    id: strawberry.ID = strawberry.field(description="Global ID of the appointment.")
    status: AppointmentStatus = strawberry.field(description="Where the appointment stands.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends.")
    price: Money = strawberry.field(description="The price when it was booked.")
    cancel_reason: str | None = strawberry.field(description="Why it was cancelled.")
    notes: str = strawberry.field(description="Notes given when booking.")
    created_at: datetime = strawberry.field(description="When it was booked.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    service_id: strawberry.Private[uuid.UUID]
    variant_id: strawberry.Private[uuid.UUID | None]
    staff_id: strawberry.Private[uuid.UUID]
    customer_id: strawberry.Private[uuid.UUID]

    @relation(description="The service booked.")
    async def service(self, info: Info) -> Service:
        found = await info.context.loaders.bookings.service(self.service_id)
        return required(found, f"service {self.service_id}")

    @relation(description="The variant booked, if one was.")
    async def variant(self, info: Info) -> ServiceVariant | None:
        if self.variant_id is None:
            return None
        return await info.context.loaders.bookings.variant(self.variant_id, self.price.currency)

    @relation(description="Who performs it.")
    async def staff(self, info: Info) -> Staff:
        return await _staff(info, self.staff_id)

    @relation(description="Who booked it.")
    async def customer(self, info: Info) -> CustomerRef:
        found = await info.context.loaders.customers.customer(self.customer_id)
        return required(found, f"customer {self.customer_id}")

    @classmethod
    def from_model(cls, appointment: models.Appointment) -> Appointment:
        return cls(
            id=to_global_id("Appointment", appointment.id),
            status=AppointmentStatus(appointment.status.value),
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            price=_money(appointment.price, appointment.currency),
            cancel_reason=appointment.cancel_reason,
            notes=appointment.notes,
            created_at=appointment.created_at,
            updated_at=appointment.updated_at,
            service_id=appointment.service_id,
            variant_id=appointment.variant_id,
            staff_id=appointment.staff_id,
            customer_id=appointment.customer_id,
        )


@strawberry.enum(description="What happened to an appointment.")
class AppointmentEventType(Enum):
    BOOKED = strawberry.enum_value("booked", description="It was booked.")
    RESCHEDULED = strawberry.enum_value("rescheduled", description="It moved.")
    CANCELLED = strawberry.enum_value("cancelled", description="It was cancelled.")
    COMPLETED = strawberry.enum_value("completed", description="It took place.")
    NO_SHOW = strawberry.enum_value("no_show", description="The customer did not come.")


@strawberry.type(description="A change to one of the tenant's appointments.")
class AppointmentEvent:
    event_type: AppointmentEventType = strawberry.field(description="What happened.")
    appointment: Appointment = strawberry.field(description="The appointment as it is now.")
    occurred_at: datetime = strawberry.field(description="When it happened.")


@strawberry.type(description="The result of changing a service.")
class ServicePayload:
    service: Service | None = strawberry.field(description="The service, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of changing a service variant.")
class ServiceVariantPayload:
    variant: ServiceVariant | None = strawberry.field(description="The variant, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of changing a staff member.")
class StaffPayload:
    staff: Staff | None = strawberry.field(description="The staff member, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of setting the business hours.")
class BusinessHoursPayload:
    hours: list[WorkingHours] | None = strawberry.field(
        description="The weekly hours now in force, when it succeeded."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of adding a closure.")
class ClosurePayload:
    closure: Closure | None = strawberry.field(description="The closure, when it succeeded.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")


@strawberry.type(description="The result of removing a closure.")
class ClosureDeletePayload:
    deleted_closure_id: strawberry.ID | None = strawberry.field(description="The removed closure.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of booking or changing an appointment.")
class AppointmentPayload:
    appointment: Appointment | None = strawberry.field(
        description="The appointment, when it succeeded."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused.")
