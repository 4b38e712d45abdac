"""GraphQL inputs and filters of bookings."""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry

from wabotiq.graphql.money import MoneyInput
from wabotiq.resolvers.bookings.types import AppointmentStatus, Weekday


@strawberry.input(description="A new bookable service.")
class ServiceCreateInput:
    code: str = strawberry.field(description="A short code, unique within the tenant.")
    name: str = strawberry.field(description="The service's name.")
    description: str = strawberry.field(default="", description="What the service is.")
    duration_minutes: int = strawberry.field(description="How long it takes (1 to 1440).")
    price: MoneyInput = strawberry.field(description="What it costs, in the tenant's currency.")
    buffer_before_minutes: int = strawberry.field(
        default=0, description="Time kept free before each appointment."
    )
    buffer_after_minutes: int = strawberry.field(
        default=0, description="Time kept free after each appointment."
    )
    lead_time_minutes: int = strawberry.field(
        default=0, description="How long in advance it must be booked."
    )
    active: bool = strawberry.field(default=True, description="Offered for booking.")
    tags: list[str] = strawberry.field(
        default_factory=list,
        description="Words customers use for it (e.g. 'kinyozi'); search matches them.",
    )


@strawberry.input(description="Changes to a service; omitted fields stay as they are.")
class ServiceUpdateInput:
    id: strawberry.ID = strawberry.field(description="The service to change.")
    code: str | None = strawberry.field(default=None, description="A new code.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    description: str | None = strawberry.field(default=None, description="A new description.")
    duration_minutes: int | None = strawberry.field(default=None, description="A new duration.")
    price: MoneyInput | None = strawberry.field(default=None, description="A new price.")
    buffer_before_minutes: int | None = strawberry.field(
        default=None, description="A new buffer before."
    )
    buffer_after_minutes: int | None = strawberry.field(
        default=None, description="A new buffer after."
    )
    lead_time_minutes: int | None = strawberry.field(default=None, description="A new lead time.")
    active: bool | None = strawberry.field(
        default=None, description="Offer (true) or stop offering (false) it."
    )
    tags: list[str] | None = strawberry.field(default=None, description="New tags (replace).")


@strawberry.input(description="A new variant of a service.")
class ServiceVariantCreateInput:
    service_id: strawberry.ID = strawberry.field(description="The service.")
    name: str = strawberry.field(description="What sets it apart, e.g. 'Long hair'.")
    duration_minutes: int | None = strawberry.field(
        default=None, description="How long it takes; null for the service's duration."
    )
    price: MoneyInput | None = strawberry.field(
        default=None, description="What it costs; null for the service's price."
    )
    position: int = strawberry.field(default=0, description="Where it sorts among variants.")


@strawberry.input(
    description="Changes to a variant; omitted fields stay, null duration or price falls back "
    "to the service's."
)
class ServiceVariantUpdateInput:
    id: strawberry.ID = strawberry.field(description="The variant to change.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    duration_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description="A new duration; null for the service's."
    )
    price: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new price; null for the service's."
    )
    position: int | None = strawberry.field(default=None, description="A new position.")


@strawberry.input(description="A new staff member.")
class StaffCreateInput:
    name: str = strawberry.field(description="Their name.")
    active: bool = strawberry.field(default=True, description="Takes bookings.")
    service_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The services they perform."
    )


@strawberry.input(description="Changes to a staff member; omitted fields stay as they are.")
class StaffUpdateInput:
    id: strawberry.ID = strawberry.field(description="The staff member to change.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    active: bool | None = strawberry.field(
        default=None, description="Take (true) or stop taking (false) bookings."
    )
    service_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The services they perform, replacing the old."
    )


@strawberry.input(description="Open from `opens` to `closes` on a weekday, local time.")
class WorkingHoursInput:
    weekday: Weekday = strawberry.field(description="The day of the week.")
    opens: time = strawberry.field(description="Opening time, e.g. 09:00.")
    closes: time = strawberry.field(description="Closing time, after opening, e.g. 17:30.")


@strawberry.input(description="The business's whole weekly schedule.")
class BusinessHoursSetInput:
    hours: list[WorkingHoursInput] = strawberry.field(
        description="Every opening interval of the week (several a day allowed, not overlapping); "
        "a day without any is closed."
    )


@strawberry.input(description="A staff member's own weekly schedule.")
class StaffHoursSetInput:
    staff_id: strawberry.ID = strawberry.field(description="The staff member.")
    hours: list[WorkingHoursInput] | None = strawberry.field(
        default=None,
        description="Every working interval of their week; null to follow the business hours.",
    )


@strawberry.input(
    description="A closure: give startDate and endDate (whole local days) or startsAt and endsAt."
)
class ClosureCreateInput:
    staff_id: strawberry.ID | None = strawberry.field(
        default=None, description="The staff member who is off; null to close the business."
    )
    start_date: date | None = strawberry.field(default=None, description="First closed day.")
    end_date: date | None = strawberry.field(
        default=None, description="Last closed day, inclusive."
    )
    starts_at: datetime | None = strawberry.field(
        default=None, description="Start of a closed period."
    )
    ends_at: datetime | None = strawberry.field(default=None, description="End of the period.")
    reason: str = strawberry.field(default="", description="Why, e.g. 'Public holiday'.")


@strawberry.input(description="An appointment to book.")
class AppointmentBookInput:
    customer_id: strawberry.ID = strawberry.field(description="Who it is for.")
    service_id: strawberry.ID = strawberry.field(description="The service.")
    variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The variant of the service, if any."
    )
    staff_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who performs it; null for the first free staff member."
    )
    starts_at: datetime = strawberry.field(description="When it starts.")
    notes: str = strawberry.field(default="", description="Notes for the staff.")


@strawberry.input(description="A new time (and perhaps staff member) for an appointment.")
class AppointmentRescheduleInput:
    id: strawberry.ID = strawberry.field(description="The appointment.")
    starts_at: datetime = strawberry.field(description="The new start.")
    staff_id: strawberry.ID | None = strawberry.field(
        default=None, description="Another staff member; null to keep the current one."
    )


@strawberry.input(description="An appointment to cancel.")
class AppointmentCancelInput:
    id: strawberry.ID = strawberry.field(description="The appointment.")
    reason: str = strawberry.field(description="Why it is cancelled.")


@strawberry.input(description="Which services to list.")
class ServiceFilter:
    search: str | None = strawberry.field(
        default=None, description="Only services whose name or code contains this."
    )
    active: bool | None = strawberry.field(
        default=None, description="Only offered (true) or not offered (false) services."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Include retired services."
    )


@strawberry.input(description="Which staff to list.")
class StaffFilter:
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only those who perform this service."
    )
    active: bool | None = strawberry.field(
        default=None, description="Only active (true) or inactive (false) staff."
    )


@strawberry.input(description="Which appointments to list.")
class AppointmentFilter:
    statuses: list[AppointmentStatus] | None = strawberry.field(
        default=None, description="Only appointments in one of these states."
    )
    staff_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this staff member's."
    )
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only of this service."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this customer's."
    )
    starts_from: datetime | None = strawberry.field(
        default=None, description="Only those starting at or after this time."
    )
    starts_before: datetime | None = strawberry.field(
        default=None, description="Only those starting before this time."
    )
