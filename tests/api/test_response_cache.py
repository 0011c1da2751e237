"""Persisted operations and the public response cache answer exactly what GraphQL would."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient

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
