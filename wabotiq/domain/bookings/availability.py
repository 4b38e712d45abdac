"""Bookable slots: working hours minus closures, lead time and the staff's appointments."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery

from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import (
    Appointment,
    AppointmentStatus,
    Closure,
    Service,
    ServiceVariant,
    Staff,
    StaffService,
)
from wabotiq.domain.bookings.schedule import HoursInterval, closures_between, staff_hours
from wabotiq.domain.bookings.service import get_service, get_staff, get_variant, tenant_locale

SLOT_STEP = timedelta(minutes=15)
MAX_WINDOW = timedelta(days=31)
# Buffers are at most a day, so appointments starting or ending a day beyond a window cannot
# reach into it.
MARGIN = timedelta(days=1)

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable start for one staff member, in the tenant's time zone."""

    start: datetime
    end: datetime
    staff_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Offer:
    """What is being booked: how long it takes, what it blocks around it, how early to book."""

    service_id: uuid.UUID
    variant_id: uuid.UUID | None
    duration: timedelta
    before: timedelta
    after: timedelta
    lead_time: timedelta
    price: Decimal
    currency: str

    @classmethod
    def of(cls, service: Service, variant: ServiceVariant | None) -> Offer:
        minutes = variant.duration_minutes if variant else None
        price = variant.price if variant else None
        return cls(
            service_id=service.id,
            variant_id=variant.id if variant else None,
            duration=timedelta(minutes=minutes or service.duration_minutes),
            before=timedelta(minutes=service.buffer_before_minutes),
            after=timedelta(minutes=service.buffer_after_minutes),
            lead_time=timedelta(minutes=service.lead_time_minutes),
            price=price if price is not None else service.price,
            currency=service.currency,
        )


def _overlaps(spans: Sequence[Span], start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in spans)


@dataclass
class Calendar:
    """Everything that limits some staff members' bookings around a window, loaded at once."""

    zone: ZoneInfo
    hours: dict[uuid.UUID, list[HoursInterval]]
    closed: dict[uuid.UUID | None, list[Span]] = field(default_factory=dict)
    busy: dict[uuid.UUID, list[Span]] = field(default_factory=dict)

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC)

    def working_periods(self, staff_id: uuid.UUID, start: datetime, end: datetime) -> list[Span]:
        """The staff member's working periods (UTC) on the local days around `start`..`end`."""
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date()
        periods = []
        while day <= last:
            for interval in self.hours.get(staff_id, ()):
                if interval.weekday == day.isoweekday():
                    periods.append((self._at(day, interval.opens), self._at(day, interval.closes)))
            day += timedelta(days=1)
        return periods

    def is_closed(self, staff_id: uuid.UUID, start: datetime, end: datetime) -> bool:
        own = self.closed.get(staff_id, [])
        return _overlaps(self.closed.get(None, []), start, end) or _overlaps(own, start, end)

    def is_busy(self, staff_id: uuid.UUID, start: datetime, end: datetime) -> bool:
        """Whether a span (buffers included) meets another appointment's (buffers included)."""
        return _overlaps(self.busy.get(staff_id, []), start, end)

    def add_closure(self, closure: Closure) -> None:
        if closure.start_date is not None and closure.end_date is not None:
            span = (
                self._at(closure.start_date, time.min),
                self._at(closure.end_date + timedelta(days=1), time.min),
            )
        else:
            # The table's CHECK: a closure without dates has both instants.
            assert closure.starts_at is not None and closure.ends_at is not None
            span = (closure.starts_at, closure.ends_at)
        self.closed.setdefault(closure.staff_id, []).append(span)


async def load_calendar(
    *,
    staff: Sequence[Staff],
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    ignore: uuid.UUID | None = None,
) -> Calendar:
    """Hours, closures and booked appointments (except `ignore`) of `staff` around a window."""
    ids = [member.id for member in staff]
    calendar = Calendar(zone=zone, hours=await staff_hours(staff=staff))
    for closure in await closures_between(
        first_day=start.astimezone(zone).date() - timedelta(days=1),
        last_day=end.astimezone(zone).date() + timedelta(days=1),
        start=start - MARGIN,
        end=end + MARGIN,
        staff_ids=ids,
    ):
        calendar.add_closure(closure)
    query = Appointment.filter(
        staff_id__in=ids,
        status=AppointmentStatus.BOOKED,
        starts_at__lt=end + MARGIN,
        ends_at__gt=start - MARGIN,
    )
    if ignore is not None:
        query = query.exclude(id=ignore)
    busy: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for booked in await query:
        busy[booked.staff_id].append(
            (
                booked.starts_at - timedelta(minutes=booked.buffer_before_minutes),
                booked.ends_at + timedelta(minutes=booked.buffer_after_minutes),
            )
        )
    calendar.busy = dict(busy)
    return calendar


