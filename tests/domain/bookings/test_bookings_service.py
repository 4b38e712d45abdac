"""The bookings services without HTTP or GraphQL, against real Postgres: availability from
business and staff hours in the tenant's time zone, closures, lead time and buffers; booking
refusals; no double booking (the service's check and, under it, the exclusion constraint, with
real concurrent transactions); rescheduling, cancelling and the appointment lifecycle."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.connection import get_pool
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.bookings.appointments import (
    NEXT_STATES,
    book_appointment,
    cancel_appointment,
    complete_appointment,
    get_appointment,
    mark_no_show,
    reschedule_appointment,
)
from wabotiq.domain.bookings.availability import Slot, availability
from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import Appointment, AppointmentStatus, Service, Staff
from wabotiq.domain.bookings.schedule import (
    HoursInterval,
    create_closure,
    set_business_hours,
    set_staff_hours,
)
from wabotiq.domain.bookings.service import (
    Price,
    archive_service,
    create_service,
    create_staff,
    create_variant,
    update_service,
    update_staff,
)
from wabotiq.domain.customers.service import create_customer

T = TypeVar("T")
A = AppointmentStatus
NAIROBI = ZoneInfo("Africa/Nairobi")
LONDON = ZoneInfo("Europe/London")
MONDAY = date(2030, 6, 3)
NOW = datetime(2030, 5, 27, 8, 0, tzinfo=NAIROBI)  # a week before: clear of any lead time
C = BookingErrorCode


def at(day: date, clock: str, zone: ZoneInfo = NAIROBI) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)


def quarters(first: str, last: str) -> list[str]:
    """HH:MM every 15 minutes from `first` to `last`, inclusive."""
    moment, end = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M")
    found = []
    while moment <= end:
        found.append(moment.strftime("%H:%M"))
        moment += timedelta(minutes=15)
    return found


@dataclass
class Salon:
    """A service, Alice and Brian who perform it, hours Monday-Saturday 09:00-17:00."""

    ref: TenantRef
    cipher: FieldCipher
    service: Service
    alice: Staff
    brian: Staff
    currency: str

    async def atomic(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            async with in_transaction():
                return await call()

    async def read(self, call: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(self.ref):
            return await call()

    async def customer(self) -> uuid.UUID:
        phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
        return (await self.atomic(lambda: create_customer(cipher=self.cipher, phone=phone))).id

    async def book(self, starts_at: datetime, **fields: Any) -> Appointment:
        customer = fields.pop("customer_id", None) or await self.customer()
        spec = {
            "service_id": self.service.id,
            "variant_id": None,
            "staff_id": self.alice.id,
            "now": NOW,
        } | fields
        return await self.atomic(
            lambda: book_appointment(customer_id=customer, starts_at=starts_at, **spec)
        )

    async def refused(self, call: Callable[[], Awaitable[Any]]) -> tuple[str, str | None, str]:
        with pytest.raises(BookingError) as refused:
            await self.atomic(call)
        return refused.value.code, refused.value.field, refused.value.message

    async def slots(self, start: datetime, end: datetime, **fields: Any) -> list[Slot]:
        spec = {"service_id": self.service.id, "variant_id": None, "staff_id": None, "now": NOW}
        spec |= fields
        return await self.read(lambda: availability(start=start, end=end, **spec))

    def starts(self, found: list[Slot], staff: Staff | None = None) -> list[str]:
        return [
            slot.start.strftime("%H:%M")
            for slot in found
            if staff is None or slot.staff_id == staff.id
        ]

    async def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        rows = await self.read(
            lambda: OutboxEvent.filter(aggregate_type="appointment").order_by("id")
        )
        return [(row.aggregate_id, row.event_type, row.payload) for row in rows]


async def open_salon(
    make_tenant: MakeTenant, settings: Settings, *, zone: str = "Africa/Nairobi", **service: Any
) -> Salon:
    currency = "KES" if zone == "Africa/Nairobi" else "GBP"
    tenant = await make_tenant(timezone=zone, currency=currency)
    ref = TenantRef.of(tenant.id)

    async def build() -> tuple[Service, Staff, Staff]:
        made = await create_service(
            **{
                "code": f"S-{uuid.uuid4().hex[:8]}",
                "name": "Haircut",
                "description": "",
                "duration_minutes": 60,
                "price": Price(Decimal("1500.00"), currency),
            }
            | service
        )
        alice = await create_staff(name="Alice", active=True, service_ids=[made.id])
        brian = await create_staff(name="Brian", active=True, service_ids=[made.id])
        await set_business_hours(
            intervals=[HoursInterval(day, time(9), time(17)) for day in range(1, 7)]
        )
        return made, alice, brian

    with tenant_context(ref):
        async with in_transaction():
            made, alice, brian = await build()
    return Salon(ref, FieldCipher(settings), made, alice, brian, currency)


@pytest.fixture
async def salon(make_tenant: MakeTenant, settings: Settings) -> Salon:
    return await open_salon(make_tenant, settings)


# Prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("1500", "1500.00"), ("0.5", "0.50"), ("-0", "0.00"), ("999999999999.99", None),
        ("-1", C.INVALID), ("10.005", C.INVALID), ("1000000000000", C.INVALID),
        ("NaN", C.INVALID), ("sNaN", C.INVALID), ("Infinity", C.INVALID),
    ],
)  # fmt: skip
async def test_service_and_variant_prices_are_amounts_a_price_column_holds(
    salon: Salon, amount: str, stored: str | None
) -> None:
    """Any Decimal a client can send (GraphQL's Decimal reads "NaN" too) is an amount in
    cents from 0 to 999999999999.99, or an INVALID price: never an unexpected error."""
    price = Price(Decimal(amount), "KES")
    create = {
        "service": lambda: create_service(
            code="PRICED", name="Priced", description="", duration_minutes=30, price=price
        ),
        "variant": lambda: create_variant(
            service_id=salon.service.id, name="Priced", duration_minutes=None, price=price
        ),
    }
    for kind, call in create.items():
        if stored == C.INVALID:
            code, field, _ = await salon.refused(call)
            assert (kind, code, field) == (kind, C.INVALID, "price")
            continue
        made = await salon.atomic(call)
        kept = await salon.read(lambda m=made: type(m).get(id=m.id))
        assert str(made.price) == str(kept.price) == (stored or amount), kind
    services = await salon.read(lambda: Service.all().count())
    assert services == (1 if stored == C.INVALID else 2)


# Availability -----------------------------------------------------------------------------


async def test_slots_follow_business_hours_in_the_tenant_time_zone(salon: Salon) -> None:
    found = await salon.slots(at(MONDAY, "00:00"), at(MONDAY, "23:59"), staff_id=salon.alice.id)

    assert salon.starts(found) == quarters("09:00", "16:00")
    assert found[0].start == at(MONDAY, "09:00") and found[-1].end == at(MONDAY, "17:00")
    assert {slot.start.utcoffset() for slot in found} == {timedelta(hours=3)}
    assert all(slot.end - slot.start == timedelta(minutes=60) for slot in found)
    in_utc = await salon.slots(
        datetime(2030, 6, 3, 6, tzinfo=UTC),
        datetime(2030, 6, 3, 14, tzinfo=UTC),
        staff_id=salon.alice.id,
    )
    assert in_utc == found
    sunday = MONDAY + timedelta(days=6)
    assert await salon.slots(at(sunday, "00:00"), at(sunday, "23:59")) == []


async def test_slots_come_by_start_then_staff_name(salon: Salon) -> None:
    found = await salon.slots(at(MONDAY, "09:00"), at(MONDAY, "10:15"))
    names = {salon.alice.id: "Alice", salon.brian.id: "Brian"}
    assert [(s.start.strftime("%H:%M"), names[s.staff_id]) for s in found] == [
        ("09:00", "Alice"),
        ("09:00", "Brian"),
        ("09:15", "Alice"),
        ("09:15", "Brian"),
    ]


async def test_closures_and_staff_hours_limit_slots_and_bookings(salon: Salon) -> None:
    tuesday = MONDAY + timedelta(days=1)
    await salon.atomic(lambda: create_closure(
        staff_id=None, start_date=MONDAY, end_date=MONDAY, starts_at=None, ends_at=None,
        reason=" Madaraka Day ",
    ))  # fmt: skip
    await salon.atomic(lambda: create_closure(
        staff_id=salon.alice.id, start_date=None, end_date=None,
        starts_at=at(tuesday, "12:00"), ends_at=at(tuesday, "13:00"), reason="dentist",
    ))  # fmt: skip
    await salon.atomic(lambda: set_staff_hours(
        staff_id=salon.brian.id, intervals=[HoursInterval(2, time(14), time(16))]
    ))  # fmt: skip

    monday = await salon.slots(at(MONDAY, "00:00"), at(MONDAY, "23:59"))
    found = await salon.slots(at(tuesday, "00:00"), at(tuesday, "23:59"))

    assert monday == []
    assert salon.starts(found, salon.alice) == [
        *quarters("09:00", "11:00"),
        *quarters("13:00", "16:00"),
    ]
    assert salon.starts(found, salon.brian) == quarters("14:00", "15:00")
    assert await salon.refused(lambda: salon.book(at(MONDAY, "10:00"))) == (
        C.OUTSIDE_HOURS,
        "startsAt",
        "Closed at that time.",
    )
    assert await salon.refused(lambda: salon.book(at(tuesday, "12:30"))) == (
        C.OUTSIDE_HOURS,
        "startsAt",
        "Closed at that time.",
    )
    brian = salon.brian.id
    for clock in ("10:00", "15:30"):  # outside Brian's own hours, inside the business's
        assert await salon.refused(lambda c=clock: salon.book(at(tuesday, c), staff_id=brian)) == (
            C.OUTSIDE_HOURS,
            "startsAt",
            "That is outside working hours.",
        )
    await salon.atomic(lambda: set_staff_hours(staff_id=brian, intervals=None))
    again = await salon.slots(at(tuesday, "00:00"), at(tuesday, "23:59"), staff_id=brian)
    assert salon.starts(again) == quarters("09:00", "16:00")


async def test_lead_time_keeps_the_near_future_off(
    make_tenant: MakeTenant, settings: Settings
) -> None:
    salon = await open_salon(make_tenant, settings, lead_time_minutes=120)
    now = at(MONDAY, "09:05")

    found = await salon.slots(
        at(MONDAY, "00:00"), at(MONDAY, "23:59"), staff_id=salon.alice.id, now=now
    )

    assert salon.starts(found) == quarters("11:15", "16:00")
    assert await salon.refused(lambda: salon.book(at(MONDAY, "11:00"), now=now)) == (
        C.TOO_SOON,
        "startsAt",
        "That is too soon to book.",
    )
    booked = await salon.book(at(MONDAY, "11:15"), now=now)
    assert booked.starts_at == at(MONDAY, "11:15")


async def test_buffers_keep_the_time_around_an_appointment_free(
    make_tenant: MakeTenant, settings: Settings
) -> None:
    salon = await open_salon(
        make_tenant, settings, buffer_before_minutes=15, buffer_after_minutes=15
    )
    booked = await salon.book(at(MONDAY, "10:00"))
    assert (booked.buffer_before_minutes, booked.buffer_after_minutes) == (15, 15)

    found = await salon.slots(at(MONDAY, "00:00"), at(MONDAY, "23:59"), staff_id=salon.alice.id)

    # Alice is busy 09:45-11:15 with buffers; another booking needs its own 15 minutes.
    assert salon.starts(found) == quarters("11:30", "16:00")
    assert await salon.refused(lambda: salon.book(at(MONDAY, "11:15"))) == (
        C.SLOT_TAKEN,
        "startsAt",
        "The staff member is already booked then.",
    )
    await salon.atomic(lambda: cancel_appointment(appointment_id=booked.id, reason="sick"))
    freed = await salon.slots(at(MONDAY, "00:00"), at(MONDAY, "23:59"), staff_id=salon.alice.id)
    # Buffers keep other appointments away, not the opening hours.
    assert salon.starts(freed) == quarters("09:00", "16:00")


async def test_slots_keep_local_hours_across_a_daylight_saving_change(
    make_tenant: MakeTenant, settings: Settings
) -> None:
    salon = await open_salon(make_tenant, settings, zone="Europe/London")
    await salon.atomic(lambda: set_business_hours(
        intervals=[HoursInterval(day, time(9), time(10)) for day in (6, 7)]
    ))  # fmt: skip
    saturday, sunday = date(2030, 3, 30), date(2030, 3, 31)  # clocks go forward on Sunday
    early = at(saturday, "00:00", LONDON) - timedelta(days=7)

    found = await salon.slots(
        datetime(2030, 3, 30, tzinfo=UTC),
        datetime(2030, 3, 31, 23, tzinfo=UTC),
        now=early,
        staff_id=salon.alice.id,
    )

    assert [(s.start.isoformat(), s.end.isoformat()) for s in found] == [
        ("2030-03-30T09:00:00+00:00", "2030-03-30T10:00:00+00:00"),
        ("2030-03-31T09:00:00+01:00", "2030-03-31T10:00:00+01:00"),
    ]
    booked = await salon.book(at(sunday, "09:00", LONDON), now=early)
    assert booked.starts_at == datetime(2030, 3, 31, 8, tzinfo=UTC)
    assert booked.starts_at.utcoffset() == timedelta(0)
    assert booked.price == Decimal("1500.00") and booked.currency == "GBP"
    # 09:00 UTC is 10:00 in London that Sunday: after closing.
    assert await salon.refused(
        lambda: salon.book(datetime(2030, 3, 31, 9, tzinfo=UTC), now=early)
    ) == (C.OUTSIDE_HOURS, "startsAt", "That is outside working hours.")


async def test_availability_refuses_bad_windows_and_offers_nothing_unbookable(
    salon: Salon,
) -> None:
    start, end = at(MONDAY, "09:00"), at(MONDAY, "12:00")
    naive = await salon.refused(lambda: availability(
        service_id=salon.service.id, variant_id=None, staff_id=None,
        start=start.replace(tzinfo=None), end=end, now=NOW,
    ))  # fmt: skip
    too_long = await salon.refused(lambda: availability(
        service_id=salon.service.id, variant_id=None, staff_id=None,
        start=start, end=start + timedelta(days=32), now=NOW,
    ))  # fmt: skip
    assert naive == (C.INVALID_RANGE, None, "Give times with a UTC offset.")
    assert too_long == (C.INVALID_RANGE, "to", "Ask for at most 31 days at a time.")

    other = await salon.atomic(lambda: create_service(
        code="MASSAGE", name="Massage", description="", duration_minutes=30,
        price=Price(Decimal("2000.00"), "KES"),
    ))  # fmt: skip
    assert await salon.slots(end, start) == []
    assert await salon.slots(start, end, service_id=uuid.uuid4()) == []
    assert await salon.slots(start, end, staff_id=uuid.uuid4()) == []
    assert await salon.slots(start, end, service_id=other.id) == []  # nobody performs it
    assert await salon.slots(start, end, variant_id=uuid.uuid4()) == []
    await salon.atomic(lambda: update_staff(staff_id=salon.alice.id, changes={"active": False}))
    assert salon.starts(await salon.slots(start, end), salon.alice) == []
    await salon.atomic(lambda: archive_service(service_id=salon.service.id))
    assert await salon.slots(start, end) == []


# Booking ----------------------------------------------------------------------------------


async def test_a_booking_snapshots_the_offer_and_emits_an_event(salon: Salon) -> None:
    long_hair = await salon.atomic(lambda: create_variant(
        service_id=salon.service.id, name="Long hair", duration_minutes=90,
        price=Price(Decimal("2250.50"), "KES"),
    ))  # fmt: skip
    customer = await salon.customer()

    booked = await salon.book(
        datetime(2030, 6, 3, 7, 0, tzinfo=UTC),  # 10:00 in Nairobi
        customer_id=customer,
        variant_id=long_hair.id,
        notes="  first visit ",
    )
    # The service changes afterwards; the appointment keeps what was booked.
    await salon.atomic(lambda: update_service(
        service_id=salon.service.id, changes={"price": Price(Decimal("9999.00"), "KES")}
    ))  # fmt: skip

    stored = await salon.read(lambda: get_appointment(appointment_id=booked.id))
    assert (stored.starts_at, stored.ends_at) == (at(MONDAY, "10:00"), at(MONDAY, "11:30"))
    assert (str(stored.price), stored.currency) == ("2250.50", "KES")
    assert (stored.staff_id, stored.customer_id, stored.variant_id) == (
        salon.alice.id,
        customer,
        long_hair.id,
    )
    assert (stored.status, stored.notes, stored.cancel_reason) == (A.BOOKED, "first visit", None)
    assert await salon.events() == [
        (
            str(booked.id),
            "booked",
            {
                "appointment_id": str(booked.id),
                "status": "booked",
                "customer_id": str(customer),
                "service_id": str(salon.service.id),
                "variant_id": str(long_hair.id),
                "staff_id": str(salon.alice.id),
                "starts_at": "2030-06-03T07:00:00+00:00",
                "ends_at": "2030-06-03T08:30:00+00:00",
            },
        )
    ]


async def test_without_a_staff_member_the_first_free_one_by_name_is_booked(salon: Salon) -> None:
    first = await salon.book(at(MONDAY, "10:00"), staff_id=None)
    second = await salon.book(at(MONDAY, "10:00"), staff_id=None)
    third = await salon.refused(lambda: salon.book(at(MONDAY, "10:30"), staff_id=None))

    assert (first.staff_id, second.staff_id) == (salon.alice.id, salon.brian.id)
    assert third == (C.SLOT_TAKEN, "startsAt", "The staff member is already booked then.")


async def test_booking_refusals_are_typed_and_store_nothing(salon: Salon) -> None:
    other = await salon.atomic(lambda: create_service(
        code="MASSAGE", name="Massage", description="", duration_minutes=30,
        price=Price(Decimal("2000.00"), "KES"),
    ))  # fmt: skip
    foreign = await salon.atomic(lambda: create_variant(
        service_id=other.id, name="Hot stones", duration_minutes=None, price=None
    ))  # fmt: skip
    carol = await salon.atomic(
        lambda: create_staff(name="Carol", active=True, service_ids=[other.id])
    )
    lonely = await salon.atomic(lambda: create_service(
        code="PEDICURE", name="Pedicure", description="", duration_minutes=30,
        price=Price(Decimal("800.00"), "KES"),
    ))  # fmt: skip
    dora = await salon.atomic(
        lambda: create_staff(name="Dora", active=False, service_ids=[salon.service.id])
    )
    ten = at(MONDAY, "10:00")
    ghost = uuid.uuid4()

    found = {
        "no customer": await salon.refused(lambda: salon.book(ten, customer_id=ghost)),
        "no service": await salon.refused(lambda: salon.book(ten, service_id=ghost)),
        "no staff": await salon.refused(lambda: salon.book(ten, staff_id=ghost)),
        "foreign variant": await salon.refused(lambda: salon.book(ten, variant_id=foreign.id)),
        "unqualified": await salon.refused(lambda: salon.book(ten, staff_id=carol.id)),
        "inactive": await salon.refused(lambda: salon.book(ten, staff_id=dora.id)),
        "nobody": await salon.refused(lambda: salon.book(ten, service_id=lonely.id, staff_id=None)),
        "naive": await salon.refused(lambda: salon.book(ten.replace(tzinfo=None))),
        "after hours": await salon.refused(lambda: salon.book(at(MONDAY, "16:30"))),
        "past": await salon.refused(lambda: salon.book(NOW - timedelta(hours=1))),
        "notes": await salon.refused(lambda: salon.book(ten, notes="x" * 2001)),
    }

    assert found == {
        "no customer": (C.NOT_FOUND, "customerId", "No such customer."),
        "no service": (C.NOT_FOUND, "serviceId", "No such service."),
        "no staff": (C.NOT_FOUND, "staffId", "No such staff member."),
        "foreign variant": (C.NOT_FOUND, "variantId", "No such variant of this service."),
        "unqualified": (
            C.STAFF_NOT_QUALIFIED,
            "staffId",
            "The staff member does not perform this service.",
        ),
        "inactive": (C.STAFF_UNAVAILABLE, "staffId", "The staff member is not active."),
        "nobody": (C.STAFF_UNAVAILABLE, "staffId", "Nobody performs this service."),
        "naive": (C.INVALID, "startsAt", "Give a UTC offset."),
        "after hours": (C.OUTSIDE_HOURS, "startsAt", "That is outside working hours."),
        "past": (C.TOO_SOON, "startsAt", "That is too soon to book."),
        "notes": (C.INVALID, "notes", "The notes are too long."),
    }
    await salon.atomic(lambda: update_service(service_id=salon.service.id, changes={
        "active": False}))  # fmt: skip
    assert await salon.refused(lambda: salon.book(ten)) == (
        C.SERVICE_UNAVAILABLE,
        "serviceId",
        "The service is not offered.",
    )
    assert await salon.read(lambda: Appointment.all().count()) == 0
    assert await salon.events() == []


# No double booking ------------------------------------------------------------------------


async def test_twenty_concurrent_bookings_of_one_slot_give_one_appointment(salon: Salon) -> None:
    customers = [await salon.customer() for _ in range(20)]

    async def attempt(customer: uuid.UUID) -> str:
        try:
            await salon.book(at(MONDAY, "10:00"), customer_id=customer)
        except BookingError as refused:
            return refused.code
        return "booked"

    results = await asyncio.gather(*(attempt(customer) for customer in customers))

    assert sorted(results) == ["SLOT_TAKEN"] * 19 + ["booked"]
    assert await salon.read(lambda: Appointment.all().count()) == 1
    assert [event for _, event, _ in await salon.events()] == ["booked"]


async def _waiting_on_a_lock(deadline_s: float = 30.0) -> None:
    """Until another connection waits on a row lock while writing appointments."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while True:
        async with get_pool().acquire() as connection:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%appointments%'"
            )
        if waiting:
            return
        if loop.time() > deadline:
            raise AssertionError("the second booking never waited for the first")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("first_outcome", ["commits", "rolls back"])
