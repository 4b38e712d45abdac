"""Customers over GraphQL: E.164 phones encrypted at rest, lookups, changes and PII scopes."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
from cryptography.fernet import Fernet

from tests.conftest import MakeTenant, gql
from tests.factories.orders import (
    USER_ERRORS,
    key_with_scopes,
    make_product,
    ok,
    place_order,
)
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import schema_for
from wabotiq.db.connection import get_pool

CUSTOMER = """
id name phone preferredLanguage tags notes optedOut optedOutAt
"""

CREATE = f"""
mutation($input: CustomerCreateInput!) {{
  customerCreate(input: $input) {{ customer {{ {CUSTOMER} }} {USER_ERRORS} }}
}}
"""

UPDATE = f"""
mutation($input: CustomerUpdateInput!) {{
  customerUpdate(input: $input) {{ customer {{ {CUSTOMER} }} {USER_ERRORS} }}
}}
"""

CUSTOMERS = f"""
query($filter: CustomerFilter, $first: Int! = 50, $after: String) {{
  customers(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {CUSTOMER} }}
  }}
}}
"""

CUSTOMER_BY_ID = f"query($id: ID!) {{ customer(id: $id) {{ {CUSTOMER} }} }}"

ORDER_CUSTOMER_NAME = "query($id: ID!) { order(id: $id) { number customer { id name } } }"
ORDER_CUSTOMER_PHONE = "query($id: ID!) { order(id: $id) { number customer { name phone } } }"


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_kenyan_phone_forms_are_one_customer(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    created = await ok(
        client,
        CREATE,
        {"input": {"phone": "0712 345 678", "name": " Wanjiku ", "tags": ["vip", "vip", " "]}},
        headers,
    )
    assert created["userErrors"] == []
    customer = created["customer"]
    assert customer["phone"] == "+254712345678"
    assert customer["name"] == "Wanjiku"
    assert customer["tags"] == ["vip"]
    assert customer["preferredLanguage"] == "en"
    assert customer["optedOut"] is False

    for spelling in ("254712345678", "+254 712 345 678", "+254712345678"):
        again = await ok(client, CREATE, {"input": {"phone": spelling}}, headers)
        assert again["customer"] is None
        assert _codes(again) == ["DUPLICATE_PHONE"]
        assert again["userErrors"][0]["field"] == ["input", "phone"]

    found = await ok(client, CUSTOMERS, {"filter": {"phone": "254 712 345 678"}}, headers)
    assert found["totalCount"] == 1
    assert found["nodes"][0]["id"] == customer["id"]


async def test_invalid_phone_is_a_user_error(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    refused = await ok(client, CREATE, {"input": {"phone": "0212 345"}}, tenant.key_headers())
    assert refused["customer"] is None
    assert _codes(refused) == ["INVALID_PHONE"]
    listed = await ok(client, CUSTOMERS, {}, tenant.key_headers())
    assert listed["totalCount"] == 0


async def test_phone_is_stored_encrypted_with_a_keyed_hash(
    client: httpx.AsyncClient, make_tenant: MakeTenant, settings: Settings
) -> None:
    tenant = await make_tenant()
    # A local spelling: what is stored is derived from the normalised E.164 number.
    await ok(client, CREATE, {"input": {"phone": "0712 345 678"}}, tenant.key_headers())
    async with get_pool().acquire() as connection:
        row = await connection.fetchrow(
            f"SELECT phone_encrypted, phone_hash FROM {schema_for(tenant.id)}.customers"
        )
    for stored in (row["phone_encrypted"], row["phone_hash"]):
        assert "712345678" not in stored
    # The lookup hash is HMAC-SHA256 under LOOKUP_HASH_KEY, not a bare (guessable) digest ...
    assert settings.lookup_hash_key
    keyed = hmac.new(settings.lookup_hash_key.encode(), b"+254712345678", hashlib.sha256)
    assert row["phone_hash"] == keyed.hexdigest()
    assert row["phone_hash"] != hashlib.sha256(b"+254712345678").hexdigest()
    # ... and the ciphertext is a Fernet token under the primary field key holding the number.
    primary = Fernet(settings.field_encryption_keys[0])
    assert primary.decrypt(row["phone_encrypted"].encode()) == b"+254712345678"


async def test_update_changes_only_what_is_given(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    first = await ok(client, CREATE, {"input": {"phone": "0712345678", "notes": "x"}}, headers)
    other = await ok(client, CREATE, {"input": {"phone": "0722000111"}}, headers)
    customer_id = first["customer"]["id"]

    changed = await ok(
        client,
        UPDATE,
        {
            "input": {
                "id": customer_id,
                "preferredLanguage": "SW",
                "tags": ["wholesale"],
                "optedOut": True,
            }
        },
        headers,
    )
    assert changed["userErrors"] == []
    assert changed["customer"]["preferredLanguage"] == "sw"
    assert changed["customer"]["tags"] == ["wholesale"]
    assert changed["customer"]["notes"] == "x"
    assert changed["customer"]["optedOut"] is True
    assert changed["customer"]["optedOutAt"] is not None

    taken = await ok(
        client, UPDATE, {"input": {"id": customer_id, "phone": "0722 000 111"}}, headers
    )
    assert _codes(taken) == ["DUPLICATE_PHONE"]
    moved = await ok(
        client, UPDATE, {"input": {"id": customer_id, "phone": "0733 000 222"}}, headers
    )
    assert moved["customer"]["phone"] == "+254733000222"
    assert moved["customer"]["optedOut"] is True

    opted = await ok(client, CUSTOMERS, {"filter": {"optedOut": True}}, headers)
    assert [n["id"] for n in opted["nodes"]] == [customer_id]
    tagged = await ok(client, CUSTOMERS, {"filter": {"tag": "wholesale"}}, headers)
    assert [n["id"] for n in tagged["nodes"]] == [customer_id]
    by_id = await ok(client, CUSTOMER_BY_ID, {"id": other["customer"]["id"]}, headers)
    assert by_id["phone"] == "+254722000111"

    bad = await ok(
        client, UPDATE, {"input": {"id": customer_id, "preferredLanguage": "e"}}, headers
    )
    assert _codes(bad) == ["UNSUPPORTED_LANGUAGE"]
    assert bad["userErrors"][0]["field"] == ["input", "preferredLanguage"]


async def test_preferred_language_is_one_we_serve(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    for refused in ("klingon", "fr", "e", "", "xx-KE"):
        made = await ok(
            client,
            CREATE,
            {"input": {"phone": "0712345678", "preferredLanguage": refused}},
            headers,
        )
        assert made["customer"] is None and _codes(made) == ["UNSUPPORTED_LANGUAGE"], made
        assert made["userErrors"][0]["field"] == ["input", "preferredLanguage"]
        assert "en (English)" in made["userErrors"][0]["message"]
    listed = await ok(client, CUSTOMERS, {}, headers)
    assert listed["totalCount"] == 0  # nothing stored

    made = await ok(
        client, CREATE, {"input": {"phone": "0712345678", "preferredLanguage": "EN"}}, headers
    )
    customer_id = made["customer"]["id"]
    assert made["customer"]["preferredLanguage"] == "en"
    spellings = {
        "sw": "sw",
        " SW ": "sw",
        "Kiswahili": "sw",
        "sw-KE": "sw",
        "swa": "sw",
        "Sheng": "sheng",
        "en_GB": "en",
        "English": "en",
    }
    for spelled, canonical in spellings.items():
        changed = await ok(
            client, UPDATE, {"input": {"id": customer_id, "preferredLanguage": spelled}}, headers
        )
        assert changed["userErrors"] == [], (spelled, changed)
        assert changed["customer"]["preferredLanguage"] == canonical, spelled

    refused = await ok(
        client, UPDATE, {"input": {"id": customer_id, "preferredLanguage": "klingon"}}, headers
    )
    assert _codes(refused) == ["UNSUPPORTED_LANGUAGE"]
    kept = await ok(client, CUSTOMER_BY_ID, {"id": customer_id}, headers)
    assert kept["preferredLanguage"] == "en"  # the last accepted one, unchanged


async def test_phone_and_notes_need_customers_view(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    product = await make_product(tenant)
    order = await place_order(client, tenant, product["id"])
    orders_only = await key_with_scopes(client, tenant, ["orders:view"])
    with_pii = await key_with_scopes(client, tenant, ["orders:view", "customers:view"])

    named = await gql(client, ORDER_CUSTOMER_NAME, {"id": order["id"]}, orders_only)
    assert "errors" not in named, named
    assert named["data"]["order"]["customer"]["id"]

    refused = await gql(client, ORDER_CUSTOMER_PHONE, {"id": order["id"]}, orders_only)
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "Customer.phone" in error["extensions"]["fields"]
    assert error["extensions"]["missingScopes"] == ["customers:view"]

    notes = await gql(
        client,
        "query($id: ID!) { order(id: $id) { customer { notes } } }",
        {"id": order["id"]},
        orders_only,
    )
    assert notes["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    seen = await gql(client, ORDER_CUSTOMER_PHONE, {"id": order["id"]}, with_pii)
    assert "errors" not in seen, seen
    assert seen["data"]["order"]["customer"]["phone"].startswith("+2547")

    listing = await gql(client, CUSTOMERS, {}, orders_only)
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
