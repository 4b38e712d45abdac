"""Appointments: free slots, booking, moving and cancelling, with the bookings services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item, service_item
from wabotiq.domain.bookings import appointments
from wabotiq.domain.bookings.availability import availability
from wabotiq.domain.bookings.errors import BookingError
from wabotiq.domain.bookings.models import Appointment, AppointmentStatus, Service, Staff

# How far ahead alternatives are looked for, and how many are offered.
LOOK_AHEAD = timedelta(days=14)
ALTERNATIVES = 4


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking made or moved, or refused (`error` is the domain's code) with `alternatives`:
    the nearest free starts, offered as a list the customer can pick from."""

    service: Item
    appointment_id: str | None = None
    starts_at: datetime | None = None
    staff: str | None = None
    error: str | None = None
    alternatives: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AppointmentView:
    id: str
    service: str
    starts_at: datetime
    status: str


def slot_item(service: Item, start: datetime) -> Item:
    return Item(
        id=service.id,
        kind="slot",
        name=service.name,
        code=service.code,
        price=service.price,
        currency=service.currency,
        starts_at=start,
        duration_minutes=service.duration_minutes,
    )


async def free_slots(
    ctx: ToolContext,
    service: Item,
    *,
    start: datetime,
    end: datetime,
    near: datetime | None = None,
    limit: int = ALTERNATIVES,
) -> list[Item]:
    """Distinct free starts of a service in [start, end), nearest to `near` first (else the
    earliest), then in time order, as slot items."""
    slots = await availability(
        service_id=uuid.UUID(service.id),
        variant_id=None,
        staff_id=None,
        start=max(start, ctx.now),
        end=end,
        now=ctx.now,
    )
    starts = sorted({slot.start for slot in slots})
    if near is not None:
        starts = sorted(starts, key=lambda s: (abs((s - near).total_seconds()), s))
    chosen = sorted(starts[:limit])
    return [slot_item(service, s.astimezone(ctx.zone)) for s in chosen]


async def alternatives_near(ctx: ToolContext, service: Item, wanted: datetime) -> list[Item]:
    """Free starts the same day as `wanted`, else the days after it."""
    local = wanted.astimezone(ctx.zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    same_day = await free_slots(ctx, service, start=day, end=day + timedelta(days=1), near=wanted)
    if same_day:
        return same_day
    return await free_slots(ctx, service, start=day, end=day + LOOK_AHEAD)


async def book(ctx: ToolContext, service: Item, starts_at: datetime) -> Booked:
    try:
        async with in_transaction():
            appointment = await appointments.book_appointment(
                customer_id=ctx.customer_id,
                service_id=uuid.UUID(service.id),
                variant_id=None,
                staff_id=None,
                starts_at=starts_at,
                now=ctx.now,
            )
    except BookingError as error:
        return Booked(
            service=service,
            error=error.code.value,
            alternatives=await alternatives_near(ctx, service, starts_at),
        )
    return await _booked(ctx, service, appointment)


async def _booked(ctx: ToolContext, service: Item, appointment: Appointment) -> Booked:
    staff = await Staff.get_or_none(id=appointment.staff_id)
    return Booked(
        service=service,
        appointment_id=str(appointment.id),
        starts_at=appointment.starts_at.astimezone(ctx.zone),
        staff=staff.name if staff else None,
    )


async def upcoming(ctx: ToolContext) -> list[AppointmentView]:
    """The customer's booked appointments from now on, soonest first."""
    rows, _ = await appointments.list_appointments(
        statuses=[AppointmentStatus.BOOKED],
        customer_id=ctx.customer_id,
        starts_from=ctx.now,
        offset=0,
        limit=5,
    )
    names = {s.id: s.name for s in await Service.filter(id__in=[r.service_id for r in rows])}
    return [
        AppointmentView(
            id=str(row.id),
            service=names.get(row.service_id, "?"),
            starts_at=row.starts_at.astimezone(ctx.zone),
            status=row.status.value,
        )
        for row in rows
    ]


async def service_of(appointment_id: str) -> Item | None:
    appointment = await Appointment.get_or_none(id=uuid.UUID(appointment_id))
    if appointment is None:
        return None
    service = await Service.get_or_none(id=appointment.service_id)
    return service_item(service) if service else None


async def reschedule(ctx: ToolContext, appointment_id: str, starts_at: datetime) -> Booked:
    service = await service_of(appointment_id)
    if service is None:
        return Booked(service=Item(id="", kind="service", name="?"), error="NOT_FOUND")
    try:
        async with in_transaction():
            appointment = await appointments.reschedule_appointment(
                appointment_id=uuid.UUID(appointment_id), starts_at=starts_at, now=ctx.now
            )
    except BookingError as error:
        return Booked(
            service=service,
            error=error.code.value,
            alternatives=await alternatives_near(ctx, service, starts_at),
        )
    return await _booked(ctx, service, appointment)


async def cancel(ctx: ToolContext, appointment_id: str) -> AppointmentView | None:
    try:
        async with in_transaction():
            row = await appointments.cancel_appointment(
                appointment_id=uuid.UUID(appointment_id), reason="Cancelled by the customer"
            )
    except BookingError:
        return None
    service = await Service.get_or_none(id=row.service_id)
    return AppointmentView(
        id=str(row.id),
        service=service.name if service else "?",
        starts_at=row.starts_at.astimezone(ctx.zone),
        status=row.status.value,
    )