async def test_the_exclusion_constraint_decides_between_overlapping_transactions(
    salon: Salon, first_outcome: str
) -> None:
    """The second booking cannot see the first (not yet committed), so it passes the service's
    own check and reaches its INSERT: the constraint makes it wait, then refuses it as
    SLOT_TAKEN if the first committed, or lets it through if the first rolled back."""
    first_customer, second_customer = await salon.customer(), await salon.customer()
    first_written, finish_first = asyncio.Event(), asyncio.Event()

    class RolledBack(Exception):
        pass

    async def first() -> None:
        with tenant_context(salon.ref):
            try:
                async with in_transaction():
                    await book_appointment(
                        customer_id=first_customer, service_id=salon.service.id,
                        variant_id=None, staff_id=salon.alice.id,
                        starts_at=at(MONDAY, "10:00"), now=NOW,
                    )  # fmt: skip
                    first_written.set()
                    await finish_first.wait()
                    if first_outcome == "rolls back":
                        raise RolledBack
            except RolledBack:
                pass

    async def second() -> str:
        await first_written.wait()
        try:
            booked = await salon.book(at(MONDAY, "10:30"), customer_id=second_customer)
        except BookingError as refused:
            return refused.code
        return f"booked {booked.starts_at.astimezone(NAIROBI):%H:%M}"

    holder = asyncio.create_task(first())
    contender = asyncio.create_task(second())
    await first_written.wait()
    await _waiting_on_a_lock()
    assert not contender.done()
    finish_first.set()
    await holder

    if first_outcome == "commits":
        assert await contender == "SLOT_TAKEN"
        kept = await salon.read(lambda: Appointment.all())
        assert [a.customer_id for a in kept] == [first_customer]
    else:
        assert await contender == "booked 10:30"
        kept = await salon.read(lambda: Appointment.all())
        assert [a.customer_id for a in kept] == [second_customer]


