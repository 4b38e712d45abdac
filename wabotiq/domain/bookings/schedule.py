"""When bookings can happen: weekly business hours, staff hours, and closures."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from tortoise.expressions import Q

from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import BusinessHours, Closure, Staff, StaffHours
from wabotiq.domain.bookings.service import get_staff, tenant_locale

MAX_CLOSURE_REASON = 500


@dataclass(frozen=True, slots=True)
class HoursInterval:
    """Open from `opens` to `closes` (local wall time) on an ISO weekday (1 is Monday)."""

    weekday: int
    opens: time
    closes: time


def _checked(intervals: Iterable[HoursInterval]) -> list[HoursInterval]:
    """Intervals sorted by day and time; refuses empty, inverted or overlapping ones."""
    clean = sorted(
        (
            HoursInterval(i.weekday, i.opens.replace(tzinfo=None), i.closes.replace(tzinfo=None))
            for i in intervals
        ),
        key=lambda i: (i.weekday, i.opens),
    )
    for index, interval in enumerate(clean):
        if not 1 <= interval.weekday <= 7:
            raise BookingError(BookingErrorCode.INVALID_HOURS, "No such weekday.", field="hours")
        if interval.opens >= interval.closes:
            raise BookingError(
                BookingErrorCode.INVALID_HOURS,
                "Each interval must open before it closes.",
                field="hours",
            )
        previous = clean[index - 1] if index else None
        if previous and previous.weekday == interval.weekday and previous.closes > interval.opens:
            raise BookingError(
                BookingErrorCode.INVALID_HOURS,
                "Intervals of one day must not overlap.",
                field="hours",
            )
    return clean


def _intervals(rows: Iterable[BusinessHours | StaffHours]) -> list[HoursInterval]:
    return [
        HoursInterval(
            row.weekday, row.opens_at.replace(tzinfo=None), row.closes_at.replace(tzinfo=None)
        )
        for row in rows
    ]


async def business_hours() -> list[HoursInterval]:
    """The business's weekly opening hours, by day and time."""
    return _intervals(await BusinessHours.all().order_by("weekday", "opens_at"))


async def set_business_hours(*, intervals: Sequence[HoursInterval]) -> list[HoursInterval]:
    """Replace the weekly opening hours; a day without intervals is closed."""
    clean = _checked(intervals)
    await BusinessHours.all().delete()
    await BusinessHours.bulk_create(
        [BusinessHours(weekday=i.weekday, opens_at=i.opens, closes_at=i.closes) for i in clean]
    )
    return clean


async def working_hours(
    *, follows_business: Mapping[uuid.UUID, bool]
) -> dict[uuid.UUID, list[HoursInterval]]:
    """Weekly working hours by staff id: the business's for those who follow them (True),
    else their own."""
    custom = [staff_id for staff_id, follows in follows_business.items() if not follows]
    own: dict[uuid.UUID, list[HoursInterval]] = defaultdict(list)
    if custom:
        rows = await StaffHours.filter(staff_id__in=custom).order_by("weekday", "opens_at")
        for row in rows:
            own[row.staff_id].extend(_intervals([row]))
    shared = await business_hours() if len(custom) < len(follows_business) else []
    return {
        staff_id: shared if follows else own[staff_id]
        for staff_id, follows in follows_business.items()
    }


async def staff_hours(*, staff: Sequence[Staff]) -> dict[uuid.UUID, list[HoursInterval]]:
    """Each staff member's weekly working hours: their own, or else the business hours."""
    return await working_hours(
        follows_business={member.id: member.uses_business_hours for member in staff}
    )


async def set_staff_hours(
    *, staff_id: uuid.UUID, intervals: Sequence[HoursInterval] | None
) -> Staff:
    """Give a staff member their own weekly hours, or (None) let them follow the business's."""
    staff = await get_staff(staff_id=staff_id, field="staffId")
    clean = None if intervals is None else _checked(intervals)
    await StaffHours.filter(staff_id=staff.id).delete()
    if clean is not None:
        await StaffHours.bulk_create(
            [
                StaffHours(
                    staff_id=staff.id, weekday=i.weekday, opens_at=i.opens, closes_at=i.closes
                )
                for i in clean
            ]
        )
    staff.uses_business_hours = clean is None
    await staff.save(update_fields=["uses_business_hours", "updated_at"])
    return staff


async def create_closure(
    *,
    staff_id: uuid.UUID | None,
    start_date: date | None,
    end_date: date | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
) -> Closure:
    """Close the business (or one staff member) for whole days or for an exact period."""
    if staff_id is not None:
        await get_staff(staff_id=staff_id, field="staffId")
    days = start_date is not None or end_date is not None
    period = starts_at is not None or ends_at is not None
    if days == period:
        raise BookingError(
            BookingErrorCode.INVALID_RANGE,
            "Give either startDate and endDate, or startsAt and endsAt.",
        )
    if days and (start_date is None or end_date is None or start_date > end_date):
        raise BookingError(
            BookingErrorCode.INVALID_RANGE, "startDate must not follow endDate.", field="endDate"
        )
    if period and (starts_at is None or ends_at is None or starts_at >= ends_at):
        raise BookingError(
            BookingErrorCode.INVALID_RANGE, "startsAt must precede endsAt.", field="endsAt"
        )
    if len(reason) > MAX_CLOSURE_REASON:
        raise BookingError(BookingErrorCode.INVALID, "The reason is too long.", field="reason")
    return await Closure.create(
        id=uuid.uuid4(),
        staff_id=staff_id,
        start_date=start_date,
        end_date=end_date,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
    )


async def delete_closure(*, closure_id: uuid.UUID) -> Closure:
    """Reopen what a closure closed."""
    closure = await Closure.get_or_none(id=closure_id)
    if closure is None:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such closure.", field="id")
    await closure.delete()
    return closure


def _overlapping(first_day: date, last_day: date, start: datetime, end: datetime) -> Q:
    return Q(start_date__lte=last_day, end_date__gte=first_day) | Q(
        starts_at__lt=end, ends_at__gt=start
    )


async def closures_between(
    *,
    first_day: date,
    last_day: date,
    start: datetime,
    end: datetime,
    staff_ids: Sequence[uuid.UUID] | None = None,
) -> list[Closure]:
    """Closures touching the local days `first_day`..`last_day` or the period `start`..`end`;
    with `staff_ids`, only the business's and those members' own."""
    query = Closure.filter(_overlapping(first_day, last_day, start, end))
    if staff_ids is not None:
        query = query.filter(Q(staff_id__isnull=True) | Q(staff_id__in=list(staff_ids)))
    return list(await query.order_by("start_date", "starts_at", "id"))


async def list_closures(
    *, ending_after: datetime | None, offset: int, limit: int
) -> tuple[list[Closure], int]:
    """A page of closures that end after `ending_after` (all when None), and the total."""
    query = Closure.all()
    if ending_after is not None:
        zone = (await tenant_locale()).zone
        query = query.filter(
            Q(end_date__gte=ending_after.astimezone(zone).date()) | Q(ends_at__gt=ending_after)
        )
    total = await query.count()
    rows = await query.order_by("start_date", "starts_at", "id").offset(offset).limit(limit)
    return list(rows), total
