"""A worker killed in the middle of a customer's turn, and another started after it: the
customer gets exactly one reply. The drain runs in real worker processes on a Redis stream queue
of the test's own; the first dies at a chosen point (`tests/workers/killed_worker.py`), the
second takes the unacknowledged message back once it has been idle for TASK_IDLE_TIMEOUT_S.
Twilio is a local HTTP server speaking its Messages API, the only place a reply can reach."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from taskiq import AsyncTaskiqDecoratedTask
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from tests.support.polling import DEADLINE_S, POLL_S, eventually
from tests.support.provider_server import serving
from tests.support.whatsapp import ACCOUNT_SID, SENDER, FakeProviders, twilio_channel
from tests.support.workers import drop_queue
from tests.workers.killed_worker import KILLED_EXIT, register_tick, reply_to
from wabotiq.core.crypto import FieldCipher
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations import service
from wabotiq.domain.conversations.inbound import InboundMessage
from wabotiq.domain.conversations.models import Direction, Message, MessageKind, MessageStatus
from wabotiq.domain.dead_letters.models import PlatformDeadLetter
from wabotiq.workers.broker import make_broker
from wabotiq.workers.brokers import StreamBroker
from wabotiq.workers.conversations import drain_conversation_task

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
PHONE = "+254712345678"
# The drain does real database work on a loaded machine: its timeout is seconds, and a message
# goes to another worker once unacknowledged a little longer than that (production: minutes).
TIMEOUT_S = 5.0
IDLE_S = 6.0


@dataclass
class Queue:
    """A stream queue of the test's own, the workers' settings for it, and a way to kick."""

    broker: StreamBroker
    env: dict[str, str]
    tick: AsyncTaskiqDecoratedTask[[], None]


@dataclass
class Kicked:
    """A customer's stored message and the drain task kicked for it."""

    tenant_id: str
    conversation_id: uuid.UUID
    inbound_id: uuid.UUID
    task_id: str


@pytest.fixture
def twilio() -> Iterator[tuple[FakeProviders, str]]:
    fake = FakeProviders()
    with serving(fake) as base_url:
        yield fake, base_url


@pytest.fixture
async def queue(
    settings: Settings, database_url: str, twilio: tuple[FakeProviders, str], tmp_path: Path
) -> AsyncIterator[Queue]:
    redis_url = os.environ["REDIS_URL"]
    name = f"wabotiq-test-{secrets.token_hex(4)}"
    timings = {"redis_url": redis_url, "task_timeout_s": TIMEOUT_S, "task_idle_timeout_s": IDLE_S}
    broker = make_broker(settings.model_copy(update=timings), queue_name=name)
    assert isinstance(broker, StreamBroker)
    tick = register_tick(broker)
    await broker.startup()  # the consumer group, before anything is sent
    env = _worker_env(settings, database_url, tmp_path / "worker-data")
    env.update(REDIS_URL=redis_url, TASKIQ_QUEUE=name, TWILIO_API_BASE_URL=twilio[1],
               TASK_TIMEOUT_S=str(TIMEOUT_S), TASK_IDLE_TIMEOUT_S=str(IDLE_S))  # fmt: skip
    try:
        yield Queue(broker=broker, env=env, tick=tick)
    finally:
        await broker.shutdown()
        await drop_queue(redis_url, name)


def _worker_env(settings: Settings, database_url: str, data_dir: Path) -> dict[str, str]:
    """The suite's database and keys, nothing else of this process's settings."""
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        JWT_KEYS=json.dumps(settings.jwt_keys),
        JWT_ACTIVE_KID=settings.jwt_active_kid or "",
        FIELD_ENCRYPTION_KEYS=",".join(settings.field_encryption_keys),
        LOOKUP_HASH_KEY=settings.lookup_hash_key or "",
    )
    return env


async def _customer_writes(make_tenant: MakeTenant, settings: Settings, queue: Queue) -> Kicked:
    """A shop with a Twilio channel; a customer's message stored as the webhook stores it, and
    its drain kicked onto the queue, as the webhook kicks it."""
    tenant = await make_tenant()
    cipher = FieldCipher(settings)
    channel = await twilio_channel(tenant.id, cipher)
    message = InboundMessage(
        provider_message_id="SM" + secrets.token_hex(16), phone=PHONE, kind=MessageKind.TEXT,
        text="Habari, mna unga wa ngano?",
    )  # fmt: skip
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            recorded = await service.record_inbound(
                cipher=cipher, channel_id=channel.id, message=message
            )
        [inbound] = await Message.filter(conversation_id=recorded.conversation_id)
    kicker = drain_conversation_task.kicker().with_broker(queue.broker)
    sent = await kicker.with_labels(timeout=TIMEOUT_S).kiq(tenant.id, str(recorded.conversation_id))
    return Kicked(tenant.id, recorded.conversation_id, inbound.id, sent.task_id)


