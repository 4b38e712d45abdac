"""What every fuzzed endpoint answers, whatever it was sent: no 5xx, a JSON body, nothing of
Python's or Postgres's insides, and (for GraphQL) only errors that say what they are.

Each rule returns the problems it found as sentences, so one failure report lists them all. A
fuzz test reads an answer into a `Reply` (from httpx or from schemathesis) and asserts that
`http_problems` (webhooks and any other plain HTTP endpoint) or `graphql_problems` finds none.
"""

from __future__ import annotations

import builtins
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
import schemathesis

# A leaked exception shows as a traceback, a frame, a repr, a qualified exception name or the
# text Postgres wrote for the server log. Builtin exception names count only followed by ":" —
# how `traceback` prints them — so a message that merely mentions a word like "Warning" passes.
_EXCEPTION_NAMES = sorted(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
_LEAK_PATTERNS = (
    r"Traceback \(most recent call last\)",
    r'File "[^"]*", line \d+',
    r"<class '[\w.]+'>",
    r"<[\w.]+ object at 0x[0-9a-fA-F]+>",
    r"\b(?:" + "|".join(_EXCEPTION_NAMES) + r"):",
    r"\b(?:asyncpg|tortoise|strawberry|graphql|pydantic|starlette|decimal|wabotiq)\.[\w.]*"
    r"(?:Error|Exception|Violation)\b",
    r"violates (?:unique|foreign key|check|not-null|exclusion) constraint",
    r"invalid input syntax for type",
    r"syntax error at or near",
    r"out of range for type",
    r"value too long for type",
)
LEAK = re.compile("|".join(f"(?:{pattern})" for pattern in _LEAK_PATTERNS))


@dataclass(frozen=True)
class Reply:
    """An endpoint's answer, whichever client fetched it."""

    status: int
    content_type: str
    body: bytes

    @classmethod
    def of(cls, response: httpx.Response | schemathesis.Response) -> Reply:
        if isinstance(response, httpx.Response):
            content_type = response.headers.get("content-type", "")
        else:  # schemathesis keeps every header as a list, under its lower-case name
            content_type = ",".join(response.headers.get("content-type", []))
        return cls(status=response.status_code, content_type=content_type, body=response.content)

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def http_problems(reply: Reply, *, json_body: bool = True) -> list[str]:
    """No 5xx, no leaked internals, and (unless the endpoint answers otherwise) a JSON body."""
    problems = []
    if reply.status >= 500:
        problems.append(f"status {reply.status}: the server failed instead of refusing")
    leak = LEAK.search(reply.text())
    if leak is not None:
        problems.append(f"the body shows the server's insides: {leak.group(0)!r}")
    if json_body:
        if not reply.content_type.startswith("application/json"):
            problems.append(f"content type {reply.content_type!r}, not application/json")
        try:
            json.loads(reply.body)
        except ValueError as exc:
            problems.append(f"the body is not JSON ({exc})")
    return problems


def graphql_problems(reply: Reply) -> list[str]:
    """`http_problems`, and a GraphQL response whose every error is deliberate: coded (never
    INTERNAL_SERVER_ERROR), or a validation error pointing into the document."""
    problems = http_problems(reply)
    if problems:
        return problems
    body = json.loads(reply.body)
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"not a GraphQL response: {reply.text()[:200]}"]
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        return [f"`errors` is not a list: {errors!r}"]
    return [problem for error in errors for problem in _error_problems(error)]


def _error_problems(error: Any) -> list[str]:
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return [f"an error without a message: {error!r}"]
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    if code == "INTERNAL_SERVER_ERROR":
        return [f"an unexpected error reached the client: {error!r}"]
    if code is None and not _is_validation_error(error):
        return [f"an error without extensions.code: {error!r}"]
    if code is not None and (not isinstance(code, str) or not code):
        return [f"extensions.code is not a word: {error!r}"]
    return []


def _is_validation_error(error: dict[str, Any]) -> bool:
    """graphql-core's parse and validation errors point into the document and at no result."""
    return bool(error.get("locations")) and "path" not in error