async def load_offer(*, service_id: uuid.UUID, variant_id: uuid.UUID | None) -> Offer:
    """A bookable service (active, not archived) and, if given, one of its live variants."""
    service = await get_service(service_id=service_id, field="serviceId")
    if not service.active or service.archived_at is not None:
        raise BookingError(
            BookingErrorCode.SERVICE_UNAVAILABLE, "The service is not offered.", field="serviceId"
        )
    variant = None
    if variant_id is not None:
        variant = await get_variant(variant_id=variant_id, field="variantId")
        if variant.service_id != service.id or variant.archived_at is not None:
            raise BookingError(
                BookingErrorCode.NOT_FOUND, "No such variant of this service.", field="variantId"
            )
    return Offer.of(service, variant)


async def bookable_staff(*, service_id: uuid.UUID, staff_id: uuid.UUID | None) -> list[Staff]:
    """The one staff member asked for (checked), or every active one performing the service."""
    performers = StaffService.filter(service_id=service_id).values("staff_id")
    if staff_id is None:
        query = Staff.filter(active=True, id__in=Subquery(performers))
        return list(await query.order_by("name", "id"))
    staff = await get_staff(staff_id=staff_id, field="staffId")
    if not staff.active:
        raise BookingError(
            BookingErrorCode.STAFF_UNAVAILABLE, "The staff member is not active.", field="staffId"
        )
    if not await StaffService.filter(service_id=service_id, staff_id=staff.id).exists():
        raise BookingError(
            BookingErrorCode.STAFF_NOT_QUALIFIED,
            "The staff member does not perform this service.",
            field="staffId",
        )
    return [staff]


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise BookingError(BookingErrorCode.INVALID_RANGE, "Give times with a UTC offset.")
    if end - start > MAX_WINDOW:
        raise BookingError(
            BookingErrorCode.INVALID_RANGE,
            f"Ask for at most {MAX_WINDOW.days} days at a time.",
            field="to",
        )


def _starts(
    period: Span, earliest: datetime, latest_end: datetime, length: timedelta
) -> list[datetime]:
    """Grid starts (every SLOT_STEP from opening) at or after `earliest` that fit the period."""
    opens, closes = period
    skip = max(timedelta(0), earliest - opens)
    moment = opens + SLOT_STEP * -(-skip // SLOT_STEP)
    found = []
    while moment + length <= min(closes, latest_end):
        found.append(moment)
        moment += SLOT_STEP
    return found


def slots_of(
    calendar: Calendar,
    offer: Offer,
    member: Staff,
    *,
    start: datetime,
    end: datetime,
    earliest: datetime,
) -> list[Slot]:
    """A staff member's free slots lying wholly within `start`..`end`, from `earliest` on."""
    found = []
    for period in calendar.working_periods(member.id, start, end):
        for moment in _starts(period, max(start, earliest), end, offer.duration):
            finish = moment + offer.duration
            if calendar.is_closed(member.id, moment, finish):
                continue
            if calendar.is_busy(member.id, moment - offer.before, finish + offer.after):
                continue
            found.append(
                Slot(
                    start=moment.astimezone(calendar.zone),
                    end=finish.astimezone(calendar.zone),
                    staff_id=member.id,
                )
            )
    return found


async def availability(
    *,
    service_id: uuid.UUID,
    variant_id: uuid.UUID | None,
    staff_id: uuid.UUID | None,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[Slot]:
    """Bookable slots of a service between `start` and `end`, by start time then staff name.
    An unknown or unbookable service, variant or staff member has none."""
    _check_window(start, end)
    if start >= end:
        return []
    try:
        offer = await load_offer(service_id=service_id, variant_id=variant_id)
        staff = await bookable_staff(service_id=service_id, staff_id=staff_id)
    except BookingError:
        return []
    if not staff:
        return []
    zone = (await tenant_locale()).zone
    calendar = await load_calendar(staff=staff, start=start, end=end, zone=zone)
    earliest = (now or datetime.now(UTC)) + offer.lead_time
    order = {member.id: index for index, member in enumerate(staff)}
    slots = [
        slot
        for member in staff
        for slot in slots_of(calendar, offer, member, start=start, end=end, earliest=earliest)
    ]
    slots.sort(key=lambda slot: (slot.start, order[slot.staff_id]))
    return slots
