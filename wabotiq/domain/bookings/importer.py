"""Import the `services` and `business_hours` sections of a catalog file (the format of
`wabotiq/data/demo_catalog.json`), idempotently: services by code, variants by name within
their service, staff by name; a second run changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from wabotiq.domain.bookings.errors import BookingError, BookingErrorCode
from wabotiq.domain.bookings.models import Service, ServiceVariant, Staff, StaffService
from wabotiq.domain.bookings.schedule import HoursInterval, business_hours, set_business_hours
from wabotiq.domain.bookings.service import (
    Price,
    ServiceChanges,
    VariantChanges,
    create_service,
    create_staff,
    create_variant,
    tenant_locale,
    update_service,
    update_staff,
    update_variant,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(slots=True)
class BookingsImportReport:
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    services_skipped_archived: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    staff_created: int = 0
    staff_updated: int = 0
    business_hours_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "services_created": self.services_created,
            "services_updated": self.services_updated,
            "services_unchanged": self.services_unchanged,
            "services_skipped_archived": self.services_skipped_archived,
            "variants_created": self.variants_created,
            "variants_updated": self.variants_updated,
            "staff_created": self.staff_created,
            "staff_updated": self.staff_updated,
            "business_hours_updated": self.business_hours_updated,
        }


def _bad(where: str, message: str) -> BookingError:
    return BookingError(BookingErrorCode.INVALID, f"{where}: {message}", field="file")


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _bad(where, f"{value!r} is not an amount") from exc


def _minutes(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, f"{value!r} is not a number of minutes")
    return value


def _tags(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise _bad(where, "tags must be a list of strings")
    return list(dict.fromkeys(tag.strip().lower() for tag in value if tag.strip()))


def _located(exc: BookingError, where: str) -> BookingError:
    """A service-layer refusal, restated with where in the file it comes from."""
    name = f".{exc.field}" if exc.field else ""
    return BookingError(exc.code, f"{where}{name}: {exc.message}", field="file")


def _weekly(weekly: Any) -> list[HoursInterval]:
    if not isinstance(weekly, Mapping):
        raise _bad("business_hours.weekly", "not an object")
    intervals = []
    for number, day in enumerate(WEEKDAYS, start=1):
        span = weekly.get(day)
        if span is None:
            continue  # closed
        if not isinstance(span, list | tuple) or len(span) != 2:
            raise _bad(f"business_hours.weekly.{day}", "give [opens, closes] or null")
        try:
            opens, closes = (time.fromisoformat(str(clock)) for clock in span)
        except ValueError as exc:
            raise _bad(f"business_hours.weekly.{day}", "times are HH:MM") from exc
        intervals.append(HoursInterval(number, opens, closes))
    return intervals


class _Importer:
    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.report = BookingsImportReport()
        self.service_ids: dict[str, uuid.UUID] = {}

    def _price(self, item: Mapping[str, Any], amount: Decimal, currency: Any) -> Price:
        return Price(amount=amount, currency=str(currency or item.get("currency") or self.currency))

    async def service(self, item: Mapping[str, Any], where: str) -> None:
        code, name = item.get("code"), item.get("name")
        amount = _amount(item.get("price"), where)
        duration = _minutes(item.get("duration_minutes"), where)
        if not code or not name or amount is None or duration is None:
            raise _bad(where, "code, name, duration_minutes and price are required")
        price = self._price(item, amount, None)
        existing = await Service.get_or_none(code=str(code).strip())
        if existing is not None and existing.archived_at is not None:
            self.service_ids[existing.code] = existing.id  # staff may still name it
            self.report.services_skipped_archived += 1
            return
        changed = False
        if existing is None:
            service = await create_service(
                code=str(code),
                name=str(name),
                description=str(item.get("description") or ""),
                duration_minutes=duration,
                price=price,
                tags=_tags(item.get("tags"), where),
            )
            self.report.services_created += 1
        else:
            service, changed = await self._update(existing, item, duration, price)
        self.service_ids[service.code] = service.id
        changed = await self._variants(service, item, where) or changed
        if existing is not None:
            self.report.services_updated += changed
            self.report.services_unchanged += not changed

    async def _update(
        self, service: Service, item: Mapping[str, Any], duration: int, price: Price
    ) -> tuple[Service, bool]:
        wanted: ServiceChanges = {
            "name": str(item["name"]).strip(),
            "description": str(item.get("description") or "").strip(),
            "duration_minutes": duration,
            "tags": _tags(item.get("tags"), ""),
        }
        # The entries of `wanted` that differ (part of a ServiceChanges is one).
        changes = cast(
            ServiceChanges, {k: v for k, v in wanted.items() if getattr(service, k) != v}
        )
        if service.price != price.amount or service.currency != price.currency.upper():
            changes["price"] = price
        if not changes:
            return service, False
        return await update_service(service_id=service.id, changes=changes), True

    async def _variants(self, service: Service, item: Mapping[str, Any], where: str) -> bool:
        variants = item.get("variants") or []
        if not isinstance(variants, list):
            raise _bad(where, "`variants` is not a list")
        known: dict[str, ServiceVariant] = {}
        for row in await ServiceVariant.filter(service_id=service.id).order_by("created_at"):
            if row.name not in known or known[row.name].archived_at is not None:
                known[row.name] = row  # a live variant wins over an archived one of its name
        changed = False
        for position, variant in enumerate(variants):
            at = f"{where}.variants[{position}]"
            if not isinstance(variant, Mapping) or not variant.get("name"):
                raise _bad(at, "a variant needs a name")
            amount = _amount(variant.get("price"), at)
            price = None if amount is None else self._price(item, amount, variant.get("currency"))
            duration = _minutes(variant.get("duration_minutes"), at)
            try:
                existing = known.get(str(variant["name"]).strip())
                if existing is None:
                    await create_variant(
                        service_id=service.id,
                        name=str(variant["name"]),
                        duration_minutes=duration,
                        price=price,
                        position=position,
                    )
                    self.report.variants_created += 1
                    changed = True
                elif existing.archived_at is None:
                    changes: VariantChanges = {}
                    if existing.duration_minutes != duration:
                        changes["duration_minutes"] = duration
                    if existing.price != amount:
                        changes["price"] = price
                    if existing.position != position:
                        changes["position"] = position
                    if changes:
                        await update_variant(variant_id=existing.id, changes=changes)
                        self.report.variants_updated += 1
                        changed = True
            except BookingError as exc:
                raise _located(exc, at) from exc
        return changed

    async def staff(self, item: Mapping[str, Any], where: str) -> None:
        name = str(item.get("name") or "").strip()
        codes = item.get("services") or []
        if not name or not isinstance(codes, list):
            raise _bad(where, "a staff member needs a name and a list of service codes")
        missing = [c for c in codes if str(c) not in self.service_ids]
        found = dict(
            await Service.filter(code__in=[str(c) for c in missing]).values_list("code", "id")
        )
        self.service_ids.update(found)
        unknown = [c for c in missing if str(c) not in found]
        if unknown:
            raise BookingError(
                BookingErrorCode.NOT_FOUND, f"{where}: no service {unknown[0]!r}", field="file"
            )
        wanted = sorted({self.service_ids[str(c)] for c in codes})
        existing = await Staff.filter(name=name).order_by("created_at").first()
        if existing is None:
            await create_staff(name=name, active=True, service_ids=wanted)
            self.report.staff_created += 1
            return
        current = sorted(
            await StaffService.filter(staff_id=existing.id).values_list("service_id", flat=True)
        )
        if current != wanted:
            await update_staff(staff_id=existing.id, changes={"service_ids": wanted})
            self.report.staff_updated += 1


async def import_bookings(*, data: Mapping[str, Any]) -> BookingsImportReport:
    """Create or update the services, staff and business hours of a catalog file."""
    importer = _Importer((await tenant_locale()).currency)
    services = data.get("services") or []
    if not isinstance(services, list):
        raise _bad("services", "not a list")
    for index, item in enumerate(services):
        where = f"services[{index}]"
        if not isinstance(item, Mapping):
            raise _bad(where, "not an object")
        try:
            await importer.service(item, where)
        except BookingError as exc:
            if exc.field == "file":
                raise
            raise _located(exc, where) from exc
    section = data.get("business_hours")
    if section is None:
        return importer.report
    if not isinstance(section, Mapping):
        raise _bad("business_hours", "not an object")
    if section.get("weekly") is not None:
        intervals = _weekly(section["weekly"])
        if await business_hours() != intervals:
            try:
                await set_business_hours(intervals=intervals)
            except BookingError as exc:
                raise _located(exc, "business_hours.weekly") from exc
            importer.report.business_hours_updated = 1
    staff = section.get("staff") or []
    if not isinstance(staff, list):
        raise _bad("business_hours.staff", "not a list")
    for index, item in enumerate(staff):
        where = f"business_hours.staff[{index}]"
        if not isinstance(item, Mapping):
            raise _bad(where, "not an object")
        try:
            await importer.staff(item, where)
        except BookingError as exc:
            if exc.field == "file":
                raise
            raise _located(exc, where) from exc
    return importer.report