# Rescheduling, cancelling, the lifecycle --------------------------------------------------


async def test_rescheduling_moves_an_appointment_and_keeps_what_was_booked(salon: Salon) -> None:
    booked = await salon.book(at(MONDAY, "10:00"))
    blocker = await salon.book(at(MONDAY, "14:00"), staff_id=salon.brian.id)
    # A longer service from now on: the appointment keeps its hour.
    await salon.atomic(lambda: update_service(
        service_id=salon.service.id, changes={"duration_minutes": 120}
    ))  # fmt: skip

    def move(clock: str, staff: Staff | None = None) -> Callable[[], Awaitable[Appointment]]:
        return lambda: reschedule_appointment(
            appointment_id=booked.id,
            starts_at=at(MONDAY, clock),
            staff_id=staff.id if staff else None,
            now=NOW,
        )

    overlapping_itself = await salon.atomic(move("10:30"))
    clash = await salon.refused(move("13:30", salon.brian))
    late = await salon.refused(move("16:30"))
    to_brian = await salon.atomic(move("15:00", salon.brian))

    assert (overlapping_itself.starts_at, overlapping_itself.ends_at) == (
        at(MONDAY, "10:30"),
        at(MONDAY, "11:30"),
    )
    assert clash == (C.SLOT_TAKEN, "startsAt", "The staff member is already booked then.")
    assert late == (C.OUTSIDE_HOURS, "startsAt", "That is outside working hours.")
    assert (to_brian.staff_id, to_brian.starts_at, to_brian.ends_at) == (
        salon.brian.id,
        at(MONDAY, "15:00"),
        at(MONDAY, "16:00"),
    )
    rebooked = await salon.book(at(MONDAY, "10:00"))  # Alice's old hour is free again
    assert rebooked.staff_id == salon.alice.id
    moves = [
        (event, payload.get("previous_starts_at"), payload.get("previous_staff_id"))
        for aggregate, event, payload in await salon.events()
        if aggregate == str(booked.id)
    ]
    assert moves == [
        ("booked", None, None),
        ("rescheduled", "2030-06-03T07:00:00+00:00", str(salon.alice.id)),
        ("rescheduled", "2030-06-03T07:30:00+00:00", str(salon.alice.id)),
    ]
    assert blocker.staff_id == salon.brian.id


