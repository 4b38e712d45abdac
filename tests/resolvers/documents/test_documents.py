"""Documents through GraphQL over HTTP: real multipart uploads (GraphQL multipart request spec),
listing and paging, passages that become searchable after the outbox dispatch and the indexing
task, deletion that takes them out again, and refusals as userErrors."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import MakeTenant, gql
from tests.factories.documents import (
    DOCUMENT_FIELDS,
    DOCUMENTS,
    ERRORS,
    RETURNS_MD,
    UPLOAD,
    multipart,
    pdf_bytes,
    upload,
    uploaded,
)
from tests.support.apps import app_client
from tests.support.polling import eventually
from wabotiq.core.settings import Settings
from wabotiq.search.runtime import get_engine

DELETE = f"""
mutation($id: ID!) {{ deleteDocument(input: {{id: $id}}) {{ deletedDocumentId {ERRORS} }} }}
"""
DOCUMENT = f"query($id: ID!) {{ document(id: $id) {{ {DOCUMENT_FIELDS} }} }}"
PASSAGES = """
query($query: String!) {
  search(query: $query, filter: {kinds: [PASSAGE]}, first: 20) {
    hits {
      __typename score retrievers
      ... on PassageSearchHit { text location chunk document { id name } }
    }
  }
}
"""


async def call(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    body = await gql(client, query, variables, headers)
    assert body["_status"] == 200 and not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def passages(
    client: httpx.AsyncClient, headers: dict[str, str], query: str
) -> list[dict[str, Any]]:
    data = await call(client, headers, PASSAGES, {"query": query})
    return data["search"]["hits"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_markdown_and_pdf_are_listed_and_their_passages_become_searchable(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await get_engine().ensure_indexed(tenant.id)  # then each upload is indexed on its own
    headers = tenant.key_headers()
    markdown = await uploaded(client, headers, "policies.md", RETURNS_MD, "text/markdown")
    assert markdown["name"] == "policies.md"
    assert markdown["contentType"] == "text/markdown"
    assert markdown["sizeBytes"] == len(RETURNS_MD)
    assert markdown["pages"] is None and markdown["chunkCount"] >= 1

    # A first page of about 600 characters: the warranty starts the second passage.
    about = [
        f"Kilimani Electronics, branch {n}: phones, laptops and televisions." for n in range(9)
    ]
    warranty_page = [
        "Warranty terms.",
        "Phones carry a twelve month warranty from the day of sale.",
    ]
    pdf = pdf_bytes([about, warranty_page * 4])
    # Browsers often label files generically: the PDF signature decides.
    manual = await uploaded(
        client, headers, "warranty.pdf", pdf, "application/octet-stream", "Warranty booklet"
    )
    assert manual["name"] == "Warranty booklet"
    assert (manual["contentType"], manual["pages"], manual["sizeBytes"]) == (
        "application/pdf", 2, len(pdf),
    )  # fmt: skip

    listed = await call(client, headers, DOCUMENTS, {"first": 10})
    assert listed["documents"]["totalCount"] == 2
    assert [n["id"] for n in listed["documents"]["nodes"]] == [manual["id"], markdown["id"]]
    first = await call(client, headers, DOCUMENTS, {"first": 1})
    page = first["documents"]
    assert [n["id"] for n in page["nodes"]] == [manual["id"]]
    assert page["pageInfo"]["hasNextPage"] and not page["pageInfo"]["hasPreviousPage"]
    rest = await call(
        client, headers, DOCUMENTS, {"first": 1, "after": page["pageInfo"]["endCursor"]}
    )
    assert [n["id"] for n in rest["documents"]["nodes"]] == [markdown["id"]]
    assert not rest["documents"]["pageInfo"]["hasNextPage"]
    assert (await call(client, headers, DOCUMENT, {"id": markdown["id"]}))["document"] == markdown

    async def quoted(query: str, document_id: str, phrase: str) -> dict[str, Any] | None:
        for hit in await passages(client, headers, query):
            if hit["document"]["id"] == document_id and phrase in hit["text"]:
                return hit
        return None

    async def both_searchable() -> bool:
        return bool(
            await quoted("return items receipt", markdown["id"], "14 days")
            and await quoted("warranty phones", manual["id"], "twelve month")
        )

    await eventually(both_searchable)
    returns = await quoted("return items receipt", markdown["id"], "14 days")
    warranty = await quoted("warranty phones", manual["id"], "twelve month")
    assert returns is not None and warranty is not None
    assert returns["__typename"] == "PassageSearchHit" and returns["score"] > 0
    assert returns["retrievers"] and set(returns["retrievers"]) <= {"FULLTEXT", "TRIGRAM", "VECTOR"}
    assert returns["document"]["name"] == "policies.md"
    assert warranty["location"] == "page 2"


async def test_deleting_a_document_takes_its_passages_out_of_search(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await get_engine().ensure_indexed(tenant.id)  # then each upload is indexed on its own
    headers = tenant.key_headers()
    kept = await uploaded(
        client, headers, "kept.txt", b"Shop opens at eight in Westlands.", "text/plain"
    )
    gone = await uploaded(client, headers, "policies.md", RETURNS_MD, "text/markdown")

    async def hits_of(document_id: str, query: str) -> list[dict[str, Any]]:
        found = await passages(client, headers, query)
        return [hit for hit in found if hit["document"]["id"] == document_id]

    async def indexed() -> bool:
        return bool(await hits_of(gone["id"], "delivery Mombasa bus parcel")) and bool(
            await hits_of(kept["id"], "when does the shop open in Westlands")
        )

    await eventually(indexed)
    deleted = await call(client, headers, DELETE, {"id": gone["id"]})
    assert deleted["deleteDocument"] == {"deletedDocumentId": gone["id"], "userErrors": []}
    assert (await call(client, headers, DOCUMENT, {"id": gone["id"]}))["document"] is None
    listed = await call(client, headers, DOCUMENTS, {"first": 10})
    assert [n["id"] for n in listed["documents"]["nodes"]] == [kept["id"]]

    async def removed() -> bool:
        # Its passages leave the index; the other document's stay searchable.
        return not await hits_of(gone["id"], "delivery Mombasa bus parcel") and bool(
            await hits_of(kept["id"], "when does the shop open in Westlands")
        )

    await eventually(removed)
    again = await call(client, headers, DELETE, {"id": gone["id"]})
    assert codes(again["deleteDocument"]) == ["NOT_FOUND"]


async def test_refused_uploads_are_user_errors_and_store_nothing(
    client: httpx.AsyncClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    cases = [
        (("photo.png", png, "image/png"), "UNSUPPORTED_TYPE"),
        (("notes.txt", b"", "text/plain"), "EMPTY"),
        (("notes.txt", b"   \n\n  ", "text/plain"), "EMPTY"),
        (("notes.txt", bytes(range(256)) * 4, "text/plain"), "UNREADABLE"),
        (("broken.pdf", b"%PDF-1.7 truncated", "application/pdf"), "UNREADABLE"),
    ]
    for file, code in cases:
        payload = await upload(client, headers, *file)
        assert payload["document"] is None, payload
        assert payload["userErrors"] == [
            {
                "field": ["input", "file"],
                "message": payload["userErrors"][0]["message"],
                "code": code,
            }
        ], (file[0], payload)
    blank_name = await upload(client, headers, "notes.txt", b"Hello", "text/plain", "  ")
    assert codes(blank_name) == ["INVALID"]
    # A value that is not a file (a string in a JSON request) is refused the same way.
    body = await gql(client, UPLOAD, {"input": {"file": "not a file"}}, headers)
    assert codes(body["data"]["uploadDocument"]) == ["NOT_A_FILE"], body
    listed = await call(client, headers, DOCUMENTS, {"first": 10})
    assert listed["documents"]["totalCount"] == 0


async def test_a_file_over_the_document_limit_is_a_user_error(
    settings: Settings, database_url: str, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    text = b"Karibu dukani. " * 300  # 4500 bytes
    async with app_client(settings, database_url, max_document_bytes=4096) as small:
        payload = await upload(small, tenant.key_headers(), "big.txt", text, "text/plain")
        assert codes(payload) == ["TOO_LARGE"]
        assert "4096" in payload["userErrors"][0]["message"]
        fits = await upload(small, tenant.key_headers(), "ok.txt", text[:4000], "text/plain")
        assert fits["userErrors"] == [] and fits["document"]["sizeBytes"] == 4000


async def test_multipart_bodies_may_hold_a_document_while_json_keeps_the_small_limit(
    settings: Settings, database_url: str, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    headers = tenant.key_headers()
    text = b"Delivery within Nairobi is free. " * 100  # 3300 bytes, over the body limit
    async with app_client(
        settings, database_url, max_body_bytes=1024, max_document_bytes=200_000
    ) as tight:
        payload = await upload(tight, headers, "delivery.txt", text, "text/plain")
        assert payload["userErrors"] == [] and payload["document"]["sizeBytes"] == len(text)

        padded = json.dumps({"query": "{ me { kind } }", "pad": "x" * 2000})
        refused = await tight.post(
            "/graphql", content=padded, headers={**headers, "content-type": "application/json"}
        )
        assert refused.status_code == 413
        assert refused.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        # The multipart allowance is the document limit plus room for the form, no more.
        huge = b"a" * (200_000 + 70 * 1024)
        response = await tight.post(
            "/graphql",
            headers=headers,
            **multipart(
                UPLOAD, {"input": {"file": None}}, "variables.input.file",
                ("huge.txt", huge, "text/plain"),
            ),
        )  # fmt: skip
        assert response.status_code == 413, response.text


async def test_multipart_requests_need_a_header_a_cross_site_form_cannot_send(
    client: httpx.AsyncClient,
) -> None:
    form = multipart(
        UPLOAD, {"input": {"file": None}}, "variables.input.file", ("a.txt", b"Hi", "text/plain")
    )
    response = await client.post("/graphql", **form)
    assert response.status_code == 400
    assert "GraphQL-Require-Preflight" in response.text
    # With the header, the request is parsed, and then refused for want of credentials.
    anonymous = await client.post("/graphql", headers={"GraphQL-Require-Preflight": "1"}, **form)
    assert anonymous.status_code == 200
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
