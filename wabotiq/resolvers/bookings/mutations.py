"""Mutations of services, variants, staff, hours and closures: parse input, call one service,
map the result. Appointment mutations live in `appointment_mutations`."""

from __future__ import annotations

from typing import Annotated, Any, cast, overload

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.bookings import schedule
from wabotiq.domain.bookings import service as booking_service
from wabotiq.domain.bookings.service import Price
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.money import MoneyInput
from wabotiq.graphql.relations import required
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.bookings.appointment_mutations import AppointmentsMutations
from wabotiq.resolvers.bookings.inputs import (
    BusinessHoursSetInput,
    ClosureCreateInput,
    ServiceCreateInput,
    ServiceUpdateInput,
    ServiceVariantCreateInput,
    ServiceVariantUpdateInput,
    StaffCreateInput,
    StaffHoursSetInput,
    StaffUpdateInput,
    WorkingHoursInput,
)
from wabotiq.resolvers.bookings.types import (
    ISO_WEEKDAY,
    BusinessHoursPayload,
    Closure,
    ClosureDeletePayload,
    ClosurePayload,
    Service,
    ServicePayload,
    ServiceVariant,
    ServiceVariantPayload,
    Staff,
    StaffPayload,
    WorkingHours,
)
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.inputs import IdInput

EDIT = scopes(["services:edit"])


@overload
def price(money: MoneyInput) -> Price: ...
@overload
def price(money: MoneyInput | None) -> Price | None: ...
def price(money: MoneyInput | None) -> Price | None:
    return None if money is None else Price(amount=money.amount, currency=money.currency)


