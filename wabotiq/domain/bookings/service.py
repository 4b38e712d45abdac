"""Bookable services, their variants and the staff who perform them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, TypedDict
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery

from wabotiq.core.tenant import require_tenant
from wabotiq.db.outbox import emit
from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import Service, ServiceVariant, Staff, StaffService
from wabotiq.tenancy.models import Tenant

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what a price column, numeric(14,2), holds
MAX_MINUTES = 1440


@dataclass(frozen=True, slots=True)
class TenantLocale:
    zone: ZoneInfo
    currency: str


@dataclass(frozen=True, slots=True)
class Price:
    amount: Decimal
    currency: str


class ServiceChanges(TypedDict, total=False):
    code: str
    name: str
    description: str
    duration_minutes: int
    price: Price
    buffer_before_minutes: int
    buffer_after_minutes: int
    lead_time_minutes: int
    active: bool
    tags: Sequence[str]


# The buffers' keys in `ServiceChanges` and their input field names.
BUFFER_FIELDS: tuple[tuple[Literal["buffer_before_minutes", "buffer_after_minutes"], str], ...] = (
    ("buffer_before_minutes", "bufferBeforeMinutes"),
    ("buffer_after_minutes", "bufferAfterMinutes"),
)


class VariantChanges(TypedDict, total=False):
    name: str
    duration_minutes: int | None
    price: Price | None
    position: int


class StaffChanges(TypedDict, total=False):
    name: str
    active: bool
    service_ids: list[uuid.UUID]


async def tenant_locale() -> TenantLocale:
    """The current tenant's time zone and currency."""
    tenant = await Tenant.get(id=require_tenant().id)
    return TenantLocale(zone=ZoneInfo(tenant.timezone), currency=tenant.currency)


def _name(value: str, field: str, max_length: int = 200) -> str:
    value = value.strip()
    if not value or len(value) > max_length:
        raise BookingError(
            BookingErrorCode.INVALID, f"Give 1 to {max_length} characters.", field=field
        )
    return value


def _minutes(value: int, field: str, *, low: int = 0, high: int | None = MAX_MINUTES) -> int:
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BookingError(BookingErrorCode.INVALID, f"Must be {bound} minutes.", field=field)
    return value


async def _amount(price: Price, field: str) -> Decimal:
    currency = (await tenant_locale()).currency
    if price.currency.upper() != currency:
        raise BookingError(
            BookingErrorCode.CURRENCY_MISMATCH, f"Prices are in {currency}.", field=field
        )
    amount = price.amount
    if not amount.is_finite():  # NaN compares with nothing, Infinity has no cents
        raise BookingError(BookingErrorCode.INVALID, "Not an amount.", field=field)
    if not 0 <= amount <= MAX_AMOUNT:
        raise BookingError(
            BookingErrorCode.INVALID, f"Use an amount from 0 to {MAX_AMOUNT}.", field=field
        )
    exact = amount.quantize(CENT)
    if exact != amount:
        raise BookingError(BookingErrorCode.INVALID, "Use an amount in cents.", field=field)
    # abs(): -0 passes the sign check, and the database stores it as 0.00, not -0.00.
    return abs(exact)


async def _check_code(code: str, *, own_id: uuid.UUID | None = None) -> str:
    code = code.strip()
    if not CODE_RE.match(code):
        raise BookingError(
            BookingErrorCode.INVALID, "Use 1-64 of A-Z, a-z, 0-9, '_', '.', '-'.", field="code"
        )
    taken = Service.filter(code=code)
    if own_id is not None:
        taken = taken.exclude(id=own_id)
    if await taken.exists():
        raise BookingError(BookingErrorCode.CODE_TAKEN, f"Code {code!r} is taken.", field="code")
    return code


def _tags(tags: Sequence[str]) -> list[str]:
    """Trimmed, lowercase, unique tags in their order."""
    return list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))


