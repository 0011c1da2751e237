"""Persisted operations and the public response cache answer exactly what GraphQL would."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Message

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.http.gate import GraphQLGate
from registry.http.response_cache import ResponseCache
from registry.settings import Settings
from tests.api import conftest as api_conftest
from tests.api.conftest import GraphQLClient
from tests.api.test_cached_lookups import call
from tests.conftest import SECRET, TODAY

PERSISTED = Path(__file__).resolve().parents[2] / "registry" / "persisted"
VERIFY = (PERSISTED / "verify_certificate.graphql").read_text(encoding="utf-8")
VERIFY_HASH = hashlib.sha256(VERIFY.encode()).hexdigest()
NUMBER = "CCSC23SC0102R2"


async def _persisted(client: GraphQLClient, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.http.post(
        "/graphql",
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": VERIFY_HASH}},
            "variables": variables,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _without_clock(body: dict[str, Any]) -> dict[str, Any]:
    result = orjson.loads(orjson.dumps(body))
    result["data"]["verifyCertificate"].pop("checkedAt")
    return result  # type: ignore[no-any-return]


async def test_a_persisted_operation_answers_like_its_full_text(api: GraphQLClient) -> None:
    by_hash = await _persisted(api, {"number": NUMBER})
    by_text = await api(VERIFY, {"number": NUMBER})
    assert _without_clock(by_hash) == _without_clock(by_text)
    assert by_hash["data"]["verifyCertificate"]["verdict"] == "VALID"


async def test_a_cached_answer_equals_a_freshly_executed_one(api: GraphQLClient) -> None:
    await api(VERIFY, {"number": NUMBER})
    cached = await api(VERIFY, {"number": NUMBER})
    # A credentialed caller never gets cached answers: this one is executed anew.
    fresh = await api(VERIFY, {"number": NUMBER}, role=Role.REGULATOR)
    assert _without_clock(cached) == _without_clock(fresh)


async def test_a_write_is_seen_by_the_next_public_answer(api: GraphQLClient) -> None:
    before = await api(VERIFY, {"number": NUMBER})
    assert before["data"]["verifyCertificate"]["verdict"] == "VALID"
    suspended = await api(
        "mutation($n: String!) { changeCertificateStatus(input: [{number: $n, status: SUSPENDED,"
        ' reason: "监督审核不合格"}]) { __typename } }',
        {"n": NUMBER},
        role=Role.ADMIN,
    )
    assert suspended["data"]["changeCertificateStatus"]["__typename"] == (
        "ChangeCertificateStatusSuccess"
    )
    after = await api(VERIFY, {"number": NUMBER})
    assert after["data"]["verifyCertificate"]["verdict"] == "NOT_VALID"


async def test_an_unknown_persisted_hash_is_a_clear_error(api: GraphQLClient) -> None:
    response = await api.http.post(
        "/graphql",
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
            "variables": {},
        },
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_query_that_does_not_match_its_hash_is_refused(api: GraphQLClient) -> None:
    response = await api.http.post(
        "/graphql",
        json={
            "query": "{ auditCheckpoint { seq } }",
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": VERIFY_HASH}},
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_MISMATCH"


async def test_a_cached_answer_says_when_it_was_confirmed(api: GraphQLClient) -> None:
    first = await api(VERIFY, {"number": NUMBER})
    again = await api(VERIFY, {"number": NUMBER})
    stamps = [
        datetime.fromisoformat(b["data"]["verifyCertificate"]["checkedAt"]) for b in (first, again)
    ]
    assert stamps[1] > stamps[0]


# Bounded: what strangers send must not grow the cache -----------------------------------------


def _gate(app: Starlette) -> GraphQLGate:
    [gate] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(gate, GraphQLGate)
    return gate


async def _public_client(store: CypherStore, **settings: Any) -> tuple[Starlette, GraphQLClient]:
    app = create_app(
        Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False, **settings),
        store,
        today=lambda: TODAY,
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r.test")
    return app, GraphQLClient(http, store)


@pytest.mark.parametrize(
    "variant",
    [
        lambda n: f"{VERIFY}#{n}",  # a comment suffix
        lambda n: VERIFY.replace(" ", " " * (n % 7 + 1)).replace("{", "{" + "\n" * (n % 5)),
        lambda n: VERIFY.replace("(", "(" + "," * n),  # commas are insignificant too
    ],
    ids=["comment-suffix", "whitespace", "commas"],
)
async def test_variants_of_one_document_share_one_cached_answer(
    shared_seeded_store: CypherStore, variant: Callable[[int], str]
) -> None:
    app, client = await _public_client(shared_seeded_store, public_lookups_per_minute=1000)
    async with client.http:
        answers = [await client(variant(n), {"number": NUMBER}) for n in range(100)]

    assert len({orjson.dumps(_without_clock(a)) for a in answers}) == 1
    assert len(_gate(app).cache) == 1


async def test_the_cache_holds_no_more_bytes_than_its_budget(
    shared_seeded_store: CypherStore,
) -> None:
    budget = 1_000  # room for two or three of these answers with their keys
    app, client = await _public_client(
        shared_seeded_store, response_cache_bytes=budget, public_lookups_per_minute=1000
    )
    query = "query($c: String!) { region(code: $c) { code name level parent { name } } }"
    async with client.http:
        for code in ("110000", "210000", "210200", "310000", "440000", "510000"):
            assert "errors" not in await client(query, {"c": code})
    cache = _gate(app).cache

    assert 0 < cache.weight <= budget
    assert 0 < len(cache) < 6


def test_an_answer_heavier_than_the_budget_is_not_kept() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=1_000)
    key = ResponseCache.key("{ a }", {}, None, TODAY)

    cache.put(key, 1, b"x" * 2_000)

    assert cache.get(key, 1) is None
    assert cache.weight == 0


async def test_a_public_read_sent_as_the_write_is_answered_sees_it(
    seeded_store: CypherStore,
) -> None:
    """A public verification sent the moment a suspension's answer arrived was answered
    VALID from the cache: the answer went out before the cache learnt of the write."""
    app = create_app(api_conftest.test_settings(), seeded_store)
    key = await create_api_key(seeded_store, role=Role.ADMIN, label="t", actor="test")
    suspend = orjson.dumps(
        {
            "query": "mutation($n: String!) { changeCertificateStatus(input: [{number: $n,"
            ' status: SUSPENDED, reason: "监督审核不合格"}]) { __typename } }',
            "variables": {"n": NUMBER},
        }
    )
    seen: list[dict[str, Any]] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
    ) as http:
        public = GraphQLClient(http, seeded_store)
        assert (await public(VERIFY, {"number": NUMBER}))["data"]["verifyCertificate"][
            "verdict"
        ] == "VALID"  # and now cached

        async def read_as_answered(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                assert b"ChangeCertificateStatusSuccess" in message["body"], message
                seen.append(await public(VERIFY, {"number": NUMBER}))

        bearer = (b"authorization", b"Bearer " + key.encode())
        await call(app, suspend, (bearer,), then=read_as_answered)

    [after] = seen
    assert after["data"]["verifyCertificate"]["verdict"] == "NOT_VALID", after
