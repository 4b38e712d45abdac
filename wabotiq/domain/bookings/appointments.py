"""Appointments: book, reschedule, cancel, complete, no-show; every change emits an event."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from wabotiq.db.outbox import emit
from wabotiq.domain.bookings.availability import (
    Calendar,
    Offer,
    bookable_staff,
    load_calendar,
    load_offer,
)
from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import Appointment, AppointmentStatus, Staff
from wabotiq.domain.bookings.service import get_service, tenant_locale
from wabotiq.domain.customers.models import Customer

AGGREGATE = "appointment"
NO_DOUBLE_BOOKING = "appointments_no_double_booking"
MAX_TEXT = 2000
NEXT_STATES = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.CANCELLED,
        AppointmentStatus.COMPLETED,
        AppointmentStatus.NO_SHOW,
    },
}
EVENT_OF = {
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.NO_SHOW: "no_show",
}


def _payload(appointment: Appointment, **extra: Any) -> dict[str, Any]:
    return {
        "appointment_id": str(appointment.id),
        "status": appointment.status.value,
        "customer_id": str(appointment.customer_id),
        "service_id": str(appointment.service_id),
        "variant_id": str(appointment.variant_id) if appointment.variant_id else None,
        "staff_id": str(appointment.staff_id),
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        **extra,
    }


async def _emit(appointment: Appointment, event_type: str, **extra: Any) -> None:
    await emit(
        aggregate_type=AGGREGATE,
        aggregate_id=str(appointment.id),
        event_type=event_type,
        payload=_payload(appointment, **extra),
    )


def _taken() -> BookingError:
    return BookingError(
        BookingErrorCode.SLOT_TAKEN, "The staff member is already booked then.", field="startsAt"
    )


def _refusal(
    calendar: Calendar, offer: Offer, staff: Staff, start: datetime
) -> BookingError | None:
    """Why `staff` cannot take `offer` at `start`, or None when they can."""
    end = start + offer.duration
    periods = calendar.working_periods(staff.id, start, end)
    if not any(opens <= start and end <= closes for opens, closes in periods):
        return BookingError(
            BookingErrorCode.OUTSIDE_HOURS, "That is outside working hours.", field="startsAt"
        )
    if calendar.is_closed(staff.id, start, end):
        return BookingError(
            BookingErrorCode.OUTSIDE_HOURS, "Closed at that time.", field="startsAt"
        )
    if calendar.is_busy(staff.id, start - offer.before, end + offer.after):
        return _taken()
    return None


async def _fitting_staff(
    offer: Offer,
    staff: Sequence[Staff],
    start: datetime,
    *,
    now: datetime | None,
    ignore: uuid.UUID | None = None,
) -> Staff:
    """The first of `staff` free for `offer` at `start`; else the reason the first is not."""
    if start < (now or datetime.now(UTC)) + offer.lead_time:
        raise BookingError(BookingErrorCode.TOO_SOON, "That is too soon to book.", field="startsAt")
    if not staff:
        raise BookingError(
            BookingErrorCode.STAFF_UNAVAILABLE, "Nobody performs this service.", field="staffId"
        )
    zone = (await tenant_locale()).zone
    end = start + offer.duration
    calendar = await load_calendar(staff=staff, start=start, end=end, zone=zone, ignore=ignore)
    refusals = [_refusal(calendar, offer, member, start) for member in staff]
    for member, refusal in zip(staff, refusals, strict=True):
        if refusal is None:
            return member
    raise next(refusal for refusal in refusals if refusal is not None)


async def _write(action: Awaitable[object]) -> None:
    """Run an INSERT/UPDATE of an appointment; the exclusion constraint's veto is SLOT_TAKEN."""
    try:
        await action
    except IntegrityError as exc:
        # asyncpg's ExclusionViolationError, chained by Tortoise, names the constraint.
        if getattr(exc.__cause__, "constraint_name", None) == NO_DOUBLE_BOOKING:
            raise _taken() from exc
        raise


def _instant(starts_at: datetime) -> datetime:
    """A start in UTC, so durations add as elapsed time whatever the zone it came in."""
    if starts_at.tzinfo is None:
        raise BookingError(BookingErrorCode.INVALID, "Give a UTC offset.", field="startsAt")
    return starts_at.astimezone(UTC)


def _notes(notes: str) -> str:
    if len(notes) > MAX_TEXT:
        raise BookingError(BookingErrorCode.INVALID, "The notes are too long.", field="notes")
    return notes.strip()


