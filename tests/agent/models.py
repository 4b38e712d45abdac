"""Scripted language models for the agent's tests, and a small shop for them to sell from.

The "model" of these scripts quotes what the tool results it is sent say (the price of the HP
Victus in the last search), so a price in a reply travels from the catalog, through the tool,
the provider's wire format and the model, to the customer."""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from tests.agent.llm.wire import Step, gemini_response, openai_completion, reply
from tests.conftest import OWNER_PASSWORD
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.catalog.service import ProductSpec, create_product
from wabotiq.domain.tenants.provisioning import create_tenant
from wabotiq.search.runtime import get_engine

SHOP_NAME = "Duka Tech"
VICTUS = "HP Victus 15 Gaming Laptop"
SIGNATURE = b"\x0a\x1fthought"  # a Gemini thought signature, opaque to us


class ManualClock:
    """Monotonic seconds that move only when the test says so (the breakers' cool-down)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def small_shop() -> TenantRef:
    """A new tenant with two laptops and a phone, indexed; the laptop's sale price is the price
    a customer is quoted."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    made = await create_tenant(
        name=SHOP_NAME, slug=slug, owner_email=f"owner-{slug}@example.com",
        owner_password=OWNER_PASSWORD,
    )  # fmt: skip
    tenant = TenantRef.of(made.tenant.id)
    products = [
        (VICTUS, "52000", "48000", "Gaming laptop, RTX 4050, 16GB RAM"),
        ("Lenovo IdeaPad Gaming 3 Laptop", "61500", None, "Gaming laptop, RTX 3050"),
        ("Samsung Galaxy A15 Phone", "18999", None, "Smartphone, 128GB"),
    ]
    with tenant_context(tenant):
        async with in_transaction():
            for name, price, sale, description in products:
                spec = ProductSpec(
                    sku=f"SKU-{uuid.uuid4().hex[:8]}",
                    name=name,
                    price=Decimal(price),
                    sale_price=Decimal(sale) if sale else None,
                    description=description,
                    stock=4,
                )
                await create_product(spec=spec)
    await get_engine().reindex(tenant.id)
    return tenant


def timing_out() -> Step:
    """The provider takes longer than the client waits: httpx gives up reading."""

    async def step(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("The read operation timed out", request=request)

    return step


def openai_calls(name: str, arguments: dict[str, Any], **usage: Any) -> Step:
    call = (f"call_{name}", name, arguments)
    return reply(200, openai_completion(tool_calls=[call], **usage))


def victus(items: list[dict[str, Any]]) -> dict[str, Any]:
    return next(item for item in items if item["name"] == VICTUS)


def openai_quoting(template: str, **usage: Any) -> Step:
    """Answers with `template` filled from the last tool result it was sent."""

    async def step(request: httpx.Request) -> httpx.Response:
        result = json.loads(json.loads(request.content)["messages"][-1]["content"])
        item = victus(result["items"])
        text = template.format(name=item["name"], price=Decimal(item["price"]))
        return httpx.Response(200, json=openai_completion(content=text, **usage))

    return step


def gemini_calls_search(query: str) -> Step:
    part = {
        "functionCall": {"id": "fc-1", "name": "search_catalog", "args": {"query": query}},
        "thoughtSignature": base64.b64encode(SIGNATURE).decode(),
    }
    return reply(200, gemini_response([part], prompt_tokens=300, candidate_tokens=12))


def gemini_quoting(template: str) -> Step:
    async def step(request: httpx.Request) -> httpx.Response:
        parts = json.loads(request.content)["contents"][-1]["parts"]
        item = victus(parts[0]["functionResponse"]["response"]["items"])
        text = template.format(name=item["name"], price=Decimal(item["price"]))
        body = gemini_response([{"text": text}], prompt_tokens=420, candidate_tokens=25)
        return httpx.Response(200, json=body)

    return step