def changes_of(input: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of an update input that were given (not None, not UNSET)."""
    given = {name: getattr(input, name) for name in names}
    return {k: v for k, v in given.items() if v is not None and v is not strawberry.UNSET}


def intervals(hours: list[WorkingHoursInput]) -> list[schedule.HoursInterval]:
    return [schedule.HoursInterval(ISO_WEEKDAY[h.weekday], h.opens, h.closes) for h in hours]


def _service_payload(info: Info, service: Any, errors: list[Any]) -> ServicePayload:
    if service is None:
        return ServicePayload(service=None, user_errors=errors)
    audit_target(info, to_global_id("Service", service.id))
    return ServicePayload(service=Service.from_model(service), user_errors=[])


async def _variant_result(info: Info, variant: Any, errors: list[Any]) -> ServiceVariantPayload:
    if variant is None:
        return ServiceVariantPayload(variant=None, user_errors=errors)
    audit_target(info, to_global_id("ServiceVariant", variant.id))
    found = await info.context.loaders.bookings.service(variant.service_id)
    service = required(found, f"service {variant.service_id}")
    return ServiceVariantPayload(
        variant=ServiceVariant.from_model(variant, service.currency), user_errors=[]
    )


def _staff_payload(info: Info, staff: Any, errors: list[Any]) -> StaffPayload:
    if staff is None:
        return StaffPayload(staff=None, user_errors=errors)
    audit_target(info, to_global_id("Staff", staff.id))
    return StaffPayload(staff=Staff.from_model(staff), user_errors=[])


@strawberry.type
class ServicesMutations:
    @strawberry.mutation(description="Add a bookable service.", directives=EDIT)
    async def service_create(
        self, info: Info, input: Annotated[ServiceCreateInput, INPUT]
    ) -> ServicePayload:
        service, errors = await mutate(
            lambda: booking_service.create_service(
                code=input.code,
                name=input.name,
                description=input.description,
                duration_minutes=input.duration_minutes,
                price=Price(amount=input.price.amount, currency=input.price.currency),
                buffer_before_minutes=input.buffer_before_minutes,
                buffer_after_minutes=input.buffer_after_minutes,
                lead_time_minutes=input.lead_time_minutes,
                active=input.active,
                tags=input.tags,
            )
        )
        return _service_payload(info, service, errors)

    @strawberry.mutation(description="Change a service.", directives=EDIT)
    async def service_update(
        self, info: Info, input: Annotated[ServiceUpdateInput, INPUT]
    ) -> ServicePayload:
        audit_target(info, input.id)
        changes = cast(
            booking_service.ServiceChanges,
            changes_of(
                input,
                (
                    "code",
                    "name",
                    "description",
                    "duration_minutes",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "lead_time_minutes",
                    "active",
                    "tags",
                ),
            ),
        )
        if input.price is not None:
            changes["price"] = price(input.price)
        service, errors = await mutate(
            lambda: booking_service.update_service(
                service_id=uuid_from_global_id(input.id, "Service"),
                changes=changes,
            )
        )
        return _service_payload(info, service, errors)

    @strawberry.mutation(
        description="Retire a service: no longer listed or bookable; its appointments stay.",
        directives=EDIT,
    )
    async def service_archive(self, info: Info, input: Annotated[IdInput, INPUT]) -> ServicePayload:
        audit_target(info, input.id)
        service, errors = await mutate(
            lambda: booking_service.archive_service(
                service_id=uuid_from_global_id(input.id, "Service")
            )
        )
        return _service_payload(info, service, errors)

    @strawberry.mutation(description="Add a variant to a service.", directives=EDIT)
    async def service_variant_create(
        self, info: Info, input: Annotated[ServiceVariantCreateInput, INPUT]
    ) -> ServiceVariantPayload:
        variant, errors = await mutate(
            lambda: booking_service.create_variant(
                service_id=uuid_from_global_id(input.service_id, "Service"),
                name=input.name,
                duration_minutes=input.duration_minutes,
                price=price(input.price),
                position=input.position,
            )
        )
        return await _variant_result(info, variant, errors)

    @strawberry.mutation(description="Change a service variant.", directives=EDIT)
    async def service_variant_update(
        self, info: Info, input: Annotated[ServiceVariantUpdateInput, INPUT]
    ) -> ServiceVariantPayload:
        audit_target(info, input.id)
        changes = cast(booking_service.VariantChanges, changes_of(input, ("name", "position")))
        if input.duration_minutes is not strawberry.UNSET:
            changes["duration_minutes"] = input.duration_minutes
        if input.price is not strawberry.UNSET:
            changes["price"] = price(input.price)
        variant, errors = await mutate(
            lambda: booking_service.update_variant(
                variant_id=uuid_from_global_id(input.id, "ServiceVariant"),
                changes=changes,
            )
        )
        return await _variant_result(info, variant, errors)

    @strawberry.mutation(
        description="Stop offering a service variant; its appointments stay.", directives=EDIT
    )
    async def service_variant_archive(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> ServiceVariantPayload:
        audit_target(info, input.id)
        variant, errors = await mutate(
            lambda: booking_service.archive_variant(
                variant_id=uuid_from_global_id(input.id, "ServiceVariant")
            )
        )
        return await _variant_result(info, variant, errors)

    @strawberry.mutation(description="Add a staff member.", directives=EDIT)
    async def staff_create(
        self, info: Info, input: Annotated[StaffCreateInput, INPUT]
    ) -> StaffPayload:
        staff, errors = await mutate(
            lambda: booking_service.create_staff(
                name=input.name,
                active=input.active,
                service_ids=[uuid_from_global_id(i, "Service") for i in input.service_ids],
            )
        )
        return _staff_payload(info, staff, errors)

    @strawberry.mutation(description="Change a staff member.", directives=EDIT)
    async def staff_update(
        self, info: Info, input: Annotated[StaffUpdateInput, INPUT]
    ) -> StaffPayload:
        audit_target(info, input.id)

        async def action() -> Any:
            changes = cast(booking_service.StaffChanges, changes_of(input, ("name", "active")))
            if input.service_ids is not None:
                changes["service_ids"] = [
                    uuid_from_global_id(i, "Service") for i in input.service_ids
                ]
            return await booking_service.update_staff(
                staff_id=uuid_from_global_id(input.id, "Staff"),
                changes=changes,
            )

        staff, errors = await mutate(action)
        return _staff_payload(info, staff, errors)

    @strawberry.mutation(
        description="Give a staff member their own weekly hours, or let them follow the "
        "business hours again.",
        directives=EDIT,
    )
    async def staff_hours_set(
        self, info: Info, input: Annotated[StaffHoursSetInput, INPUT]
    ) -> StaffPayload:
        audit_target(info, input.staff_id)
        staff, errors = await mutate(
            lambda: schedule.set_staff_hours(
                staff_id=uuid_from_global_id(input.staff_id, "Staff"),
                intervals=None if input.hours is None else intervals(input.hours),
            )
        )
        return _staff_payload(info, staff, errors)

    @strawberry.mutation(description="Replace the business's weekly hours.", directives=EDIT)
    async def business_hours_set(
        self, input: Annotated[BusinessHoursSetInput, INPUT]
    ) -> BusinessHoursPayload:
        hours, errors = await mutate(
            lambda: schedule.set_business_hours(intervals=intervals(input.hours))
        )
        return BusinessHoursPayload(
            hours=None if hours is None else [WorkingHours.from_interval(h) for h in hours],
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Close the business, or one staff member, for whole days or a period.",
        directives=EDIT,
    )
    async def closure_create(
        self, info: Info, input: Annotated[ClosureCreateInput, INPUT]
    ) -> ClosurePayload:
        closure, errors = await mutate(
            lambda: schedule.create_closure(
                staff_id=(uuid_from_global_id(input.staff_id, "Staff") if input.staff_id else None),
                start_date=input.start_date,
                end_date=input.end_date,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                reason=input.reason,
            )
        )
        if closure is None:
            return ClosurePayload(closure=None, user_errors=errors)
        audit_target(info, to_global_id("Closure", closure.id))
        return ClosurePayload(closure=Closure.from_model(closure), user_errors=[])

    @strawberry.mutation(description="Remove a closure.", directives=EDIT)
    async def closure_delete(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> ClosureDeletePayload:
        audit_target(info, input.id)
        closure, errors = await mutate(
            lambda: schedule.delete_closure(closure_id=uuid_from_global_id(input.id, "Closure"))
        )
        return ClosureDeletePayload(
            deleted_closure_id=input.id if closure else None, user_errors=errors
        )


@strawberry.type
class BookingsMutations(ServicesMutations, AppointmentsMutations):
    pass