ENDINGS = {A.CANCELLED: "cancelled", A.COMPLETED: "completed", A.NO_SHOW: "no_show"}
STEP = {
    A.CANCELLED: lambda appointment_id: cancel_appointment(
        appointment_id=appointment_id, reason="Sick"
    ),
    A.COMPLETED: lambda appointment_id: complete_appointment(appointment_id=appointment_id),
    A.NO_SHOW: lambda appointment_id: mark_no_show(appointment_id=appointment_id),
}
CASES = [(source, target) for source in A for target in STEP]


def test_every_status_but_booked_is_final() -> None:
    assert set(NEXT_STATES) == {A.BOOKED}
    assert NEXT_STATES[A.BOOKED] == set(A) - {A.BOOKED} == set(STEP) == set(ENDINGS)


@pytest.mark.parametrize(
    ("source", "target"), CASES, ids=[f"{s.value}->{t.value}" for s, t in CASES]
)
async def test_the_appointment_lifecycle(
    salon: Salon, source: AppointmentStatus, target: AppointmentStatus
) -> None:
    booked = await salon.book(at(MONDAY, "10:00"))
    if source is not A.BOOKED:
        await salon.atomic(lambda: STEP[source](booked.id))
    events = await salon.events()

    if target not in NEXT_STATES.get(source, set()):
        refusal = await salon.refused(lambda: STEP[target](booked.id))
        assert refusal == (
            C.ILLEGAL_TRANSITION,
            "id",
            f"A {source.value} appointment cannot become {target.value}.",
        )
        assert (await salon.read(lambda: Appointment.get(id=booked.id))).status is source
        assert await salon.events() == events
        return

    moved = await salon.atomic(lambda: STEP[target](booked.id))
    stored = await salon.read(lambda: Appointment.get(id=booked.id))
    assert moved.status is stored.status is target
    assert stored.cancel_reason == ("Sick" if target is A.CANCELLED else None)
    (last_aggregate, last_event, payload) = (await salon.events())[-1]
    assert (last_aggregate, last_event, payload["status"]) == (
        str(booked.id),
        ENDINGS[target],
        target.value,
    )
    assert payload.get("reason") == ("Sick" if target is A.CANCELLED else None)
    if target is A.CANCELLED:  # the slot is free again
        assert (await salon.book(at(MONDAY, "10:00"))).staff_id == salon.alice.id