async def _emit(service: Service | uuid.UUID, event_type: str, **payload: str) -> None:
    """Outbox event for the search index and other listeners (same transaction as the change)."""
    if isinstance(service, Service):
        payload["code"] = service.code
        service = service.id
    await emit(
        aggregate_type="service",
        aggregate_id=str(service),
        event_type=event_type,
        payload=payload,
    )


async def get_service(*, service_id: uuid.UUID, field: str = "id") -> Service:
    """One service, archived or not, or NOT_FOUND."""
    service = await Service.get_or_none(id=service_id)
    if service is None:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such service.", field=field)
    return service


async def create_service(
    *,
    code: str,
    name: str,
    description: str,
    duration_minutes: int,
    price: Price,
    buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0,
    lead_time_minutes: int = 0,
    active: bool = True,
    tags: Sequence[str] = (),
) -> Service:
    """Add a bookable service."""
    service = await Service.create(
        id=uuid.uuid4(),
        code=await _check_code(code),
        name=_name(name, "name"),
        description=description.strip(),
        duration_minutes=_minutes(duration_minutes, "durationMinutes", low=1),
        price=await _amount(price, "price"),
        currency=price.currency.upper(),
        buffer_before_minutes=_minutes(buffer_before_minutes, "bufferBeforeMinutes"),
        buffer_after_minutes=_minutes(buffer_after_minutes, "bufferAfterMinutes"),
        lead_time_minutes=_minutes(lead_time_minutes, "leadTimeMinutes", high=None),
        tags=_tags(tags),
        active=active,
    )
    await _emit(service, "created")
    return service


async def update_service(*, service_id: uuid.UUID, changes: ServiceChanges) -> Service:
    """Change a service; fields not in `changes` stay as they are."""
    service = await get_service(service_id=service_id)
    if "code" in changes:
        service.code = await _check_code(changes["code"], own_id=service.id)
    if "name" in changes:
        service.name = _name(changes["name"], "name")
    if "description" in changes:
        service.description = changes["description"].strip()
    if "duration_minutes" in changes:
        service.duration_minutes = _minutes(changes["duration_minutes"], "durationMinutes", low=1)
    if "price" in changes:
        service.price = await _amount(changes["price"], "price")
    for key, field in BUFFER_FIELDS:
        if key in changes:
            setattr(service, key, _minutes(changes[key], field))
    if "lead_time_minutes" in changes:
        service.lead_time_minutes = _minutes(
            changes["lead_time_minutes"], "leadTimeMinutes", high=None
        )
    if "active" in changes:
        service.active = changes["active"]
    if "tags" in changes:
        service.tags = _tags(changes["tags"])
    await service.save()
    await _emit(service, "updated")
    return service


async def archive_service(*, service_id: uuid.UUID) -> Service:
    """Hide a service from listings and availability; its appointments stay."""
    service = await get_service(service_id=service_id)
    if service.archived_at is None:
        service.archived_at = datetime.now(UTC)
        service.active = False
        await service.save(update_fields=["archived_at", "active", "updated_at"])
        await _emit(service, "archived")
    return service


async def list_services(
    *, search: str | None, active: bool | None, include_archived: bool, offset: int, limit: int
) -> tuple[list[Service], int]:
    """A page of services by name, and the total count."""
    query = Service.all()
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    if active is not None:
        query = query.filter(active=active)
    if search and search.strip():
        term = search.strip()
        query = query.filter(Q(name__icontains=term) | Q(code__icontains=term))
    total = await query.count()
    rows = await query.order_by("name", "id").offset(offset).limit(limit)
    return list(rows), total


async def get_variant(*, variant_id: uuid.UUID, field: str = "id") -> ServiceVariant:
    """One service variant, or NOT_FOUND."""
    variant = await ServiceVariant.get_or_none(id=variant_id)
    if variant is None:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such service variant.", field=field)
    return variant