async def book_appointment(
    *,
    customer_id: uuid.UUID,
    service_id: uuid.UUID,
    variant_id: uuid.UUID | None,
    staff_id: uuid.UUID | None,
    starts_at: datetime,
    notes: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book a customer in; without `staff_id`, the first free staff member by name."""
    if not await Customer.filter(id=customer_id).exists():
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such customer.", field="customerId")
    starts_at = _instant(starts_at)
    offer = await load_offer(service_id=service_id, variant_id=variant_id)
    staff = await bookable_staff(service_id=service_id, staff_id=staff_id)
    member = await _fitting_staff(offer, staff, starts_at, now=now)
    appointment = Appointment(
        id=uuid.uuid4(),
        customer_id=customer_id,
        service_id=offer.service_id,
        variant_id=offer.variant_id,
        staff_id=member.id,
        starts_at=starts_at,
        ends_at=starts_at + offer.duration,
        buffer_before_minutes=offer.before // timedelta(minutes=1),
        buffer_after_minutes=offer.after // timedelta(minutes=1),
        price=offer.price,
        currency=offer.currency,
        notes=_notes(notes),
    )
    await _write(appointment.save(force_create=True))
    await _emit(appointment, "booked")
    return appointment


async def get_appointment(*, appointment_id: uuid.UUID, lock: bool = False) -> Appointment:
    """One appointment, or NOT_FOUND; `lock` holds it until the transaction ends."""
    query = Appointment.filter(id=appointment_id)
    found = await (query.select_for_update() if lock else query).first()
    if found is None:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such appointment.", field="id")
    return found


async def find_appointment(*, appointment_id: uuid.UUID) -> Appointment | None:
    """One appointment, or None."""
    return await Appointment.get_or_none(id=appointment_id)


def _check_transition(appointment: Appointment, to: AppointmentStatus) -> None:
    if to not in NEXT_STATES.get(appointment.status, set()):
        raise BookingError(
            BookingErrorCode.ILLEGAL_TRANSITION,
            f"A {appointment.status.value} appointment cannot become {to.value}.",
            field="id",
        )


async def _offer_of(appointment: Appointment) -> Offer:
    """What an appointment holds: the length and buffers it was booked with, the service's
    current lead time."""
    service = await get_service(service_id=appointment.service_id)
    return replace(
        Offer.of(service, None),
        duration=appointment.ends_at - appointment.starts_at,
        before=timedelta(minutes=appointment.buffer_before_minutes),
        after=timedelta(minutes=appointment.buffer_after_minutes),
    )


async def reschedule_appointment(
    *,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment to another start (and perhaps another staff member)."""
    appointment = await get_appointment(appointment_id=appointment_id, lock=True)
    if appointment.status is not AppointmentStatus.BOOKED:
        raise BookingError(
            BookingErrorCode.ILLEGAL_TRANSITION,
            f"A {appointment.status.value} appointment cannot be rescheduled.",
            field="id",
        )
    starts_at = _instant(starts_at)
    offer = await _offer_of(appointment)
    staff = await bookable_staff(
        service_id=appointment.service_id, staff_id=staff_id or appointment.staff_id
    )
    member = await _fitting_staff(offer, staff, starts_at, now=now, ignore=appointment.id)
    previous = {
        "previous_starts_at": appointment.starts_at.isoformat(),
        "previous_staff_id": str(appointment.staff_id),
    }
    appointment.starts_at = starts_at
    appointment.ends_at = starts_at + offer.duration
    appointment.staff_id = member.id
    await _write(appointment.save(update_fields=["starts_at", "ends_at", "staff_id", "updated_at"]))
    await _emit(appointment, "rescheduled", **previous)
    return appointment


async def _transition(
    appointment_id: uuid.UUID, to: AppointmentStatus, **extra: Any
) -> Appointment:
    appointment = await get_appointment(appointment_id=appointment_id, lock=True)
    _check_transition(appointment, to)
    appointment.status = to
    fields = ["status", "updated_at"]
    if to is AppointmentStatus.CANCELLED:
        appointment.cancel_reason = extra["reason"]
        fields.append("cancel_reason")
    await appointment.save(update_fields=fields)
    await _emit(appointment, EVENT_OF[to], **extra)
    return appointment


async def cancel_appointment(*, appointment_id: uuid.UUID, reason: str) -> Appointment:
    """Cancel a booked appointment, saying why; its slot is free again."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_TEXT:
        raise BookingError(BookingErrorCode.INVALID, "Give a reason.", field="reason")
    return await _transition(appointment_id, AppointmentStatus.CANCELLED, reason=reason)


async def complete_appointment(*, appointment_id: uuid.UUID) -> Appointment:
    """Record that a booked appointment took place."""
    return await _transition(appointment_id, AppointmentStatus.COMPLETED)


async def mark_no_show(*, appointment_id: uuid.UUID) -> Appointment:
    """Record that the customer did not come."""
    return await _transition(appointment_id, AppointmentStatus.NO_SHOW)


async def list_appointments(
    *,
    statuses: Sequence[AppointmentStatus] | None = None,
    staff_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    offset: int,
    limit: int,
) -> tuple[list[Appointment], int]:
    """A page of appointments by start time, and the total count."""
    query = Appointment.all()
    if statuses:
        query = query.filter(status__in=list(statuses))
    if staff_id is not None:
        query = query.filter(staff_id=staff_id)
    if service_id is not None:
        query = query.filter(service_id=service_id)
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    if starts_from is not None:
        query = query.filter(starts_at__gte=starts_from)
    if starts_before is not None:
        query = query.filter(starts_at__lt=starts_before)
    total = await query.count()
    rows = await query.order_by("starts_at", "id").offset(offset).limit(limit)
    return list(rows), total
