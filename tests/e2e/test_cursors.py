"""A cursor we could not have issued is an invalid cursor, whatever it decodes to: offsets and
keys outside what Postgres stores (bigint, timestamps), negative, or not numbers at all."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import MakeTenant, TenantFixture, gql

BIGINT_MAX = 2**63 - 1
TOTAL = "($after: String) { %s }"


def cursor(text: str) -> str:
    """Encoded as the server encodes its cursors (unpadded URL-safe base64)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# One probe per paging helper: offset pages, integer keysets, the documents' keyset.
OFFSET = [
    "customers(after: $after) { totalCount }",
    "products(after: $after) { totalCount }",
    "members(after: $after) { totalCount }",
    "services(after: $after) { totalCount }",
    "closures(after: $after) { totalCount }",
]
INT_KEY = [
    "orders(after: $after) { totalCount }",
    "auditLog(after: $after) { totalCount }",
    f'stockMovements(productId: "{cursor("Product:" + str(uuid.uuid4()))}", after: $after) '
    "{ totalCount }",
]
DOCUMENTS = ["documents(after: $after) { totalCount }"]
SOME_ID = str(uuid.uuid4())

BAD_OFFSETS = [
    "o:9999999999999999999",  # the issue's: over bigint
    f"o:{BIGINT_MAX}",  # the offset after it would not fit
    "o:" + "9" * 40,
    "o:-1",
    "o:+1",
    "o: 1",
    "o:1_000",
    "o:\u0661\u0662",  # Arabic-Indic digits: int() takes them, we never issue them
    "o:abc",
    "o:",
]
BAD_KEYS = [
    "k:99999999999999999999",
    f"k:{BIGINT_MAX + 1}",
    "k:-5",
    "k:1e3",
    "k:\u0661",
    "k: 7",
    "k:",
]
BAD_DOCUMENT_KEYS = [
    f"k:9999-12-31T23:59:59-14:00|{SOME_ID}",  # past the last instant Python holds in UTC
    f"k:0001-01-01T00:00:00+14:00|{SOME_ID}",  # before the first
    f"k:2024-05-01T10:00:00|{SOME_ID}",  # no offset: we never issue one without
    "k:2024-05-01T10:00:00+00:00|not-a-uuid",
    "k:yesterday|" + SOME_ID,
]


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


async def _page(client: httpx.AsyncClient, tenant: TenantFixture, field: str, after: str) -> Any:
    return await gql(client, "query" + TOTAL % field, {"after": after}, tenant.key_headers())


def _invalid(body: dict[str, Any]) -> None:
    """Refused exactly as a malformed cursor is: one coded error naming the cursor."""
    assert body["_status"] == 200, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}, error
    assert error["message"].startswith("Not a valid cursor"), error


@pytest.mark.parametrize(
    ("fields", "bad"),
    [(OFFSET, BAD_OFFSETS), (INT_KEY, BAD_KEYS), (DOCUMENTS, BAD_DOCUMENT_KEYS)],
    ids=["offset", "integer-key", "documents-key"],
)
async def test_cursors_we_never_issue_are_invalid(
    client: httpx.AsyncClient, tenant: TenantFixture, fields: list[str], bad: list[str]
) -> None:
    for field in fields:
        _invalid(await _page(client, tenant, field, "garbage!"))  # what malformed ones get
        for text in bad:
            body = await _page(client, tenant, field, cursor(text))
            assert body.get("errors"), (field, text, body)
            _invalid(body)


async def test_the_largest_valid_cursors_give_an_empty_page(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    pages = [(f, f"o:{BIGINT_MAX - 1}") for f in OFFSET] + [(f, f"k:{BIGINT_MAX}") for f in INT_KEY]
    pages.append((DOCUMENTS[0], f"k:9999-12-31T09:59:59-14:00|{SOME_ID}"))
    for field, text in pages:
        body = await _page(client, tenant, field, cursor(text))
        assert body.get("errors") is None, (field, text, body)


async def test_datetime_inputs_outside_the_storable_range_are_invalid(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    query = "query($from: DateTime) { appointments(filter: {startsFrom: $from}) { totalCount } }"
    for instant in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        body = await gql(client, query, {"from": instant}, tenant.key_headers())
        assert body["_status"] == 200 and body.get("data") is None, body
        [error] = body["errors"]
        assert "DateTime" in error["message"] and "range" in error["message"], error
        assert not error.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR"
    fine = await gql(client, query, {"from": "9999-12-31T09:00:00-14:00"}, tenant.key_headers())
    assert fine.get("errors") is None, fine
