"""The fast executor against graphql-core's on the app's real schema: recorded dashboard
operations (data/dashboard_queries.graphql, their cases in data/dashboard_queries.json) run over
HTTP through two apps that differ only in `fast_executor`, against one tenant seeded with real
data, and their whole responses must be equal: data, errors with their messages, paths,
locations and extensions, and the response extensions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from tests.conftest import MakeTenant, TenantFixture, bearer_headers, gql
from wabotiq.app import create_app
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.db.outbox import OutboxEvent
from wabotiq.domain.catalog.importer import import_into_tenant, load_demo_catalog
from wabotiq.graphql.executor import _SHARED, FastExecutionContext
from wabotiq.search.runtime import get_engine

DATA = Path(__file__).parent / "data"
DOCUMENT = parse((DATA / "dashboard_queries.graphql").read_text())
CASES: list[dict[str, Any]] = json.loads((DATA / "dashboard_queries.json").read_text())
NAIROBI = ZoneInfo("Africa/Nairobi")


# The recorded operations ------------------------------------------------------------------


def _operations(document: DocumentNode) -> dict[str, str]:
    """Each operation's text with the fragments it spreads, as a client posts it."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }

    def spread(node: Any) -> set[str]:
        found: set[str] = set()

        class Spreads(Visitor):
            def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
                found.add(spread.name.value)

        visit(node, Spreads())
        return found

    texts = {}
    for node in document.definitions:
        if isinstance(node, OperationDefinitionNode) and node.name:
            needed, todo = set(), spread(node)
            while todo:
                name = todo.pop()
                if name not in needed:
                    needed.add(name)
                    todo |= spread(fragments[name])
            parts = [node, *(fragments[name] for name in sorted(needed))]
            texts[node.name.value] = "\n\n".join(print_ast(part) for part in parts)
    return texts


OPERATIONS = _operations(DOCUMENT)


def test_every_recorded_operation_has_a_case_and_every_case_an_operation() -> None:
    used = {case["operation"] for case in CASES}
    assert used == set(OPERATIONS)
    assert len({case["case"] for case in CASES}) == len(CASES)


# Two apps, one setting apart --------------------------------------------------------------


@asynccontextmanager
async def _app_client(
    settings: Settings, database_url: str, *, fast: bool
) -> AsyncIterator[httpx.AsyncClient]:
    # A restore rate this high refills every budget between requests: the throttle status in
    # `extensions.cost` is then the same on both apps, not a function of the time between them.
    changed = settings.model_copy(update={"fast_executor": fast, "cost_restore_rate": 1e12})
    app = create_app(changed, database_url=database_url, manage_db=False)
    route = next(r for r in app.routes if getattr(r, "path", "") == "/graphql")
    schema = route.endpoint.schema  # type: ignore[attr-defined]
    assert issubclass(schema.execution_context_class, FastExecutionContext) is fast
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


# The seeded tenant ------------------------------------------------------------------------


def _data(body: dict[str, Any], *path: str | int) -> Any:
    assert not body.get("errors"), body
    value: Any = body["data"]
    for step in path:
        value = value[step]
    return value


async def _done(
    client: httpx.AsyncClient, headers: dict[str, str], mutation: str, **variables: Any
) -> dict[str, Any]:
    body = await gql(client, mutation, variables, headers)
    (payload,) = _data(body).values()
    assert payload["userErrors"] == [], payload
    return payload  # type: ignore[no-any-return]


def _next_monday() -> date:
    today = datetime.now(NAIROBI).date()
    return today + timedelta(days=14 + (7 - today.weekday()) % 7)


def _at(day: date, clock: str) -> str:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=NAIROBI).isoformat()


