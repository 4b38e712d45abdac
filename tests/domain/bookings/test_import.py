"""Catalog import of bookings: the demo file's services (with variants), staff and business
hours become bookable, by code and name, idempotently."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import httpx

from tests.conftest import MakeTenant, TenantFixture
from tests.factories.bookings import at, next_monday, ok, slots
from wabotiq.db.connection import get_pool
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog
from wabotiq.tenancy.service import tenant_ref

DEMO = load_demo_catalog()
TABLES = ("services", "service_variants", "staff", "staff_services", "business_hours")

SERVICES = """
{ services(first: 50) {
    totalCount
    nodes { id code name durationMinutes price { amount currency }
            variants { name durationMinutes price { amount currency } } }
} }
"""
STAFF = "{ staff(first: 50) { totalCount nodes { name services { code } } } }"
HOURS = "{ businessHours { weekday opens closes } }"


async def _counts(tenant: TenantFixture) -> dict[str, int]:
    schema = tenant_ref(tenant.provisioned.tenant).schema
    async with get_pool().acquire() as connection:
        return {t: await connection.fetchval(f"SELECT count(*) FROM {schema}.{t}") for t in TABLES}


async def _import(tenant: TenantFixture, data: dict[str, Any]) -> dict[str, Any]:
    report = await import_into_tenant(tenant=tenant_ref(tenant.provisioned.tenant), data=data)
    return report.as_dict()["bookings"]


async def _services(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    found = await ok(client, SERVICES, {}, tenant.key_headers())
    assert found["totalCount"] == len(found["nodes"])
    return {node["code"]: node for node in found["nodes"]}


async def test_the_demo_file_gives_bookable_services_staff_and_hours(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    report = await _import(tenant, DEMO)
    assert (report["services_created"], report["staff_created"]) == (25, 4)
    assert report["variants_created"] == 2
    assert report["business_hours_updated"] == 1

    services = await _services(client, tenant)
    assert set(services) == {s["code"] for s in DEMO["services"]} and len(services) == 25
    cut = services["SV-CUT-MEN"]
    assert (cut["name"], cut["durationMinutes"]) == ("Men's Haircut", 30)
    assert cut["price"] == {"amount": "500.00", "currency": "KES"}
    assert cut["variants"] == []
    assert [
        (v["name"], v["durationMinutes"], v["price"]["amount"])
        for v in services["SV-BRAIDS"]["variants"]
    ] == [
        ("Shoulder length", 180, "3000.00"),
        ("Waist length", 300, "4500.00"),
    ]

    staff = await ok(client, STAFF, {}, tenant.key_headers())
    assert {m["name"]: sorted(s["code"] for s in m["services"]) for m in staff["nodes"]} == {
        m["name"]: sorted(m["services"]) for m in DEMO["business_hours"]["staff"]
    }

    hours = await ok(client, HOURS, {}, tenant.key_headers())
    by_day = {h["weekday"]: (h["opens"][:5], h["closes"][:5]) for h in hours}
    assert by_day["MONDAY"] == ("08:00", "19:00")
    assert by_day["SATURDAY"] == ("09:00", "17:00")
    assert "SUNDAY" not in by_day and len(by_day) == 6

    monday = next_monday()
    found = await slots(client, tenant, cut["id"], at(monday, "00:00"), at(monday, "23:59"))
    assert found and {slot["staff"]["name"] for slot in found} == {"Otieno"}
    assert found[0]["start"] == f"{monday.isoformat()}T08:00:00+03:00"
    assert found[-1]["end"] == f"{monday.isoformat()}T19:00:00+03:00"
    sunday = monday + timedelta(days=6)
    assert await slots(client, tenant, cut["id"], at(sunday, "00:00"), at(sunday, "23:59")) == []


async def test_importing_twice_changes_no_counts(make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    await _import(tenant, DEMO)
    first = await _counts(tenant)
    assert first == {
        "services": 25,
        "service_variants": 2,
        "staff": 4,
        "staff_services": sum(len(m["services"]) for m in DEMO["business_hours"]["staff"]),
        "business_hours": 6,
    }

    again = await _import(tenant, DEMO)

    assert await _counts(tenant) == first
    assert again == {
        "services_created": 0,
        "services_updated": 0,
        "services_unchanged": 25,
        "services_skipped_archived": 0,
        "variants_created": 0,
        "variants_updated": 0,
        "staff_created": 0,
        "staff_updated": 0,
        "business_hours_updated": 0,
    }


async def test_reimport_updates_by_code_and_name_without_duplicates(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await _import(tenant, DEMO)
    before = await _counts(tenant)

    changed = copy.deepcopy(DEMO)
    services = {s["code"]: s for s in changed["services"]}
    services["SV-CUT-MEN"].update(price="600", duration_minutes=45)
    services["SV-BRAIDS"]["variants"][0]["price"] = "3200"
    services["SV-BRAIDS"]["variants"].append({"name": "Jumbo", "price": "2500"})
    staff = {m["name"]: m for m in changed["business_hours"]["staff"]}
    staff["Otieno"]["services"] = ["SV-CUT-MEN", "SV-SHAVE", "SV-BEARD"]
    del changed["business_hours"]["weekly"]  # no weekly hours: the current ones stay
    report = await _import(tenant, changed)

    assert (report["services_created"], report["services_updated"]) == (0, 2)
    assert (report["variants_created"], report["variants_updated"]) == (1, 1)
    assert (report["staff_created"], report["staff_updated"]) == (0, 1)
    assert report["business_hours_updated"] == 0
    assert await _counts(tenant) == before | {
        "service_variants": before["service_variants"] + 1,
        "staff_services": before["staff_services"] + 2,
    }
    found = await _services(client, tenant)
    assert found["SV-CUT-MEN"]["durationMinutes"] == 45
    assert found["SV-CUT-MEN"]["price"]["amount"] == "600.00"
    assert [(v["name"], v["price"]["amount"]) for v in found["SV-BRAIDS"]["variants"]] == [
        ("Shoulder length", "3200.00"),
        ("Waist length", "4500.00"),
        ("Jumbo", "2500.00"),
    ]
    members = await ok(client, STAFF, {}, tenant.key_headers())
    otieno = next(m for m in members["nodes"] if m["name"] == "Otieno")
    assert sorted(s["code"] for s in otieno["services"]) == ["SV-BEARD", "SV-CUT-MEN", "SV-SHAVE"]
    # The changed file is now the state: a third import changes nothing.
    third = await _import(tenant, changed)
    assert third["services_unchanged"] == 25 and third["staff_updated"] == 0


async def test_a_file_without_business_hours_leaves_them_alone(make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    await _import(tenant, DEMO)
    bare = {k: v for k, v in DEMO.items() if k != "business_hours"}
    report = await _import(tenant, bare)
    assert report["business_hours_updated"] == 0
    counts = await _counts(tenant)
    assert (counts["business_hours"], counts["staff"]) == (6, 4)
