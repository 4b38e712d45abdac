"""`FakeProviders` over real HTTP on a loopback port, for code running in another process (a
worker the test starts): the same answers, every request kept in the same `requests` list."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.support.whatsapp import FakeProviders

TWILIO_HOST = "api.twilio.com"


def _handler(fake: FakeProviders, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(
                self.command,
                f"https://{host}{self.path}",  # the host this server stands in for
                headers=dict(self.headers.items()),
                content=self.rfile.read(length) if length else b"",
            )
            response = fake.handle(request)
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type", "text/plain"))
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None  # the test asserts on `fake.requests`, not on a log

    return Handler


@contextmanager
def serving(fake: FakeProviders, *, host: str = TWILIO_HOST) -> Iterator[str]:
    """Answer as `fake` answers `host`, on a free loopback port, while inside; yields the base
    URL to give the other process (TWILIO_API_BASE_URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake, host))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
