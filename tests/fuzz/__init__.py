"""The API fuzzers, the slow part of the suite (marked `fuzz`: `-m "not fuzz"` leaves them out).

`checks.py` holds the rules every answer keeps, whatever was sent; `test_graphql.py` fuzzes
`/graphql` with schemathesis. A webhook endpoint joins with a module of its own here
(`test_webhooks_<provider>.py`, `pytestmark = pytest.mark.fuzz`): Hypothesis writes bodies and
signatures, valid and not, the test posts them and asserts that `http_problems` finds nothing
in `Reply.of(response)` (`json_body=False` for a provider that expects another reply).
"""
