"""Mutations of appointments: parse input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from wabotiq.core.ids import uuid_from_global_id
from wabotiq.domain.bookings import appointments as appointment_service
from wabotiq.graphql.directives import scopes
from wabotiq.graphql.errors import mutate
from wabotiq.graphql.relay import INPUT, to_global_id
from wabotiq.resolvers.bookings.inputs import (
    AppointmentBookInput,
    AppointmentCancelInput,
    AppointmentRescheduleInput,
)
from wabotiq.resolvers.bookings.types import Appointment, AppointmentPayload
from wabotiq.resolvers.context import Info, audit_target
from wabotiq.resolvers.inputs import IdInput

EDIT = scopes(["appointments:edit"])


def _payload(appointment: Any, errors: list[Any]) -> AppointmentPayload:
    return AppointmentPayload(
        appointment=Appointment.from_model(appointment) if appointment else None,
        user_errors=errors,
    )


@strawberry.type
class AppointmentsMutations:
    @strawberry.mutation(
        description="Book an appointment; a staff member already booked then is SLOT_TAKEN.",
        directives=EDIT,
    )
    async def appointment_book(
        self, info: Info, input: Annotated[AppointmentBookInput, INPUT]
    ) -> AppointmentPayload:
        appointment, errors = await mutate(
            lambda: appointment_service.book_appointment(
                customer_id=uuid_from_global_id(input.customer_id, "Customer"),
                service_id=uuid_from_global_id(input.service_id, "Service"),
                variant_id=(
                    uuid_from_global_id(input.variant_id, "ServiceVariant")
                    if input.variant_id
                    else None
                ),
                staff_id=uuid_from_global_id(input.staff_id, "Staff") if input.staff_id else None,
                starts_at=input.starts_at,
                notes=input.notes,
            )
        )
        if appointment:
            audit_target(info, to_global_id("Appointment", appointment.id))
        return _payload(appointment, errors)

    @strawberry.mutation(
        description="Move a booked appointment to another time or staff member.",
        directives=EDIT,
    )
    async def appointment_reschedule(
        self, info: Info, input: Annotated[AppointmentRescheduleInput, INPUT]
    ) -> AppointmentPayload:
        audit_target(info, input.id)
        appointment, errors = await mutate(
            lambda: appointment_service.reschedule_appointment(
                appointment_id=uuid_from_global_id(input.id, "Appointment"),
                starts_at=input.starts_at,
                staff_id=uuid_from_global_id(input.staff_id, "Staff") if input.staff_id else None,
            )
        )
        return _payload(appointment, errors)

    @strawberry.mutation(description="Cancel a booked appointment, saying why.", directives=EDIT)
    async def appointment_cancel(
        self, info: Info, input: Annotated[AppointmentCancelInput, INPUT]
    ) -> AppointmentPayload:
        audit_target(info, input.id)
        appointment, errors = await mutate(
            lambda: appointment_service.cancel_appointment(
                appointment_id=uuid_from_global_id(input.id, "Appointment"), reason=input.reason
            )
        )
        return _payload(appointment, errors)

    @strawberry.mutation(
        description="Record that a booked appointment took place.", directives=EDIT
    )
    async def appointment_complete(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> AppointmentPayload:
        audit_target(info, input.id)
        appointment, errors = await mutate(
            lambda: appointment_service.complete_appointment(
                appointment_id=uuid_from_global_id(input.id, "Appointment")
            )
        )
        return _payload(appointment, errors)

    @strawberry.mutation(
        description="Record that the customer did not come to a booked appointment.",
        directives=EDIT,
    )
    async def appointment_mark_no_show(
        self, info: Info, input: Annotated[IdInput, INPUT]
    ) -> AppointmentPayload:
        audit_target(info, input.id)
        appointment, errors = await mutate(
            lambda: appointment_service.mark_no_show(
                appointment_id=uuid_from_global_id(input.id, "Appointment")
            )
        )
        return _payload(appointment, errors)
