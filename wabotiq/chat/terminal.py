"""`wabotiq chat`: a customer's WhatsApp conversation with a shop, typed at a terminal (or read
from standard input, one message a line) and answered through the whole platform offline."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import TextIO

from wabotiq.chat.session import local_app
from wabotiq.chat.shop import DEMO_PHONE, Exchange, LocalShop, ShopError
from wabotiq.core.settings import Settings
from wabotiq.domain.conversations.models import ConversationStatus
from wabotiq.domain.customers.errors import CustomerError
from wabotiq.domain.customers.phone import normalise_phone

# Returns the next line, or None at the end of the input.
LineSource = Callable[[], Awaitable[str | None]]

QUIT = {"/quit", "/exit", "/q"}
HELP = "/quit leaves, /reset starts a new conversation (a person may have this one), /help."
INDENT = " " * len("shop> ")
SILENT = (
    "(no reply: a person has this conversation now, and the assistant stays silent until it is"
    " released; /reset starts a new conversation)"
)


def terminal_lines(prompt: str) -> LineSource:
    """Lines typed at a terminal after `prompt`, with `input()`'s line editing."""

    def read() -> str | None:
        try:
            return input(prompt)
        except (EOFError, OSError, ValueError):
            print(flush=True)  # the shell's prompt goes on a line of its own
            return None

    return _in_daemon_thread(read)


def stream_lines(stream: TextIO) -> LineSource:
    """Lines of a stream that is not a terminal (a pipe, a file)."""

    def read() -> str | None:
        try:
            text = stream.readline()
        except (OSError, ValueError):
            return None
        return text.rstrip("\r\n") if text else None

    return _in_daemon_thread(read)


def _in_daemon_thread(read: Callable[[], str | None]) -> LineSource:
    """Each line read by a daemon thread of its own: Ctrl-C, or the end of the program, never
    waits for a line that does not come (an executor thread would be waited for at exit)."""

    async def next_line() -> str | None:
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str | None] = loop.create_future()

        def settle(value: str | None) -> None:
            if not line.done():
                line.set_result(value)

        def work() -> None:
            loop.call_soon_threadsafe(settle, read())

        threading.Thread(target=work, name="chat-input", daemon=True).start()
        return await line

    return next_line


def listed_lines(lines: Iterable[str]) -> LineSource:
    """Lines from a list (tests, scripts)."""
    pending = iter(lines)

    async def read() -> str | None:
        return next(pending, None)

    return read


def show(exchange: Exchange, out: TextIO) -> None:
    """Each reply as `shop> …`, its further lines indented; a turn without one says why."""
    for text in exchange.replies:
        print("shop> " + text.replace("\n", "\n" + INDENT), file=out, flush=True)
    if not exchange.replies:
        print(SILENT if not exchange.with_bot else "(no reply)", file=out, flush=True)


async def converse(
    shop: LocalShop, *, phone: str, read: LineSource, out: TextIO, echo: bool
) -> int:
    """Send each line as a message from `phone` and print what came back, until the input ends
    or `/quit`. `echo` prints each line as `you> …` (input that was not typed on screen).
    Returns 1 if a message went unanswered for a fault, else 0."""
    conversation: uuid.UUID | None = None
    failed = False
    while (line := await read()) is not None:
        text = line.strip()
        if not text:
            continue
        if echo:
            print(f"you> {text}", file=out, flush=True)
        if text.lower() in QUIT:
            break
        if text.lower() == "/help":
            print(HELP, file=out, flush=True)
            continue
        if text.lower() == "/reset":
            if conversation is not None:
                await shop.reset(conversation)
                conversation = None
            print("(a new conversation starts with your next message)", file=out, flush=True)
            continue
        try:
            exchange = await shop.send(text, phone=phone)
        except ShopError as exc:
            print(f"wabotiq: {exc}", file=sys.stderr, flush=True)
            failed = True
            continue
        conversation = exchange.conversation_id
        show(exchange, out)
    return 1 if failed else 0


async def back_to_the_assistant(shop: LocalShop, phone: str) -> None:
    """A conversation left with a person (nobody answers one here) is closed: the chat starts
    a new one with the assistant. One the assistant has goes on where it stopped."""
    held = await shop.open_conversation(phone)
    if held is not None and held.status is ConversationStatus.HUMAN:
        await shop.reset(held.id)
        print("(your last conversation was left with a person: starting a new one)",
              file=sys.stderr, flush=True)  # fmt: skip


def customer_phone(raw: str) -> str:
    """The customer's number in E.164, from any usual way of writing it."""
    try:
        return normalise_phone(raw)
    except CustomerError as exc:
        raise ValueError(f"--phone: {exc.message}") from exc


async def run_chat(settings: Settings, *, tenant: str | None, phone: str | None) -> int:
    """Start the database (embedded unless DATABASE_URL), bring it up to date, make the demo
    tenant if it is the one asked for, and chat with the tenant's shop until the input ends."""
    try:
        number = customer_phone(phone or DEMO_PHONE)
    except ValueError as exc:
        print(f"wabotiq: {exc}", file=sys.stderr)
        return 2
    # The platform's own logs are for operators; a chat shows problems in its own words.
    logging.getLogger().setLevel(logging.WARNING)
    async with local_app(settings, tenant=tenant) as (app, found):
        if found is None:
            print(f"wabotiq: no tenant {tenant!r}", file=sys.stderr)
            return 2
        tenant_id, name = found
        async with LocalShop.open(app, tenant_id=tenant_id, lifespan=True) as shop:
            interactive = sys.stdin.isatty()
            banner = (
                f"Chatting with {name} as {number}, offline: replies are shown here, nothing"
                f" is sent. {HELP}"
            )
            print(banner, file=sys.stderr, flush=True)
            await back_to_the_assistant(shop, number)
            read = terminal_lines("you> ") if interactive else stream_lines(sys.stdin)
            try:
                return await converse(shop, phone=number, read=read, out=sys.stdout,
                                      echo=not interactive)  # fmt: skip
            except asyncio.CancelledError:  # Ctrl-C: leave the prompt's line, then stop
                print(flush=True)
                raise
