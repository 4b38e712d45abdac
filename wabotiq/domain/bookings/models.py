"""Bookings tables of a tenant schema: services, staff, hours, closures and appointments."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class Service(Model):
    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    duration_minutes = fields.IntField()
    price = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    buffer_before_minutes = fields.IntField(default=0)
    buffer_after_minutes = fields.IntField(default=0)
    lead_time_minutes = fields.IntField(default=0)
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "services"


class ServiceVariant(Model):
    id = fields.UUIDField(primary_key=True)
    service_id = fields.UUIDField()
    name = fields.CharField(max_length=120)
    duration_minutes = fields.IntField(null=True)
    price = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    position = fields.IntField(default=0)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_variants"


class Staff(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    active = fields.BooleanField(default=True)
    uses_business_hours = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "staff"


class StaffService(Model):
    id = fields.BigIntField(primary_key=True)
    staff_id = fields.UUIDField()
    service_id = fields.UUIDField()

    class Meta:
        table = "staff_services"


class BusinessHours(Model):
    """One opening interval of the business on a weekday (ISO: 1 is Monday)."""

    id = fields.BigIntField(primary_key=True)
    weekday = fields.SmallIntField()
    opens_at = fields.TimeField()
    closes_at = fields.TimeField()

    class Meta:
        table = "business_hours"


class StaffHours(Model):
    """One working interval of a staff member who does not follow the business hours."""

    id = fields.BigIntField(primary_key=True)
    staff_id = fields.UUIDField()
    weekday = fields.SmallIntField()
    opens_at = fields.TimeField()
    closes_at = fields.TimeField()

    class Meta:
        table = "staff_hours"


class Closure(Model):
    """Whole days (`start_date`..`end_date`, inclusive, in the tenant's time zone) or an exact
    period (`starts_at`..`ends_at`) when the business (`staff_id` null) or one member is off."""

    id = fields.UUIDField(primary_key=True)
    staff_id = fields.UUIDField(null=True)
    start_date = fields.DateField(null=True)
    end_date = fields.DateField(null=True)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "closures"


class Appointment(Model):
    id = fields.UUIDField(primary_key=True)
    customer_id = fields.UUIDField()
    service_id = fields.UUIDField()
    variant_id = fields.UUIDField(null=True)
    staff_id = fields.UUIDField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    buffer_before_minutes = fields.IntField(default=0)
    buffer_after_minutes = fields.IntField(default=0)
    price = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.BOOKED
    )
    cancel_reason = fields.TextField(null=True)
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "appointments"


register_models("tenant", __name__)
