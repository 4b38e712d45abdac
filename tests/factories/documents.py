"""Documents uploaded through GraphQL multipart requests, and real PDFs to upload: shared by the
documents, search and request-body tests."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

ERRORS = "userErrors { field message code }"
DOCUMENT_FIELDS = "id name contentType sizeBytes pages chunkCount createdAt"
UPLOAD = f"""
mutation($input: UploadDocumentInput!) {{
  uploadDocument(input: $input) {{ document {{ {DOCUMENT_FIELDS} }} {ERRORS} }}
}}
"""
DOCUMENTS = f"""
query($first: Int!, $after: String) {{
  documents(first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    nodes {{ {DOCUMENT_FIELDS} }}
  }}
}}
"""
RETURNS_MD = b"""# Duka la Mama Njeri

Karibu! We sell phones and accessories in Nairobi.

## Returns

Items can be returned within 14 days with the original receipt.

## Delivery

Delivery to Mombasa takes three working days by bus parcel.
"""


def multipart(
    query: str, variables: dict[str, Any], path: str, file: tuple[str, bytes, str]
) -> dict[str, Any]:
    """httpx arguments of a GraphQL multipart request carrying one file at `path`."""
    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({"0": [path]}),
        },
        "files": {"0": file},
    }


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    filename: str,
    data: bytes,
    content_type: str,
    name: str | None = None,
) -> dict[str, Any]:
    """The uploadDocument payload of one multipart upload."""
    response = await client.post(
        "/graphql",
        headers=headers,
        **multipart(
            UPLOAD,
            {"input": {"file": None, "name": name}},
            "variables.input.file",
            (filename, data, content_type),
        ),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["uploadDocument"]  # type: ignore[no-any-return]


async def uploaded(
    client: httpx.AsyncClient, headers: dict[str, str], *file: Any
) -> dict[str, Any]:
    payload = await upload(client, headers, *file)
    assert payload["userErrors"] == [], payload
    return payload["document"]  # type: ignore[no-any-return]


def pdf_bytes(
    pages: list[list[str]], *, user_password: str | None = None, owner_password: str | None = None
) -> bytes:
    """A real PDF whose pages show `pages` (lines of text) in Helvetica."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        shown = [
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
            for line in lines
        ]
        content = DecodedStreamObject()
        operators = ["BT /F1 12 Tf 14 TL 72 720 Td", *shown, "ET"]
        content.set_data("\n".join(operators).encode("latin-1"))
        page.replace_contents(content)  # type: ignore[arg-type]
    if user_password is not None:
        writer.encrypt(user_password, owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
