"""Live appointment events of the caller's tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from wabotiq.domain.bookings.appointments import AGGREGATE, find_appointment
from wabotiq.graphql.directives import scopes
from wabotiq.resolvers.bookings.types import Appointment, AppointmentEvent, AppointmentEventType
from wabotiq.resolvers.context import Info
from wabotiq.resolvers.subscriptions import tenant_events


@strawberry.type
class BookingsSubscriptions:
    @strawberry.subscription(
        description="Appointments of your tenant as they are booked, moved, cancelled, "
        "completed or missed.",
        directives=scopes(["appointments:view"]),
    )
    async def appointment_events(self, info: Info) -> AsyncGenerator[AppointmentEvent, None]:
        async for event in tenant_events(info, AGGREGATE):
            found = await find_appointment(appointment_id=uuid.UUID(event.aggregate_id))
            if found is None:
                continue
            yield AppointmentEvent(
                event_type=AppointmentEventType(event.event_type),
                appointment=Appointment.from_model(found),
                occurred_at=datetime.fromisoformat(event.occurred_at),
            )
