"""Text Postgres cannot store (U+0000, unpaired surrogates) is refused before anything runs,
wherever it comes in: a variable at any depth, an object key, an inline literal, a search."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.factories.catalog import PRODUCT_CREATE, kes, list_products
from tests.factories.documents import DOCUMENTS, UPLOAD
from tests.support.polling import DEADLINE_S
from tests.support.sockets import socket

CUSTOMER_CREATE = """
mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id } userErrors { code } }
}
"""
SEARCH = "query($q: String!) { search(query: $q, first: 5) { hits { score } } }"
NUL = "\x00"


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> TenantFixture:
    return await make_tenant()


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """As `gql`, but the body as ASCII JSON: an unpaired surrogate travels as `\\ud800`."""
    content = json.dumps({"query": query, "variables": variables or {}}).encode()
    response = await client.post(
        "/graphql",
        content=content,
        headers={"content-type": "application/json", **(headers or {})},
    )
    return {**response.json(), "_status": response.status_code}


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body["_status"] == 400 and body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "U+0000" in error["message"], error
    return error  # type: ignore[no-any-return]


async def _nothing_stored(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    headers = tenant.key_headers()
    assert (await list_products(client, headers))["totalCount"] == 0
    customers = await gql(client, "{ customers { totalCount } }", headers=headers)
    assert customers["data"]["customers"]["totalCount"] == 0


def _product(**fields: Any) -> dict[str, Any]:
    return {"input": {"sku": "SKU-1", "name": "Simu", "price": kes("1000"), **fields}}


@pytest.mark.parametrize(
    ("variables", "path"),
    [
        (_product(name=f"Simu{NUL}"), "$input.name"),
        (_product(sku=f"SK{NUL}U"), "$input.sku"),
        (_product(description="\ud800 lone surrogate"), "$input.description"),
        (_product(tags=["ok", f"x{NUL}"]), "$input.tags[1]"),
        (_product(variants=[{"sku": "V-1"}, {"sku": f"V{NUL}2"}]), "$input.variants[1].sku"),
        (_product(attributes={"colour": {"name": f"red{NUL}"}}), "$input.attributes.colour.name"),
        (_product(attributes={f"col{NUL}our": "red"}), "$input.attributes"),
    ],
)
async def test_a_product_with_unstorable_text_in_a_variable_is_refused(
    client: httpx.AsyncClient, tenant: TenantFixture, variables: dict[str, Any], path: str
) -> None:
    body = await post(client, PRODUCT_CREATE, variables, headers=tenant.key_headers())
    error = refusal(body)
    assert error["extensions"]["variable"] == path
    assert path in error["message"]
    await _nothing_stored(client, tenant)


async def test_a_customer_name_with_nul_is_refused(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    variables = {"input": {"phone": "0712345678", "name": f"Wanjiku{NUL}"}}
    body = await gql(client, CUSTOMER_CREATE, variables, headers=tenant.key_headers())
    assert refusal(body)["extensions"]["variable"] == "$input.name"
    await _nothing_stored(client, tenant)


@pytest.mark.parametrize(
    "literal",
    [
        r'"Wanjiku\u0000"',
        r'"Wanjiku\u{0}"',
        '"Wanjiku\x00"',  # the raw character: graphql-core accepts it in a string
        '"""Wanjiku\x00"""',
    ],
)
async def test_an_inline_literal_with_nul_is_refused_with_its_place(
    client: httpx.AsyncClient, tenant: TenantFixture, literal: str
) -> None:
    query = (
        "mutation {\n"
        '  customerCreate(input: {phone: "0712345678",\n'
        f"    name: {literal}}}) {{ userErrors {{ code }} }}\n"
        "}"
    )
    error = refusal(await gql(client, query, headers=tenant.key_headers()))
    assert "input.name of customerCreate" in error["message"]
    assert error["locations"] == [{"line": 3, "column": 11}]
    await _nothing_stored(client, tenant)


async def test_a_search_with_nul_is_refused(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    by_variable = await gql(client, SEARCH, {"q": f"simu{NUL}"}, headers=tenant.key_headers())
    assert refusal(by_variable)["extensions"]["variable"] == "$q"
    inline = 'query { search(query: "simu\\u0000", first: 5) { hits { score } } }'
    assert (
        "query of search"
        in refusal(await gql(client, inline, headers=tenant.key_headers()))["message"]
    )
    listed = '{ products(filter: {search: "a\\u0000"}) { totalCount } }'
    assert (
        "filter.search of products"
        in refusal(await gql(client, listed, headers=tenant.key_headers()))["message"]
    )


async def test_clean_text_still_passes(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    # Escapes that are not NUL, astral characters written as a surrogate pair, and the
    # control characters Postgres does store.
    name = "Simu \u00e9\U0001f600 \t\u0001"
    body = await gql(client, PRODUCT_CREATE, _product(name=name), headers=tenant.key_headers())
    assert body.get("errors") is None and body["data"]["productCreate"]["userErrors"] == [], body
    assert body["data"]["productCreate"]["product"]["name"] == name
    inline = r'query { search(query: "simu \u00e9 \uD83D\uDE00", first: 5) { hits { score } } }'
    found = await gql(client, inline, headers=tenant.key_headers())
    assert found.get("errors") is None, found


async def test_an_uploaded_file_named_with_nul_is_refused(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    # Written by hand: a client library would escape the name, a hostile one need not. Without
    # `name`, the document is named after the file.
    operations = json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}})
    parts = [
        (b'name="operations"', operations.encode()),
        (b'name="map"', b'{"0": ["variables.input.file"]}'),
        (b'name="0"; filename="notes\x00.txt"\r\nContent-Type: text/plain', b"Bei ya simu."),
    ]
    body = b"".join(
        b"--b0undary\r\nContent-Disposition: form-data; " + header + b"\r\n\r\n" + data + b"\r\n"
        for header, data in parts
    )
    response = await client.post(
        "/graphql",
        content=body + b"--b0undary--\r\n",
        headers={
            **tenant.key_headers(),
            "content-type": "multipart/form-data; boundary=b0undary",
        },
    )
    assert (
        refusal({**response.json(), "_status": response.status_code})["extensions"]["variable"]
        == "$input.file"
    )
    listed = await gql(client, DOCUMENTS, {"first": 5}, headers=tenant.key_headers())
    assert listed["data"]["documents"]["totalCount"] == 0


@pytest.mark.parametrize("field", ["X-Tenant-ID", "X-Tenant-API-Key"])
async def test_socket_credentials_with_nul_are_refused_like_wrong_ones(
    app: Any, tenant: TenantFixture, field: str
) -> None:
    headers = {**tenant.key_headers(), field: f"{tenant.key_headers()[field]}{NUL}"}
    async with socket(app, headers) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=DEADLINE_S)
    assert closed.value.code == 4403
