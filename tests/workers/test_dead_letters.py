"""A tenant's task that fails for good is a dead letter the tenant reads over GraphQL (with an
API key, through the ASGI app); `retryDeadLetter` runs it again, and once the row it needed
exists it succeeds. The task decrypts a customer's phone and publishes an event with the API's
own runtime, and its log lines carry the request id of the request that re-ran it."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from taskiq import TaskiqDepends

from tests.conftest import MakeTenant, TenantFixture, gql
from tests.support.polling import DEADLINE_S, eventually
from wabotiq.core.logs import JsonFormatter
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.customers.models import Customer
from wabotiq.workers.declare import reliable_task
from wabotiq.workers.state import TaskRuntime, task_runtime

logger = logging.getLogger(__name__)
PHONE = "+254712345678"

DEAD_LETTERS = """
query($first: Int!, $after: String) {
  deadLetters(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id taskName taskId args kwargs labels errorType errorMessage traceback attempts
      firstFailedAt lastFailedAt requestId retriedAt retryTaskId
    }
  }
}
"""

RETRY = """
mutation($id: ID!) {
  retryDeadLetter(input: {id: $id}) {
    deadLetter { id retriedAt retryTaskId }
    userErrors { field code message }
  }
}
"""


@reliable_task("test.workers.greet_customer", max_retries=2)
async def greet_customer_task(
    tenant_id: str, customer_id: str, runtime: TaskRuntime = TaskiqDepends(task_runtime)
) -> None:
    """Needs the customer row; reads the phone with the runtime's cipher, tells the bus."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise LookupError(f"no customer {customer_id}")
    logger.info("greeting customer", extra={"customer_id": customer_id})
    await runtime.bus.publish(
        f"test-greetings:{customer_id}",
        {"phone": runtime.cipher.decrypt(customer.phone_encrypted), "runtime": id(runtime)},
    )


class Lines(logging.Handler):
    """Log lines as the JSON formatter writes them, formatted when they are emitted (in the
    task's context, where the request id and tenant are)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    handler = Lines()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)


async def _letters(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    body = await gql(client, DEAD_LETTERS, {"first": 10}, tenant.key_headers())
    assert "errors" not in body, body
    return body["data"]["deadLetters"]


async def test_a_dead_letter_is_visible_to_its_tenant_and_runs_again_once_fixed(
    app: Any, client: httpx.AsyncClient, make_tenant: MakeTenant, log_lines: Lines
):
    tenant, other = await make_tenant(), await make_tenant()
    customer_id = str(uuid.uuid4())
    await greet_customer_task.kiq(tenant.id, customer_id)

    async def buried() -> bool:
        return (await _letters(client, tenant))["totalCount"] == 1

    await eventually(buried, "the dead letter in deadLetters")
    [letter] = (await _letters(client, tenant))["nodes"]
    assert letter["taskName"] == "test.workers.greet_customer"
    assert letter["args"] == [tenant.id, customer_id]
    assert letter["errorType"] == "LookupError"
    assert letter["errorMessage"] == f"no customer {customer_id}"
    assert "greet_customer_task" in letter["traceback"]
    assert letter["attempts"] == 2
    assert letter["firstFailedAt"] < letter["lastFailedAt"]
    assert letter["retriedAt"] is None
    # Another tenant sees none of it.
    assert (await _letters(client, other))["totalCount"] == 0

    # The row it needed now exists.
    runtime = app.state.runtime
    with tenant_context(TenantRef.of(tenant.id)):
        await Customer.create(
            id=customer_id,
            phone_encrypted=runtime.cipher.encrypt(PHONE),
            phone_hash=runtime.cipher.lookup_hash(PHONE),
        )
    greetings: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    listening = asyncio.Event()

    async def listen() -> None:
        async for message in runtime.bus.subscribe(
            f"test-greetings:{customer_id}", on_ready=listening.set
        ):
            await greetings.put(message)

    listener = asyncio.create_task(listen())
    try:
        await asyncio.wait_for(listening.wait(), DEADLINE_S)
        request_id = f"rq-{secrets.token_hex(8)}"
        response = await client.post(
            "/graphql",
            json={"query": RETRY, "variables": {"id": letter["id"]}},
            headers={**tenant.key_headers(), "X-Request-ID": request_id},
        )
        retried = response.json()["data"]["retryDeadLetter"]
        assert retried["userErrors"] == []
        assert retried["deadLetter"]["id"] == letter["id"]
        assert retried["deadLetter"]["retriedAt"] is not None
        greeting = await asyncio.wait_for(greetings.get(), DEADLINE_S)
    finally:
        listener.cancel()

    # The worker's runtime is the API's own object: its cipher read the phone.
    assert greeting == {"phone": PHONE, "runtime": id(runtime)}
    [line] = [line for line in log_lines.lines if '"greeting customer"' in line]
    assert f'"request_id": "{request_id}"' in line
    assert f'"tenant": "{tenant.id}"' in line

    # It ran: no new letter; and a letter runs again once only.
    after = await _letters(client, tenant)
    assert after["totalCount"] == 1
    assert after["nodes"][0]["retryTaskId"] == retried["deadLetter"]["retryTaskId"]
    again = await gql(client, RETRY, {"id": letter["id"]}, tenant.key_headers())
    assert again["data"]["retryDeadLetter"] == {
        "deadLetter": None,
        "userErrors": [
            {
                "field": ["input", "id"],
                "code": "ALREADY_RETRIED",
                "message": again["data"]["retryDeadLetter"]["userErrors"][0]["message"],
            }
        ],
    }
    # Another tenant cannot run it: the id names no letter of theirs.
    foreign = await gql(client, RETRY, {"id": letter["id"]}, other.key_headers())
    assert foreign["data"]["retryDeadLetter"]["userErrors"][0]["code"] == "NOT_FOUND"