async def create_variant(
    *,
    service_id: uuid.UUID,
    name: str,
    duration_minutes: int | None,
    price: Price | None,
    position: int = 0,
) -> ServiceVariant:
    """Add a variant (e.g. long hair) that may change a service's duration or price."""
    service = await get_service(service_id=service_id, field="serviceId")
    variant = await ServiceVariant.create(
        id=uuid.uuid4(),
        service_id=service.id,
        name=_name(name, "name", 120),
        duration_minutes=(
            None
            if duration_minutes is None
            else _minutes(duration_minutes, "durationMinutes", low=1)
        ),
        price=None if price is None else await _amount(price, "price"),
        position=position,
    )
    await _emit(service.id, "updated", variant_id=str(variant.id))
    return variant


async def update_variant(*, variant_id: uuid.UUID, changes: VariantChanges) -> ServiceVariant:
    """Change a variant; a null duration or price falls back to the service's."""
    variant = await get_variant(variant_id=variant_id)
    if "name" in changes:
        variant.name = _name(changes["name"], "name", 120)
    if "duration_minutes" in changes:
        minutes = changes["duration_minutes"]
        variant.duration_minutes = (
            None if minutes is None else _minutes(minutes, "durationMinutes", low=1)
        )
    if "price" in changes:
        price = changes["price"]
        variant.price = None if price is None else await _amount(price, "price")
    if "position" in changes:
        variant.position = changes["position"]
    await variant.save()
    await _emit(variant.service_id, "updated", variant_id=str(variant.id))
    return variant


async def archive_variant(*, variant_id: uuid.UUID) -> ServiceVariant:
    """Stop offering a variant; its appointments stay."""
    variant = await get_variant(variant_id=variant_id)
    if variant.archived_at is None:
        variant.archived_at = datetime.now(UTC)
        await variant.save(update_fields=["archived_at", "updated_at"])
        await _emit(variant.service_id, "updated", variant_id=str(variant.id))
    return variant


async def get_staff(*, staff_id: uuid.UUID, field: str = "id") -> Staff:
    """One staff member, or NOT_FOUND."""
    staff = await Staff.get_or_none(id=staff_id)
    if staff is None:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such staff member.", field=field)
    return staff


async def _set_staff_services(staff_id: uuid.UUID, service_ids: list[uuid.UUID]) -> None:
    wanted = set(service_ids)
    found = set(await Service.filter(id__in=wanted).values_list("id", flat=True))
    if found != wanted:
        raise BookingError(BookingErrorCode.NOT_FOUND, "No such service.", field="serviceIds")
    await StaffService.filter(staff_id=staff_id).delete()
    await StaffService.bulk_create(
        [StaffService(staff_id=staff_id, service_id=service_id) for service_id in sorted(wanted)]
    )


async def create_staff(*, name: str, active: bool, service_ids: list[uuid.UUID]) -> Staff:
    """Add a staff member and the services they perform; they work the business hours."""
    staff = await Staff.create(id=uuid.uuid4(), name=_name(name, "name"), active=active)
    await _set_staff_services(staff.id, service_ids)
    return staff


async def update_staff(*, staff_id: uuid.UUID, changes: StaffChanges) -> Staff:
    """Change a staff member; `service_ids`, when given, replaces their services."""
    staff = await get_staff(staff_id=staff_id)
    if "name" in changes:
        staff.name = _name(changes["name"], "name")
    if "active" in changes:
        staff.active = changes["active"]
    await staff.save()
    if "service_ids" in changes:
        await _set_staff_services(staff.id, changes["service_ids"])
    return staff


async def list_staff(
    *, service_id: uuid.UUID | None, active: bool | None, offset: int, limit: int
) -> tuple[list[Staff], int]:
    """A page of staff by name, and the total count."""
    query = Staff.all()
    if service_id is not None:
        performers = StaffService.filter(service_id=service_id).values("staff_id")
        query = query.filter(id__in=Subquery(performers))
    if active is not None:
        query = query.filter(active=active)
    total = await query.count()
    rows = await query.order_by("name", "id").offset(offset).limit(limit)
    return list(rows), total


async def performs(*, staff_id: uuid.UUID, service_id: uuid.UUID) -> bool:
    """Whether a staff member performs a service."""
    return await StaffService.filter(staff_id=staff_id, service_id=service_id).exists()