async def _lookup(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """Global IDs of imported rows the seed and the cases refer to."""
    body = await gql(
        client,
        """{
          categories(first: 50) { nodes { id name } }
          products(first: 5, filter: {search: "PH-SAM-A54"}) {
            nodes { id sku variants { id sku } }
          }
          cheap: products(first: 1, filter: {search: "AC-CBL-USBC"}) { nodes { id } }
          cable: products(first: 1, filter: {search: "AC-CBL-MICRO"}) { nodes { id } }
          services(first: 50) { nodes { id code staff { id name } } }
        }""",
        headers=headers,
    )
    data = _data(body)
    a54 = next(p for p in data["products"]["nodes"] if p["sku"] == "PH-SAM-A54")
    braids = next(s for s in data["services"]["nodes"] if s["code"] == "SV-BRAIDS")
    return {
        "phones": next(c["id"] for c in data["categories"]["nodes"] if c["name"] == "Phones"),
        "product": a54["id"],
        "variant": next(v["id"] for v in a54["variants"] if v["sku"] == "PH-SAM-A54-BLK"),
        "cheap": data["cheap"]["nodes"][0]["id"],
        "cable": data["cable"]["nodes"][0]["id"],
        "service": braids["id"],
        "staff": braids["staff"][0]["id"],
    }


CUSTOMER = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id } userErrors { code } } }"""
ADD = """mutation($c: ID!, $p: ID!, $v: ID, $q: Int!) {
  cartAddLine(input: {customerId: $c, productId: $p, variantId: $v, quantity: $q}) {
    cart { id } userErrors { code } } }"""
CHECKOUT = """mutation($c: ID!) {
  checkout(input: {customerId: $c}) { order { id } userErrors { code } } }"""
STATUS = """mutation($id: ID!, $status: OrderStatus!) {
  orderUpdateStatus(input: {id: $id, status: $status, note: "packed"}) {
    order { id } userErrors { code } } }"""
PAID = """mutation($id: ID!) {
  orderMarkPaid(input: {id: $id, note: "M-Pesa QK7XYZ"}) { order { id } userErrors { code } } }"""
CANCEL = """mutation($id: ID!) {
  orderCancel(input: {id: $id, reason: "changed mind"}) { order { id } userErrors { code } } }"""
CATEGORY = """mutation($parent: ID!) {
  categoryCreate(input: {name: "Smartphones", parentId: $parent}) {
    category { id } userErrors { code } } }"""
PRODUCT = """mutation($id: ID!, $category: ID!) {
  productUpdate(input: {id: $id, categoryId: $category,
                        salePrice: {amount: "39999.50", currency: "KES"}}) {
    product { id } userErrors { code } } }"""
BOOK = """mutation($input: AppointmentBookInput!) {
  appointmentBook(input: $input) { appointment { id } userErrors { code } } }"""
UNBOOK = """mutation($id: ID!) {
  appointmentCancel(input: {id: $id, reason: "Mteja amesafiri"}) {
    appointment { id } userErrors { code } } }"""
CLOSURE = """mutation($input: ClosureCreateInput!) {
  closureCreate(input: $input) { closure { id } userErrors { code } } }"""
KEY = """mutation {
  apiKeyCreate(input: {name: "Partner shop", scopes: ["orders:view"]}) {
    secret userErrors { code } } }"""


async def _orders(client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, Any]) -> None:
    """Three customers: one paid order in processing, one cancelled order, one open cart."""
    people = {
        "customer": {"phone": "0712 345 678", "name": "Wanjiku Kamau",
                     "preferredLanguage": "Kiswahili", "tags": ["vip"], "notes": "Prefers M-Pesa"},
        "other": {"phone": "+254 722 000 111", "name": "Otieno Odhiambo"},
        "cartCustomer": {"phone": "0733000222", "name": "Akinyi", "preferredLanguage": "sheng",
                         "optedOut": True},
    }  # fmt: skip
    for key, person in people.items():
        made = await _done(client, headers, CUSTOMER, input=person)
        ids[key] = made["customer"]["id"]
    await _done(client, headers, ADD, c=ids["customer"], p=ids["product"], v=ids["variant"], q=1)
    await _done(client, headers, ADD, c=ids["customer"], p=ids["cheap"], v=None, q=2)
    ids["order"] = (await _done(client, headers, CHECKOUT, c=ids["customer"]))["order"]["id"]
    await _done(client, headers, PAID, id=ids["order"])
    await _done(client, headers, STATUS, id=ids["order"], status="PROCESSING")
    await _done(client, headers, ADD, c=ids["other"], p=ids["cable"], v=None, q=3)
    cancelled = (await _done(client, headers, CHECKOUT, c=ids["other"]))["order"]["id"]
    await _done(client, headers, CANCEL, id=cancelled)
    await _done(client, headers, ADD, c=ids["cartCustomer"], p=ids["cheap"], v=None, q=1)
    await _done(client, headers, ADD, c=ids["cartCustomer"], p=ids["cable"], v=None, q=4)
    refused = await gql(
        client, ADD, {"c": ids["other"], "p": ids["cheap"], "v": None, "q": 0}, headers
    )
    assert _data(refused, "cartAddLine", "userErrors") == [{"code": "INVALID"}]


async def _bookings(
    client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, Any]
) -> None:
    """A booked appointment, a cancelled one, a staff closure."""
    monday = _next_monday()
    booking = {"serviceId": ids["service"], "staffId": ids["staff"]}
    first = {"customerId": ids["customer"], "startsAt": _at(monday, "09:00"), "notes": "Long"}
    kept = await _done(client, headers, BOOK, input=booking | first)
    assert kept["appointment"]["id"]
    second = {"customerId": ids["other"], "startsAt": _at(monday, "14:00")}
    dropped = await _done(client, headers, BOOK, input=booking | second)
    await _done(client, headers, UNBOOK, id=dropped["appointment"]["id"])
    tuesday = monday + timedelta(days=1)
    closure = {"startsAt": _at(tuesday, "12:00"), "endsAt": _at(tuesday, "15:00")}
    await _done(
        client, headers, CLOSURE, input=closure | {"staffId": ids["staff"], "reason": "Training"}
    )
    ids["from"], ids["to"] = _at(monday, "08:00"), _at(tuesday, "19:00")


@pytest.fixture
async def shop(client: httpx.AsyncClient, make_tenant: MakeTenant) -> dict[str, Any]:
    """A tenant with the demo catalog, a subcategory, customers, orders in several states, a
    cart, appointments, a closure and a partner key; the global IDs the cases use."""
    tenant: TenantFixture = await make_tenant()
    # Built before the catalog arrives, the index then follows each change instead of being
    # rebuilt (emptied and refilled) under the searches when the first change reaches it.
    await get_engine().ensure_indexed(tenant.id)
    await import_into_tenant(tenant=TenantRef.of(tenant.id), data=load_demo_catalog())
    owner = await bearer_headers(client, tenant)
    ids = await _lookup(client, owner)
    smartphones = await _done(client, owner, CATEGORY, parent=ids["phones"])
    ids["category"] = smartphones["category"]["id"]
    await _done(client, owner, PRODUCT, id=ids["product"], category=ids["category"])
    await _orders(client, owner, ids)
    await _bookings(client, owner, ids)
    secret = (await _done(client, owner, KEY))["secret"]
    first_page = await gql(client, "{ products(first: 20) { pageInfo { endCursor } } }", {}, owner)
    ids["productsCursor"] = _data(first_page, "products", "pageInfo", "endCursor")
    await _indexed(client, owner, ids, TenantRef.of(tenant.id))
    return {"ids": ids, "owner": owner, "ordersKey": tenant.key_headers(secret)}


async def _indexed(
    client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, Any], ref: TenantRef
) -> None:
    """Until every change has left the outbox and each recorded search finds something."""
    searches = [case for case in CASES if case["operation"] == "Search"]
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        with tenant_context(ref):
            pending = await OutboxEvent.filter(dispatched_at__isnull=True).exists()
        found = [
            _data(await _post_case(client, case, ids, headers), "search", "hits")
            for case in searches
        ]
        if not pending and all(found):
            return
        assert asyncio.get_running_loop().time() < deadline, "the seed was never indexed"
        await asyncio.sleep(0.1)


# Comparing --------------------------------------------------------------------------------


def _filled(value: Any, ids: dict[str, Any]) -> Any:
    """The case's variables with `$name` replaced by the seeded value of that name."""
    if isinstance(value, str) and value.startswith("$"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    return value


def _normalised(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The response with what differs per request alone, its request id (which a masked
    error quotes in its message and extensions), replaced by a marker."""
    for error in body.get("errors") or []:
        error["message"] = error["message"].replace(request_id, "<request id>")
        extensions = error.get("extensions") or {}
        if extensions.get("requestId") == request_id:
            extensions["requestId"] = "<request id>"
    return body


async def _post_case(
    client: httpx.AsyncClient, case: dict[str, Any], ids: dict[str, Any], headers: Any
) -> dict[str, Any]:
    variables = _filled(case.get("variables", {}), ids)
    return (await _post(client, case, variables, headers))[1]


async def _post(
    client: httpx.AsyncClient, case: dict[str, Any], variables: dict[str, Any], headers: Any
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        "/graphql",
        json={
            "query": OPERATIONS[case["operation"]],
            "operationName": case["operation"],
            "variables": variables,
        },
        headers=headers,
    )
    assert response.headers["content-type"].startswith("application/json"), response.text
    (request_id,) = response.headers.get_list("x-request-id")
    return response.status_code, _normalised(response.json(), request_id)


def _has_data(value: Any) -> bool:
    """A root field's value holds something: a non-empty list, a page with items, an object."""
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        listed = [value[key] for key in ("edges", "nodes", "hits") if key in value]
        return value.get("totalCount", 1) > 0 and all(_has_data(items) for items in listed)
    return value is not None


def _matches(actual: Any, expected: Any) -> bool:
    """Whether `actual` holds `expected`: objects key by key (others may be there too), lists
    item by item."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _matches(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_matches(item, wanted) for item, wanted in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def _check(case: dict[str, Any], body: dict[str, Any], ids: dict[str, Any]) -> None:
    """The case's expected error codes and paths, the data it names, and something in every
    other root field: a comparison of two empty answers proves nothing."""
    assert _error_summary(body) == case.get("errors", []), (case["case"], body)
    expected = _filled(case.get("data", {}), ids)
    if expected is None:
        assert body["data"] is None, (case["case"], body)
        return
    assert _matches(body["data"], expected), (case["case"], body)
    empty = [
        name
        for name, value in body["data"].items()
        if name not in expected and not _has_data(value)
    ]
    assert empty == [], (case["case"], body)


def _error_summary(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"code": (error.get("extensions") or {}).get("code"), "path": error.get("path")}
        for error in body.get("errors") or []
    ]


def _ordered(value: Any) -> Any:
    """`value` with every object as its list of (key, value) pairs: equal only in one order."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, list | tuple):
        return [_ordered(item) for item in value]
    return value


async def _answers(
    fast: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    case: dict[str, Any],
    variables: dict[str, Any],
    headers: dict[str, str],
) -> tuple[Any, Any]:
    """Both apps' answers to one case. A search reads an index that the indexing tasks of the
    seed may still be rewriting (with the same rows, but an approximate vector index can rank
    ties differently while it does): such a case is asked again, both apps each time, until
    they agree or a deadline passes. A difference of the executors stays and fails."""
    deadline = asyncio.get_running_loop().time() + (30 if case.get("settles") else 0)
    while True:
        fast_answer = await _post(fast, case, variables, headers)
        answer = await _post(reference, case, variables, headers)
        same = _ordered(fast_answer) == _ordered(answer)
        if same or asyncio.get_running_loop().time() >= deadline:
            return fast_answer, answer
        await asyncio.sleep(0.1)


async def test_both_executors_answer_every_recorded_operation_alike(
    settings: Settings, database_url: str, shop: dict[str, Any]
) -> None:
    planned = set(_SHARED)
    compared = []
    async with (
        _app_client(settings, database_url, fast=True) as fast,
        _app_client(settings, database_url, fast=False) as reference,
    ):
        for case in CASES:
            variables = _filled(case.get("variables", {}), shop["ids"])
            headers = shop[case.get("as", "owner")]
            fast_answer, answer = await _answers(fast, reference, case, variables, headers)
            assert fast_answer == answer, case["case"]
            assert _ordered(fast_answer) == _ordered(answer), case["case"]  # field order too
            status, body = answer
            assert status == 200, (case["case"], body)
            _check(case, body, shop["ids"])
            compared.append(case["case"])
    assert compared == [case["case"] for case in CASES]
    # The fast app did take its own path: it planned plain selections of these operations.
    fresh = [plan for key, (_, plan) in _SHARED.items() if key not in planned]
    assert any(plan is not None and (plan.pure or plan.compiled) for plan in fresh)
