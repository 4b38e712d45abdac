"""Every bookings list field issues as many SQL statements for 50 items as for 5."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.bookings import NAIROBI, at, next_monday, ok
from wabotiq.core.tenant import TenantRef, schema_for, tenant_context
from wabotiq.domain.bookings import appointments, schedule, service
from wabotiq.domain.customers.models import Customer
from wabotiq.graphql.relay import to_global_id

SERVICES_PAGE = """
query($first: Int!) {
  services(first: $first) {
    totalCount
    nodes {
      id name price { amount }
      variants { name price { amount } service { code } }
      staff { name workingHours { weekday opens } services { code } }
    }
  }
}
"""
STAFF_PAGE = """
query($first: Int!) {
  staff(first: $first) {
    totalCount
    nodes { name services { code variants { name } } workingHours { weekday opens closes } }
  }
}
"""
APPOINTMENTS_PAGE = """
query($first: Int!) {
  appointments(first: $first) {
    totalCount
    nodes {
      status startsAt service { name } variant { name } staff { name services { code } }
      customer { name }
    }
  }
}
"""
CLOSURES_PAGE = """
query($first: Int!) {
  closures(first: $first) { totalCount nodes { reason staff { name services { code } } } }
}
"""
AVAILABILITY = """
query($serviceId: ID!, $from: DateTime!, $to: DateTime!) {
  availability(serviceId: $serviceId, from: $from, to: $to) {
    start staff { name workingHours { weekday } services { code } }
  }
}
"""

MONDAY = next_monday()


async def populate(tenant: TenantFixture, size: int) -> str:
    """`size` services (two variants each), staff, customers, appointments and closures, made
    through the domain's own services (setup, not what is tested); returns a service's ID."""
    price = service.Price(amount=Decimal("100.00"), currency="KES")
    with tenant_context(TenantRef(id=tenant.id, schema=schema_for(tenant.id))):
        async with in_transaction():
            await schedule.set_business_hours(
                intervals=[schedule.HoursInterval(1, time(8), time(20))]
            )
            made = [
                await service.create_service(
                    code=f"S{i}",
                    name=f"Service {i}",
                    description="",
                    duration_minutes=15,
                    price=price,
                )
                for i in range(size)
            ]
            for item in made:
                for name in ("Short", "Long"):
                    await service.create_variant(
                        service_id=item.id, name=name, duration_minutes=None, price=price
                    )
            for i in range(size):
                staff = await service.create_staff(
                    name=f"Staff {i}", active=True, service_ids=[made[i].id, made[0].id]
                )
                if i % 2:
                    await schedule.set_staff_hours(
                        staff_id=staff.id,
                        intervals=[schedule.HoursInterval(1, time(8), time(20))],
                    )
                customer = await Customer.create(
                    id=uuid.uuid4(),
                    phone_encrypted="dummy",
                    phone_hash=uuid.uuid4().hex,
                    name=f"Customer {i}",
                )
                start = datetime.combine(MONDAY, time(8), tzinfo=NAIROBI) + timedelta(minutes=15)
                await appointments.book_appointment(
                    customer_id=customer.id,
                    service_id=made[i].id,
                    variant_id=None,
                    staff_id=staff.id,
                    starts_at=start.astimezone(UTC),
                )
                await schedule.create_closure(
                    staff_id=staff.id,
                    start_date=None,
                    end_date=None,
                    starts_at=start + timedelta(hours=10),
                    ends_at=start + timedelta(hours=11),
                    reason=f"Break {i}",
                )
    return to_global_id("Service", made[0].id)


async def counted(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    count_statements: Callable[[], Any],
    query: str,
    variables: dict[str, Any],
) -> tuple[int, dict[str, Any]]:
    await ok(client, query, variables, tenant.key_headers())  # the key's last use is recorded
    with count_statements() as statements:
        data = await ok(client, query, variables, tenant.key_headers())
    return len(statements), data


@pytest.fixture
async def tenants(client: httpx.AsyncClient, make_tenant: MakeTenant) -> dict[int, Any]:
    found = {}
    for size in (5, 50):
        tenant = await make_tenant()
        found[size] = (tenant, await populate(tenant, size))
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SERVICES_PAGE, 11),
        (STAFF_PAGE, 8),
        (APPOINTMENTS_PAGE, 8),
        (CLOSURES_PAGE, 6),
    ],
    ids=["services", "staff", "appointments", "closures"],
)
async def test_pages_take_the_same_statements_for_5_and_50_items(
    client: httpx.AsyncClient,
    tenants: dict[int, Any],
    count_statements: Callable[[], Any],
    query: str,
    expected: int,
):
    counts = {}
    for size, (tenant, _) in tenants.items():
        counts[size], data = await counted(client, tenant, count_statements, query, {"first": size})
        assert len(data["nodes"]) == size

    assert counts == {5: expected, 50: expected}


async def test_availability_takes_the_same_statements_for_5_and_50_staff(
    client: httpx.AsyncClient, tenants: dict[int, Any], count_statements: Callable[[], Any]
):
    counts = {}
    for size, (tenant, service_id) in tenants.items():
        window = {"serviceId": service_id, "from": at(MONDAY, "08:00"), "to": at(MONDAY, "20:00")}
        counts[size], slots = await counted(client, tenant, count_statements, AVAILABILITY, window)
        assert len({slot["staff"]["name"] for slot in slots}) == size

    assert counts == {5: 13, 50: 13}
