"""Operations generated from the schema itself: whatever document a client sends, anonymous or
with an ADMIN key, the answer is JSON with data or coded errors, never a server error and never
an unhandled exception (masked as INTERNAL_ERROR).

Bounded on purpose (a few dozen examples per test): a smoke fuzz that runs with every suite,
not a campaign. ``scripts/fuzz-served`` does the same over HTTP against `registry serve`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC
from functools import cache
from typing import Any

import httpx
import hypothesis_graphql
import pytest
from hypothesis import (
    HealthCheck,
    assume,
    currently_in_test_context,
    event,
    given,
    note,
    settings,
)
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from graph.cypher_store import CypherStore
from graph.neo4j_store import Neo4jStore
from registry.app import create_app
from registry.domain.vocabulary import Role
from registry.resolvers.root import build_schema
from registry.schema.errors import MASKED_MESSAGE
from registry.settings import Settings
from tests.api.conftest import GraphQLClient
from tests.conftest import SECRET, TODAY, neo4j_engine

ROLES = [Role.PUBLIC, Role.ADMIN]
# Real dates and timestamps, far past and far future included: text that is no date stops at
# validation, and the resolvers are what is under test here.
SCALARS = {
    "Date": st.dates().map(str).map(nodes.String),
    "DateTime": st.datetimes(timezones=st.sampled_from([None, UTC]))
    .map(lambda moment: moment.isoformat())
    .map(nodes.String),
}
# NUL is generated too: the registry refuses it (and lone surrogates) with INVALID_TEXT
# before anything reaches the store.
ALLOW_NUL = True
FUZZ = settings(
    max_examples=40,
    deadline=None,  # a whole app request on a busy 2-core machine
    derandomize=True,  # the same examples on every run: a CI failure can be replayed
    # The examples share one app and store, on purpose; and generating from a schema this size
    # can be slow on a busy machine.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@cache
def registry_sdl() -> str:
    """The schema the app serves, built afresh so the fuzz can never test a stale snapshot."""
    return build_schema(Settings(env="test")).as_str()


def _operations(generate: Any, **options: Any) -> st.SearchStrategy[str]:
    return st.deferred(
        lambda: generate(registry_sdl(), custom_scalars=SCALARS, allow_x00=ALLOW_NUL, **options)
    )


QUERIES = _operations(hypothesis_graphql.queries)
MUTATIONS = _operations(hypothesis_graphql.mutations)
# Queries and mutations with exactly one schema violation each (a wrong type, a missing
# argument, an unknown enum value): refused before anything runs.
VIOLATIONS = _operations(hypothesis_graphql.from_schema, mode=hypothesis_graphql.Mode.NEGATIVE)


async def _unlimited_client(store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """The seeded app with rate limits out of reach: a 429 would only hide the answer."""
    lifted = Settings(
        env="test",
        secret_key=SECRET.decode(),
        load_seeds_when_empty=False,
        requests_per_minute=1_000_000,
        public_lookups_per_minute=1_000_000,
    )
    app = create_app(lifted, store, today=lambda: TODAY)
    # Report what the app answers, as a server would, rather than raising in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield GraphQLClient(http, store)


@pytest.fixture
async def fuzz_reader(shared_seeded_store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """Queries only: the store is shared with the other read-only tests."""
    async for client in _unlimited_client(shared_seeded_store):
        yield client


@pytest.fixture
async def fuzz_writer(seeded_store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """Mutations: a freshly seeded store of this test's own, kept across its examples."""
    async for client in _unlimited_client(seeded_store):
        yield client


def assert_answered(response: httpx.Response) -> dict[str, Any]:
    """No 5xx; a JSON body with data and/or errors; every error coded and none of them an
    exception the resolvers let through."""
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body, dict), body
    assert body.keys() & {"data", "errors"}, body
    codes = [f"HTTP {response.status_code}"]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        message = error.get("message")
        assert isinstance(code, str), error
        assert isinstance(message, str), error
        assert message, error
        assert code != "INTERNAL_ERROR", error
        assert message != MASKED_MESSAGE, error
        assert "Traceback" not in message, error
        codes.append(code)
    if currently_in_test_context():  # what the examples met, for --hypothesis-show-statistics
        for code in codes:
            event(code)
    return body


def searches_in_full_text(store: CypherStore) -> bool:
    """Whether the store under test has full-text search: FalkorDB and Neo4j do; a Bolt
    server that lacks it (ArcadeDB) fails ``searchCertificates``, which the search tests
    mark as expected failures naming the engine."""
    return not isinstance(store, Neo4jStore) or neo4j_engine().lacks("full_text") is None


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(document=QUERIES)
async def test_any_generated_query_is_answered_without_an_internal_error(
    fuzz_reader: GraphQLClient, role: Role, document: str
) -> None:
    assume(searches_in_full_text(fuzz_reader.store) or "searchCertificates" not in document)
    note(document)
    assert_answered(await fuzz_reader.post(document, role=role))


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(document=MUTATIONS)
async def test_any_generated_mutation_is_answered_without_an_internal_error(
    fuzz_writer: GraphQLClient, role: Role, document: str
) -> None:
    note(document)
    assert_answered(await fuzz_writer.post(document, role=role))


@FUZZ
@given(document=VIOLATIONS)
async def test_any_operation_that_breaks_the_schema_is_refused_with_a_code(
    fuzz_reader: GraphQLClient, document: str
) -> None:
    # Anonymous: were a document let through after all, it still could not write.
    note(document)
    body = assert_answered(await fuzz_reader.post(document))
    assert body.get("errors"), body
    assert body.get("data") is None, body


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (
            "query($n: String!) { searchCertificates(query: $n) { totalCount } }",
            {"n": "大连\x00"},
            "INVALID_TEXT",
        ),
        (  # no UTF-8 text has a lone surrogate: the body is refused before it is read
            "query($n: String!) { searchCertificates(query: $n) { totalCount } }",
            {"n": "大连\ud800"},
            "INVALID_JSON",
        ),
        ('{ searchCertificates(query: "大连\\u0000") { totalCount } }', {}, "INVALID_TEXT"),
        ('{ institutions(filter: {nameContains: "\\u0000x"}) { totalCount } }', {}, "INVALID_TEXT"),
    ],
    ids=["nul-variable", "surrogate-variable", "nul-literal", "nul-in-a-filter"],
)
async def test_strings_the_store_cannot_carry_are_refused_not_crashed(
    fuzz_reader: GraphQLClient, query: str, variables: dict[str, str], code: str
) -> None:
    # As ASCII JSON: a lone surrogate is a valid JSON escape (\ud800), though not UTF-8.
    body = json.dumps({"query": query, "variables": variables})
    response = await fuzz_reader.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_answered(response)
    assert response.json()["errors"][0]["extensions"]["code"] == code
