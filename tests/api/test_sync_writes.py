"""Partner sync writes: idempotency keys make retries safe, expected versions make
concurrent edits safe. Both hold for concurrent copies of one request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    DALIAN_PRODUCT_INSTITUTE,
    ERROR_FIELDS,
    certificate_row,
    institution_row,
    new_uscc,
)

_RECEIPT = "receipt { written firstSeq lastSeq replayed }"
_ERRORS = ERROR_FIELDS.replace("field }", "field currentVersion }")
ISSUE = f"""mutation($input: [CertificateInput!]!, $key: String) {{
  issueCertificates(input: $input, idempotencyKey: $key) {{
    __typename
    ... on IssueCertificatesSuccess {{ certificates {{ number version }} {_RECEIPT} }}
    {_ERRORS}
  }} }}"""
UPSERT = f"""mutation($input: [InstitutionInput!]!, $key: String) {{
  upsertInstitutions(input: $input, idempotencyKey: $key) {{
    __typename
    ... on UpsertInstitutionsSuccess {{ institutions {{ uscc version name }} {_RECEIPT} }}
    {_ERRORS}
  }} }}"""


def batch(prefix: str, size: int = 3) -> list[dict[str, Any]]:
    return [certificate_row(f"SYNC-{prefix}-{n:04d}") for n in range(size)]


async def issue(
    api: GraphQLClient, rows: list[dict[str, Any]], key: str | None, role: Role = Role.PARTNER
) -> dict[str, Any]:
    body = await api(ISSUE, {"input": rows, "key": key}, role=role)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["issueCertificates"]
    return payload


async def upsert(api: GraphQLClient, rows: list[dict[str, Any]], **variables: Any) -> Any:
    """New institutions are registered by their regulator (a partner writes for existing
    institutions its key names)."""
    body = await api(UPSERT, {"input": rows, **variables}, role=Role.REGULATOR)
    assert "errors" not in body, body
    return body["data"]["upsertInstitutions"]


async def test_a_replay_returns_the_first_result_and_writes_nothing(api: GraphQLClient) -> None:
    first = await issue(api, batch("A"), "batch-a")
    head = await api.store.change_head()

    again = await issue(api, batch("A"), "batch-a")

    assert first["receipt"]["replayed"] is False
    assert again["receipt"] == {**first["receipt"], "replayed": True}
    assert again["certificates"] == first["certificates"]
    assert await api.store.change_head() == head


async def test_a_key_reused_for_other_input_is_refused(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    await issue(api, batch("A"), "batch-a")
    before = await snapshot()

    reused = await issue(api, batch("B"), "batch-a")

    assert reused["__typename"] == "Conflict"
    assert (reused["code"], reused["field"]) == ("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")
    assert await snapshot() == before


async def test_keys_belong_to_the_credential(api: GraphQLClient) -> None:
    await issue(api, batch("A"), "shared-name")

    other = await issue(api, batch("A"), "shared-name", role=Role.ADMIN)

    assert other["__typename"] == "IssueCertificatesSuccess"
    assert other["receipt"]["replayed"] is False


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "ключ"])
async def test_a_malformed_key_is_refused(api: GraphQLClient, key: str) -> None:
    refused = await issue(api, batch("A"), key)

    assert (refused["code"], refused["field"]) == ("INVALID_IDEMPOTENCY_KEY", "idempotencyKey")


@pytest.mark.neo4j_needs("counter_lock")
async def test_ten_concurrent_copies_write_once(api: GraphQLClient) -> None:
    await api.key(Role.PARTNER)
    head = await api.store.change_head()

    copies = await asyncio.gather(*(issue(api, batch("C", 5), "ten-copies") for _ in range(10)))

    assert sorted(c["receipt"]["replayed"] for c in copies) == [False] + [True] * 9
    assert len({(c["receipt"]["firstSeq"], c["receipt"]["lastSeq"]) for c in copies}) == 1
    changes = await api.store.get_changes(after=head.seq, limit=1000)
    assert sum(c.entity == "Certificate" for c in changes) == 5  # once (plus moved scores)
    # Each copy rescored the issuer on its way: its score is stored once, not ten times
    # (twenty-third session's review: nine identical CREDIT changes).
    scores = [c for c in changes if c.op == "CREDIT"]
    assert len(scores) == len({c.key for c in scores}) <= 1, scores
    again = await issue(api, batch("C", 5), "ten-copies")
    assert again["receipt"]["replayed"] is True


async def test_a_stale_expected_version_gets_the_current_one(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    row = institution_row(new_uscc(1))
    created = await upsert(api, [{**row, "expectedVersion": 0}])
    assert created["institutions"][0]["version"] == 1
    await api.key(Role.REGULATOR)
    before = await snapshot()

    stale = await upsert(api, [{**row, "name": "改名", "expectedVersion": 0}])

    assert stale["__typename"] == "Conflict"
    [problem] = stale["problems"]
    assert problem == {
        "code": "STALE_VERSION",
        "message": "expected version 0, stored version is 1",
        "field": "input[0].expectedVersion",
        "currentVersion": 1,
    }
    assert await snapshot() == before
    fresh = await upsert(api, [{**row, "name": "改名", "expectedVersion": 1}])
    assert fresh["institutions"][0] == {"uscc": row["uscc"], "version": 2, "name": "改名"}


async def test_fifty_concurrent_editors_of_one_version_one_wins(api: GraphQLClient) -> None:
    row = institution_row(new_uscc(2))
    await upsert(api, [row])

    outcomes = await asyncio.gather(
        *(upsert(api, [{**row, "name": f"编辑者{n}", "expectedVersion": 1}]) for n in range(50))
    )

    kinds = sorted(o["__typename"] for o in outcomes)
    assert kinds == ["Conflict"] * 49 + ["UpsertInstitutionsSuccess"]
    [stored] = await api.store.get_institutions([row["uscc"]])
    assert stored.version == 2


async def test_a_certificate_status_change_can_expect_a_version(api: GraphQLClient) -> None:
    number = "SYNC-V-0001"
    issued = await issue(api, [certificate_row(number, holder=DALIAN_PRODUCT_INSTITUTE)], None)
    version = issued["certificates"][0]["version"]
    change = """mutation($input: [CertificateStatusChangeInput!]!) {
      changeCertificateStatus(input: $input) { __typename
        ... on MutationError { code problems { code currentVersion } } } }"""
    row = {
        "number": number,
        "status": "SUSPENDED",
        "reason": "监督审核不合格",
        "effectiveOn": "2026-11-22",
    }

    stale = await api(change, {"input": [{**row, "expectedVersion": version + 7}]}, role=Role.ADMIN)
    fresh = await api(change, {"input": [{**row, "expectedVersion": version}]}, role=Role.ADMIN)

    payload = stale["data"]["changeCertificateStatus"]
    assert payload["problems"] == [{"code": "STALE_VERSION", "currentVersion": version}]
    assert (
        fresh["data"]["changeCertificateStatus"]["__typename"] == "ChangeCertificateStatusSuccess"
    )
