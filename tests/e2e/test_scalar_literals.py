"""A value a scalar refuses is a validation error pointing at the value, never an unexpected
error: found by the API fuzzer (`tests/fuzz`). Strawberry's Date, Time and Decimal refused a
literal with an error that had neither location nor code; our DateTime's refusal of a literal
was masked as INTERNAL_SERVER_ERROR; a Decimal of NaN, an infinity or `1e999999` reached the
database (a 500-class error) or matched nothing without a word."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.catalog import PRODUCT_CREATE, list_products


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


def refused_at(body: dict[str, Any], query: str, literal: str, words: str) -> None:
    """One validation error, saying `words`, located at `literal` in `query`."""
    assert body["_status"] == 200 and body.get("data") is None, body
    [error] = body["errors"]
    assert "extensions" not in error and "path" not in error, error
    assert words in error["message"], error
    line, column = _position(query, literal)
    assert error["locations"] == [{"line": line, "column": column}], error


def _position(query: str, literal: str) -> tuple[int, int]:
    before = query[: query.index(literal)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


PRODUCTS = "{ products(filter: {priceMin: %s}) { totalCount } }"
SEARCH = '{ search(query: "simu", filter: {priceMax: %s}) { hits { score } } }'
CLOSURE = """mutation {
  closureCreate(input: {startDate: "2026-01-02", endDate: %s}) { userErrors { code } }
}"""
AVAILABILITY = '{ availability(serviceId: "U2VydmljZTox", from: %s, to: %s) { start } }'
LATER = '"2026-01-02T00:00:00+03:00"'


@pytest.mark.parametrize(
    ("query", "literal", "words"),
    [
        (PRODUCTS % '"0x10"', '"0x10"', "Decimal"),
        (SEARCH % '"twelve"', '"twelve"', "Decimal"),
        (CLOSURE % '"2026-13-45"', '"2026-13-45"', "Date"),
        (AVAILABILITY % ('"2026-01-01T09:00:00"', LATER), '"2026-01-01T09:00:00"', "UTC offset"),
    ],
)
async def test_a_refused_literal_is_a_validation_error_at_the_literal(
    client: httpx.AsyncClient, tenant: TenantFixture, query: str, literal: str, words: str
) -> None:
    # Twice: the second answer comes from the validation cache and must be the same.
    for _ in range(2):
        body = await gql(client, query, headers=tenant.key_headers())
        refused_at(body, query, literal, words)


UNUSABLE = ["NaN", "sNaN", "-Infinity", "1e999999", "1e38", "1e-39", "0x10", ""]


@pytest.mark.parametrize("value", UNUSABLE)
async def test_an_unusable_decimal_literal_is_refused(
    client: httpx.AsyncClient, tenant: TenantFixture, value: str
) -> None:
    for query in (PRODUCTS % f'"{value}"', SEARCH % f'"{value}"'):
        body = await gql(client, query, headers=tenant.key_headers())
        refused_at(body, query, f'"{value}"', "Decimal")


@pytest.mark.parametrize("value", [*UNUSABLE, True, [1]])
async def test_an_unusable_decimal_variable_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, tenant: TenantFixture, value: object
) -> None:
    headers = tenant.key_headers()
    price = {"amount": value, "currency": "KES"}
    variables = {"input": {"sku": "SKU-1", "name": "Simu", "price": price}}
    body = await gql(client, PRODUCT_CREATE, variables, headers=headers)
    assert body["_status"] == 200 and body.get("data") is None, body
    [error] = body["errors"]
    assert "$input" in error["message"] and "Decimal" in error["message"], error
    assert error["locations"] and "extensions" not in error, error
    assert (await list_products(client, headers))["totalCount"] == 0


@pytest.mark.parametrize("value", ['"12.50"', "5", "7.5", '"1e37"', '"-0.000001"'])
async def test_a_usable_decimal_is_taken(
    client: httpx.AsyncClient, tenant: TenantFixture, value: str
) -> None:
    body = await gql(client, PRODUCTS % value, headers=tenant.key_headers())
    assert body["data"] == {"products": {"totalCount": 0}}, body
