"""The fuzzers' rules catch what they are there to catch: a fuzzer whose checks pass every
answer would pass whatever the API does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fuzz.checks import Reply, graphql_problems, http_problems

JSON = "application/json"


def reply(body: Any, status: int = 200, content_type: str = JSON) -> Reply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply(status=status, content_type=content_type, body=raw)


def error(message: str = "No.", **fields: Any) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, **fields}]}


VALIDATION = error("Unknown field 'x'.", locations=[{"line": 1, "column": 3}])
CODED = error("Not allowed.", path=["products"], extensions={"code": "FORBIDDEN"})


@pytest.mark.parametrize(
    "answer",
    [
        reply({"data": {"products": {"totalCount": 0}}}),
        reply(VALIDATION),
        reply(CODED),
        reply(error("Bad body.", extensions={"code": "BAD_REQUEST"}), status=400),
        reply(error("A Warning about stock.", extensions={"code": "LOW_STOCK"})),
    ],
)
def test_a_sound_graphql_answer_passes(answer: Reply) -> None:
    assert graphql_problems(answer) == []


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (reply(CODED, status=500), "status 500"),
        (reply(b"<html>oops</html>", content_type="text/html"), "not application/json"),
        (reply(b"{not json", content_type=JSON), "not JSON"),
        (reply([1, 2]), "not a GraphQL response"),
        (reply(error(path=["products"])), "without extensions.code"),
        (reply(error(extensions={"code": "INTERNAL_SERVER_ERROR"})), "unexpected error"),
        (reply(error("Boom", extensions={"code": ""})), "not a word"),
        (reply({"errors": [{"no": "message"}]}), "without a message"),
        (reply(error('Traceback (most recent call last):\n  File "x.py", line 1')), "insides"),
        (reply(error("ValueError: cannot encode", extensions={"code": "X"})), "ValueError:"),
        (reply(error("found <class 'decimal.ConversionSyntax'>")), "<class"),
        (reply(error("asyncpg.exceptions.DataError here")), "DataError"),
        (reply(error('duplicate key value violates unique constraint "k"')), "violates"),
    ],
)
def test_an_unsound_graphql_answer_is_caught(answer: Reply, words: str) -> None:
    problems = graphql_problems(answer)
    assert any(words in problem for problem in problems), problems


def test_a_plain_http_endpoint_may_answer_other_than_json() -> None:
    twiml = Reply(status=200, content_type="text/xml", body=b"<Response/>")
    assert http_problems(twiml, json_body=False) == []
    assert http_problems(twiml) != []
    failed = Reply(status=502, content_type="text/xml", body=b"<Response/>")
    assert http_problems(failed, json_body=False) == [
        "status 502: the server failed instead of refusing"
    ]
