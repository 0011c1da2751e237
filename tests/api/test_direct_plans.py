"""Persisted documents answered by their direct plans (``registry.resolvers.direct``) answer
byte for byte what the GraphQL executor answers, and give every doubtful case back to it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import parse

from graph.cypher_store import CypherStore
from registry.domain.vocabulary import Role
from registry.resolvers import direct
from registry.resolvers.root import build_schema
from registry.settings import Settings
from tests.api.conftest import GraphQLClient
from tests.api.test_security_controls import registry_app

VERIFY = (
    Path(__file__).resolve().parents[2] / "registry/persisted/verify_certificate.graphql"
).read_text(encoding="utf-8")
VERIFY_HASH = hashlib.sha256(VERIFY.encode()).hexdigest()
# The same operation in another text: no plan knows it, so the executor answers it.
EXECUTED = VERIFY + "\n# through the executor\n"
NUMBERS = [
    "CCSC23SC0102R2",  # valid, expires soon
    "001OP2600391",  # suspended
    "YZC24S20119R1",  # withdrawn
    "CCSC17SC0100",  # expired
    "HXC-25-S0163",  # outside the accredited scope
    "YZC26GP00042",  # issued under a suspended accreditation
    " ccsc23sc0102r2 ",  # as people type it
    "CCSC99SC9999",  # not found
]


@pytest.fixture
async def client(shared_seeded_store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """The seeded app without its response cache: every answer is computed."""
    app = registry_app(shared_seeded_store, response_cache_entries=0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield GraphQLClient(http, shared_seeded_store)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each run of a direct plan answered (True) or gave the request back."""
    answered: list[bool] = []
    run = direct.DirectPlan.run

    async def counted(plan: direct.DirectPlan, *args: Any) -> object | None:
        answer = await run(plan, *args)
        answered.append(answer is not None)
        return answer

    monkeypatch.setattr(direct.DirectPlan, "run", counted)
    return answered


def _without_clock(body: bytes) -> bytes:
    answer = orjson.loads(body)
    found = (answer.get("data") or {}).get("verifyCertificate")
    if found:
        found.pop("checkedAt")
    return orjson.dumps(answer)


async def _persisted(
    client: GraphQLClient, variables: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.http.post(
        "/graphql",
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": VERIFY_HASH}},
            "variables": variables,
        },
        headers=headers or {},
    )


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.REGULATOR])
async def test_the_direct_answer_is_the_executor_s_byte_for_byte(
    client: GraphQLClient, runs: list[bool], role: Role
) -> None:
    headers = {} if role is Role.PUBLIC else {"Authorization": f"Bearer {await client.key(role)}"}
    for number in NUMBERS:
        for holder in (None, "大连产品质量检验检测研究院", "大连某某有限公司"):
            variables = {"number": number, "holderName": holder}
            fast = await _persisted(client, variables, headers)
            executed = await client.http.post(
                "/graphql", json={"query": EXECUTED, "variables": variables}, headers=headers
            )
            assert (fast.status_code, fast.headers["content-type"]) == (
                executed.status_code,
                executed.headers["content-type"],
            )
            assert _without_clock(fast.content) == _without_clock(executed.content)
    assert runs == [True] * len(NUMBERS) * 3


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({}, "BAD_VARIABLES"),
        ({"number": 42}, "BAD_VARIABLES"),
        ({"number": "CCSC23SC0102R2", "holderName": "名" * 201}, "TOO_LONG"),
        ({"number": "CCSC\u0000"}, "INVALID_TEXT"),
    ],
)
async def test_what_the_plan_is_not_sure_of_graphql_answers(
    client: GraphQLClient, runs: list[bool], variables: dict[str, Any], code: str
) -> None:
    fast = await _persisted(client, variables)
    executed = await client.http.post("/graphql", json={"query": EXECUTED, "variables": variables})

    assert [e["extensions"]["code"] for e in fast.json()["errors"]] == [code]
    assert fast.json()["errors"][0]["message"] == executed.json()["errors"][0]["message"]
    assert runs in ([False], [])  # given back, or refused before it ran


def _plan(document: str, **settings: Any) -> direct.DirectPlan | None:
    config = Settings(env="test", secret_key="s" * 40, **settings)
    return direct.plan_for(build_schema(config), parse(document), config)


def test_the_shipped_verify_document_has_a_plan() -> None:
    plan = _plan(VERIFY)
    assert plan is not None
    assert (plan.name, plan.root_key) == ("VerifyCertificate", "verifyCertificate")


@pytest.mark.parametrize(
    "document",
    [
        # a field with a resolver of its own (it reads the store)
        'query { verifyCertificate(number: "X") { certificate { starsExplained { cpsq } } } }',
        # fragments, directives, introspection, repeated response names
        'query { ...F } fragment F on Query { verifyCertificate(number: "X") { verdict } }',
        'query($s: Boolean!) { verifyCertificate(number: "X") { verdict @include(if: $s) } }',
        'query { verifyCertificate(number: "X") { __typename verdict } }',
        'query { verifyCertificate(number: "X") { verdict verdict } }',
        # two root fields, a root field without a plan
        'query { a: verifyCertificate(number: "X") { verdict } '
        'b: verifyCertificate(number: "Y") { verdict } }',
        'query { certificate(number: "X") { number } }',
    ],
)
def test_documents_that_need_the_executor_have_no_plan(document: str) -> None:
    assert _plan(document) is None


def test_a_document_past_the_configured_limits_has_no_plan() -> None:
    aliased = 'query { v: verifyCertificate(number: "X") { a: verdict b: number } }'
    assert _plan(aliased, max_aliases=2) is None  # three aliases
    assert _plan(aliased, max_aliases=3) is not None
