"""The API fuzzer for `/graphql`: schemathesis writes queries and mutations for every root field
of the schema the running app publishes (read by introspection), valid ones and invalid ones,
and sends each with an owner's API key (every scope) of a tenant made for that field. Every
answer keeps schemathesis's GraphQL checks and ours (`tests/fuzz/checks.py`): no 5xx, JSON, no
stack trace or other server insides, no error without `extensions.code` but validation errors,
never INTERNAL_SERVER_ERROR.

This is the slow part of the suite: `-m "not fuzz"` leaves it out, `-m fuzz` runs it alone.
Each root field is one test (`test_graphql_operation[Mutation.checkout]`) and reproducible on
its own: Hypothesis is derandomized and the field's tenant starts empty.

Schemathesis's own ASGI client and pytest plugin run the app on an event loop of their own, and
the app's database pool lives on the suite's: so schemathesis reads the schema from the app's
introspection and writes the cases, and the suite's httpx client sends them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.graphql.schemas import GraphQLSchema

from tests.conftest import MakeTenant, TenantFixture
from tests.fuzz import scalars
from tests.fuzz.checks import Reply, graphql_problems

pytestmark = pytest.mark.fuzz

CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"
ENDPOINT = "/graphql"


def root_fields() -> list[str]:
    """`Query.products`, `Mutation.checkout`, …: every operation schemathesis can fuzz (the
    contract test keeps `schema.graphql` equal to what the app prints)."""
    contract = graphql.build_schema(CONTRACT.read_text())
    roots = (contract.query_type, contract.mutation_type)
    return [f"{root.name}.{field}" for root in roots if root is not None for field in root.fields]


def wabotiq_rules(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Our rules for every answer, as a schemathesis check (it reports them with the case)."""
    problems = graphql_problems(Reply.of(response))
    if problems:
        raise AssertionError("\n".join(problems))


CHECKS = [
    not_a_server_error,  # 5xx, and GraphQL errors raised while resolving
    schemathesis.checks.response_schema_conformance,  # JSON object; no null for a `!` field
    schemathesis.checks.negative_data_rejection,  # invalid documents are refused
    wabotiq_rules,
]


@pytest.fixture(scope="session")
async def fuzzed_schema(app: Any) -> GraphQLSchema:
    """The schema as the app publishes it, with our scalars taught to schemathesis."""
    scalars.register()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(ENDPOINT, json={"query": graphql.get_introspection_query()})
    response.raise_for_status()
    # An explicit config: a schemathesis.toml lying around must not change what CI runs.
    return schemathesis.graphql.from_dict(response.json(), config=schemathesis.Config())


@pytest.fixture(scope="session")
def cases(fuzzed_schema: GraphQLSchema) -> dict[str, st.SearchStrategy[schemathesis.Case]]:
    """Per root field: valid documents and invalid ones (wrong types, missing arguments)."""
    found = {}
    for label in root_fields():
        root, field = label.split(".")
        operation = fuzzed_schema[root][field]
        found[label] = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
    return found


@pytest.fixture
async def owner(make_tenant: MakeTenant) -> TenantFixture:
    """A tenant of the field's own, so what one field's mutations store stays with it."""
    return await make_tenant("Fuzzed shop")


# Measured on the shared 2-core machine: 79 fields, 1,966 cases sent (a field with few distinct
# documents runs out before 25), about 2 min 10 s for `pytest -m fuzz` at a load average of 5,
# 40 s of it provisioning the 79 tenants.
@pytest.mark.parametrize("label", root_fields())
@settings(
    max_examples=25,
    derandomize=True,  # the same cases on every run and machine
    database=None,  # so nothing depends on what an earlier run found
    deadline=None,  # time is not what this checks, and the machine is shared
    # One tenant and client per field, shared by its examples on purpose; slow generation of
    # big documents is expected.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_graphql_operation(
    label: str,
    data: st.DataObject,
    cases: dict[str, st.SearchStrategy[schemathesis.Case]],
    client: httpx.AsyncClient,
    owner: TenantFixture,
) -> None:
    case = data.draw(cases[label], label="case")
    response = await client.post(ENDPOINT, json={"query": case.body}, headers=owner.key_headers())
    case.validate_response(response, checks=CHECKS)