@asynccontextmanager
async def _worker(
    queue: Queue, point: str, marker: Path, log: Path
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A worker process on the queue, killed if still running when the block ends. Its output
    goes to `log`, a file: a pipe nobody reads would stop it once full."""
    with log.open("w") as output:
        # A plain Popen polled from here: asyncio's child watcher is not needed.
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.workers.killed_worker", point, str(marker)],
            cwd=ROOT, env=queue.env, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE_S)


async def _killed(queue: Queue, point: str, marker: Path, log: Path) -> None:
    """Run the first worker until it dies at `point` (within the deadline, else it is killed
    and the test fails)."""
    async with _worker(queue, point, marker, log) as process:

        async def exited() -> bool:
            return process.poll() is not None

        try:
            # A process start imports the whole app: on a loaded machine, seconds alone.
            await eventually(exited, "the first worker dying", deadline_s=2 * DEADLINE_S)
        except AssertionError as error:
            raise AssertionError(f"{error}; its output:\n{log.read_text()}") from None
    assert process.returncode == KILLED_EXIT, f"exit {process.returncode}:\n{log.read_text()}"
    assert marker.exists()


async def _finished_by_another(
    queue: Queue, turn: Kicked, point: str, marker: Path, log: Path
) -> None:
    """Start a second worker and wait until the drain's message is acknowledged with its
    delivery count cleared: it ran there to the end (a dead letter is ruled out after)."""
    client = aioredis.from_url(os.environ["REDIS_URL"], socket_timeout=DEADLINE_S)
    try:
        entries = await client.xrange(queue.broker.queue_name)
        [entry] = [i for i, e in entries if turn.task_id.encode() in e[b"data"]]
        async with _worker(queue, point, marker, log) as process:

            async def settled() -> bool:
                assert process.poll() is None, f"the second worker stopped:\n{log.read_text()}"
                # Something to read: the stream worker reclaims only after a read returns.
                await queue.tick.kiq()
                for _ in range(10):
                    pending = await client.xpending_range(
                        queue.broker.queue_name, queue.broker.consumer_group_name, "-", "+", 100
                    )
                    counted = await client.exists(
                        f"{queue.broker.queue_name}:deliveries:{turn.task_id}"
                    )
                    if entry not in {p["message_id"] for p in pending} and not counted:
                        return True
                    await asyncio.sleep(POLL_S)
                return False

            try:
                await eventually(settled, "the drain finished by the second worker",
                                 deadline_s=2 * DEADLINE_S)  # fmt: skip
            except AssertionError as error:
                raise AssertionError(f"{error}; its output:\n{log.read_text()}") from None
    finally:
        await client.aclose()
    assert not await PlatformDeadLetter.filter(task_id=turn.task_id)


async def _rows(turn: Kicked) -> tuple[Message, list[Message]]:
    with tenant_context(TenantRef.of(turn.tenant_id)):
        inbound = await Message.get(id=turn.inbound_id)
        outbound = await Message.filter(
            conversation_id=turn.conversation_id, direction=Direction.OUTBOUND
        ).order_by("seq")
    return inbound, list(outbound)


def _the_reply(fake: FakeProviders) -> None:
    """Exactly one request reached Twilio: the reply, to the customer, from the channel."""
    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    assert sent.form["To"] == f"whatsapp:{PHONE}" and sent.form["From"] == SENDER
    assert sent.text == reply_to(["Habari, mna unga wa ngano?"])


async def test_a_worker_killed_while_answering_leaves_the_turn_to_the_next_one_reply_goes_out(
    make_tenant: MakeTenant, settings: Settings, queue: Queue,
    twilio: tuple[FakeProviders, str], tmp_path: Path,
):  # fmt: skip
    fake, _ = twilio
    marker = tmp_path / "killed"
    turn = await _customer_writes(make_tenant, settings, queue)

    await _killed(queue, "responder", marker, tmp_path / "first.log")
    # It died inside the turn's transaction: nothing committed, nothing sent.
    inbound, outbound = await _rows(turn)
    assert inbound.processed_at is None and outbound == []
    assert fake.requests == []

    await _finished_by_another(queue, turn, "responder", marker, tmp_path / "second.log")
    _the_reply(fake)
    inbound, [reply] = await _rows(turn)
    assert inbound.processed_at is not None
    assert reply.status is MessageStatus.ACCEPTED and reply.provider_message_id
    assert reply.idempotency_key == f"reply:{turn.inbound_id}:0"


async def test_a_worker_killed_after_twilio_took_the_reply_is_not_followed_by_a_second_send(
    make_tenant: MakeTenant, settings: Settings, queue: Queue,
    twilio: tuple[FakeProviders, str], tmp_path: Path,
):  # fmt: skip
    fake, _ = twilio
    marker = tmp_path / "killed"
    turn = await _customer_writes(make_tenant, settings, queue)

    await _killed(queue, "sent", marker, tmp_path / "first.log")
    # The turn committed and Twilio has the reply; the worker died before recording it, and
    # before acknowledging the task.
    _the_reply(fake)
    inbound, [reply] = await _rows(turn)
    assert inbound.processed_at is not None
    assert reply.status is MessageStatus.SENDING

    await _finished_by_another(queue, turn, "sent", marker, tmp_path / "second.log")
    # The re-run found the row claimed: the one attempt stands, nothing went to Twilio again.
    _the_reply(fake)
    inbound, [again] = await _rows(turn)
    assert again.id == reply.id and again.status is MessageStatus.SENDING
    assert inbound.processed_at is not None
