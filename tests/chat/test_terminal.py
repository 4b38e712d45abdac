"""The chat's conversation loop (one message a line, the reply printed after each, `/reset`,
`/quit`) over the suite's app, and `wabotiq chat` itself as a subprocess reading a pipe."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.chat.shop import LocalShop
from wabotiq.chat.terminal import back_to_the_assistant, converse, listed_lines
from wabotiq.core.settings import Settings
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.conversations.models import Conversation, Direction, Message
from wabotiq.domain.conversations.service import release_to_bot, take_over


async def _inbound_texts(tenant_id: str) -> list[str]:
    with tenant_context(TenantRef.of(tenant_id)):
        rows = await Message.filter(direction=Direction.INBOUND).order_by("seq")
    return [row.text for row in rows]


async def test_lines_are_sent_one_by_one_each_reply_printed_and_quit_stops_reading(
    shop: LocalShop,
):
    out = io.StringIO()
    phone = "+254712000654"
    lines = ["Habari", "/reset", "  ", "Habari tena", "/quit", "never sent"]
    code = await converse(shop, phone=phone, read=listed_lines(lines), out=out, echo=True)
    assert code == 0
    printed = out.getvalue().splitlines()
    assert printed[0] == "you> Habari" and printed[1].startswith("shop> ")
    assert printed[2] == "you> /reset"
    # After /reset a new conversation starts with the assistant: it answers again.
    assert printed[4] == "you> Habari tena" and printed[5].startswith("shop> ")
    assert printed[-1] == "you> /quit"
    texts = [text for text in await _inbound_texts(shop.tenant_id) if text.startswith("Habari")]
    assert "never sent" not in await _inbound_texts(shop.tenant_id)
    assert texts[-2:] == ["Habari", "Habari tena"]
    with tenant_context(TenantRef.of(shop.tenant_id)):
        rows = await Message.filter(text__in=["Habari", "Habari tena"]).values_list(
            "conversation_id", flat=True
        )
        statuses = await Conversation.filter(id__in=list(rows)).values_list("status", flat=True)
    assert len(set(rows)) == 2 and "resolved" in statuses


def _wabotiq() -> list[str]:
    script = Path(sys.executable).with_name("wabotiq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wabotiq.cli"]


async def test_wabotiq_chat_answers_piped_lines_in_its_own_process_even_with_redis_url(
    database_url: str, make_tenant: MakeTenant, settings: Settings, tmp_path: Path
):
    tenant = await make_tenant()
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    # A Redis nobody listens on: the chat must not need one.
    env.update(DATA_DIR=str(tmp_path / "data"), DATABASE_URL=database_url,
               REDIS_URL="redis://127.0.0.1:1/0")  # fmt: skip
    done = await asyncio.to_thread(
        subprocess.run,
        [*_wabotiq(), "chat", "--tenant", tenant.slug, "--phone", "0712 000 987"],
        input="Sasa\n/quit\nnever sent\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert printed[0] == "you> Sasa" and printed[1].startswith("shop> ") and printed[1][6:].strip()
    assert printed[2:] == ["you> /quit"]
    assert await _inbound_texts(tenant.id) == ["Sasa"]


async def test_a_chat_left_with_a_person_starts_again_with_the_assistant(shop: LocalShop):
    phone = "+254712000777"
    first = await shop.send("Habari", phone=phone)
    with tenant_context(TenantRef.of(shop.tenant_id)):
        async with in_transaction():
            await take_over(conversation_id=first.conversation_id)
    await back_to_the_assistant(shop, phone)
    again = await shop.send("Habari tena", phone=phone)
    assert again.conversation_id != first.conversation_id
    assert len(again.replies) == 1 and again.replies[0].strip()
    # One the assistant has goes on.
    with tenant_context(TenantRef.of(shop.tenant_id)):
        async with in_transaction():
            await release_to_bot(conversation_id=again.conversation_id)
    await back_to_the_assistant(shop, phone)
    held = await shop.open_conversation(phone)
    assert held is not None and held.id == again.conversation_id