async def test_a_cancellation_needs_a_reason_and_ends_rescheduling(salon: Salon) -> None:
    booked = await salon.book(at(MONDAY, "10:00"))
    for reason in ("", "   ", "x" * 2001):
        assert await salon.refused(
            lambda r=reason: cancel_appointment(appointment_id=booked.id, reason=r)
        ) == (C.INVALID, "reason", "Give a reason.")
    await salon.atomic(lambda: cancel_appointment(appointment_id=booked.id, reason="  Sick "))
    moved = await salon.refused(lambda: reschedule_appointment(
        appointment_id=booked.id, starts_at=at(MONDAY, "12:00"), now=NOW
    ))  # fmt: skip

    assert moved == (
        C.ILLEGAL_TRANSITION,
        "id",
        "A cancelled appointment cannot be rescheduled.",
    )
    assert (await salon.read(lambda: Appointment.get(id=booked.id))).cancel_reason == "Sick"
    ghost = await salon.refused(lambda: complete_appointment(appointment_id=uuid.uuid4()))
    assert ghost == (C.NOT_FOUND, "id", "No such appointment.")


# Hours and closures are checked -----------------------------------------------------------


async def test_hours_and_closures_refuse_what_makes_no_sense(salon: Salon) -> None:
    bad_hours = {
        "inverted": [HoursInterval(1, time(17), time(9))],
        "overlapping": [HoursInterval(1, time(9), time(13)), HoursInterval(1, time(12), time(17))],
        "no such day": [HoursInterval(8, time(9), time(17))],
    }
    for intervals in bad_hours.values():
        code, field, _ = await salon.refused(lambda i=intervals: set_business_hours(intervals=i))
        assert (code, field) == (C.INVALID_HOURS, "hours")

    def closure(**given: Any) -> Callable[[], Awaitable[Any]]:
        spec = {"staff_id": None, "start_date": None, "end_date": None, "starts_at": None,
                "ends_at": None, "reason": ""} | given  # fmt: skip
        return lambda: create_closure(**spec)

    tuesday = MONDAY + timedelta(days=1)
    assert await salon.refused(closure(start_date=MONDAY, end_date=MONDAY,
                                       starts_at=at(MONDAY, "10:00"),
                                       ends_at=at(MONDAY, "11:00"))) == (
        C.INVALID_RANGE, None, "Give either startDate and endDate, or startsAt and endsAt.",
    )  # fmt: skip
    assert await salon.refused(closure(start_date=tuesday, end_date=MONDAY)) == (
        C.INVALID_RANGE, "endDate", "startDate must not follow endDate.",
    )  # fmt: skip
    assert await salon.refused(closure(starts_at=at(MONDAY, "11:00"),
                                       ends_at=at(MONDAY, "11:00"))) == (
        C.INVALID_RANGE, "endsAt", "startsAt must precede endsAt.",
    )  # fmt: skip
    assert await salon.refused(closure(start_date=MONDAY, end_date=MONDAY, reason="x" * 501)) == (
        C.INVALID, "reason", "The reason is too long.",
    )  # fmt: skip
    assert await salon.refused(closure(staff_id=uuid.uuid4(), start_date=MONDAY,
                                       end_date=MONDAY)) == (
        C.NOT_FOUND, "staffId", "No such staff member.",
    )  # fmt: skip
    # Hours unchanged by the refusals: Monday is still open 09:00-17:00.
    found = await salon.slots(at(MONDAY, "00:00"), at(MONDAY, "23:59"), staff_id=salon.alice.id)
    assert salon.starts(found) == quarters("09:00", "16:00")
