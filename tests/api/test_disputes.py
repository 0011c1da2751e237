"""Disputes through the API: anyone files one about an existing record (rate-limited as a
public lookup); the record's issuer or the regulator of its region answers it once, within
its time limit; the contact reaches those two only; and every issuer's data-quality score is
public and explained (issue 14)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.settings import Settings
from tests.api.conftest import CNAS, GraphQLClient
from tests.api.conftest import test_settings as settings_of_tests
from tests.api.operations import CCSC, CQC, ERROR_FIELDS, YUEZHI
from tests.conftest import SECRET, TODAY

CERTIFICATE = "CCSC24SC0502R2"  # CCSC's, held in Dalian (210204)
CONTACT = "holder@example.invalid"

FILE = (
    """
mutation($input: DisputeInput!) {
  disputeRecord(input: $input) {
    __typename
    ... on DisputeRecordSuccess {
      dispute { id entity key field claim institution status filedOn dueBy overdue contact }
      receipt { written }
    }"""
    + ERROR_FIELDS
    + "} }"
)
RESOLVE = (
    """
mutation($input: ResolveDisputeInput!) {
  resolveDispute(input: $input) {
    __typename
    ... on ResolveDisputeSuccess {
      dispute { id status answer answeredBy answeredOn version }
    }"""
    + ERROR_FIELDS
    + "} }"
)
READ = """query($id: String!) {
  dispute(id: $id) { id status claim contact overdue dueBy }
}"""
LISTED = """query($uscc: String!) {
  institution(uscc: $uscc) { disputes { id contact } }
}"""
QUALITY = """query($uscc: String!) {
  institution(uscc: $uscc) {
    dataQuality { score factors { name value count outOf points applies explanation } }
  }
}"""


def _row(**given: str) -> dict[str, str]:
    row = {
        "entity": "CERTIFICATE",
        "key": CERTIFICATE,
        "field": "status",
        "claim": "证书已恢复有效，此处仍显示暂停",
        "contact": CONTACT,
    }
    return row | given


async def _file(api: GraphQLClient, **given: Any) -> dict[str, Any]:
    caller = {k: given.pop(k) for k in ("role", "institution", "bearer") if k in given}
    body = await api(FILE, {"input": _row(**given)}, **caller)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["disputeRecord"]
    return payload


async def _resolve(api: GraphQLClient, id: str, outcome: str, answer: str, **caller: Any) -> Any:
    body = await api(RESOLVE, {"input": {"id": id, "outcome": outcome, "answer": answer}}, **caller)
    assert "errors" not in body, body
    return body["data"]["resolveDispute"]


async def _regulator(store: CypherStore, region: str) -> str:
    return await create_api_key(
        store, role=Role.REGULATOR, regions=(region,), label="test", actor="test"
    )


async def test_anyone_files_a_dispute_due_thirty_days_later(api: GraphQLClient) -> None:
    filed = await _file(api)
    assert filed["__typename"] == "DisputeRecordSuccess"
    dispute = filed["dispute"]
    assert len(dispute["id"]) == 32
    assert (dispute["entity"], dispute["key"], dispute["institution"]) == (
        "CERTIFICATE",
        CERTIFICATE,
        CCSC,
    )
    assert (dispute["status"], dispute["filedOn"], dispute["dueBy"]) == (
        "OPEN",
        TODAY.isoformat(),
        (TODAY + timedelta(days=30)).isoformat(),
    )
    assert (dispute["overdue"], dispute["contact"]) == (False, None)
    read = (await api(READ, {"id": dispute["id"]}))["data"]["dispute"]
    assert (read["claim"], read["contact"]) == (_row()["claim"], None)


async def test_a_dispute_about_a_record_that_does_not_exist_is_refused(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    head = await seeded_store.change_head()
    refused = await _file(api, key="CCSC99XX9999")
    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "NotFound",
        "NOT_FOUND",
        "input.key",
    )
    unknown_field = await _file(api, field="colour")
    assert (unknown_field["__typename"], unknown_field["code"]) == ("InvalidInput", "INVALID_VALUE")
    assert await seeded_store.change_head() == head


async def test_the_contact_reaches_the_issuer_and_the_covering_regulator_only(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    id = (await _file(api))["dispute"]["id"]
    liaoning = await _regulator(seeded_store, "210000")
    guangdong = await _regulator(seeded_store, "440000")

    async def contact(**caller: Any) -> Any:
        return (await api(READ, {"id": id}, **caller))["data"]["dispute"]["contact"]

    async def listed(**caller: Any) -> Any:
        return (await api(LISTED, {"uscc": CCSC}, **caller))["data"]["institution"]["disputes"]

    assert await contact(role=Role.CERTIFICATION_BODY, institution=CCSC) == CONTACT
    assert await contact(bearer=liaoning) == CONTACT
    assert await contact(role=Role.ADMIN) == CONTACT
    assert await contact(role=Role.CERTIFICATION_BODY, institution=CQC) is None
    assert await contact(bearer=guangdong) is None
    assert await contact() is None
    assert await listed(role=Role.CERTIFICATION_BODY, institution=CCSC) == [
        {"id": id, "contact": CONTACT}
    ]
    assert await listed(bearer=liaoning) == [{"id": id, "contact": CONTACT}]
    assert await listed(bearer=guangdong) == []
    assert await listed(role=Role.CERTIFICATION_BODY, institution=CQC) == []
    assert await listed() is None

    feed = await api(
        "{ changes(entities: [Dispute]) { edges { node { op data } } } }", role=Role.ADMIN
    )
    changes = [edge["node"] for edge in feed["data"]["changes"]["edges"]]
    assert [c["op"] for c in changes] == ["FILE"]
    assert all(CONTACT not in c["data"] and "contact" not in c["data"] for c in changes)


async def test_only_the_issuer_or_the_covering_regulator_answers_and_only_once(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    id = (await _file(api))["dispute"]["id"]
    guangdong = await _regulator(seeded_store, "440000")
    await api.key(Role.CERTIFICATION_BODY, CQC)  # keys are logged too: made before the head
    await api.key(Role.ASSOCIATION)
    head = await seeded_store.change_head()
    for caller in (
        {},
        {"role": Role.CERTIFICATION_BODY, "institution": CQC},
        {"bearer": guangdong},
        {"role": Role.ASSOCIATION},
    ):
        refused = await _resolve(api, id, "REJECTED", "记录无误", **caller)
        assert (refused["__typename"], refused["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
    assert await seeded_store.change_head() == head

    upheld = await _resolve(
        api, id, "UPHELD", "状态将更正为有效", role=Role.CERTIFICATION_BODY, institution=CCSC
    )
    assert upheld["dispute"] == {
        "id": id,
        "status": "UPHELD",
        "answer": "状态将更正为有效",
        "answeredBy": CCSC,
        "answeredOn": TODAY.isoformat(),
        "version": 2,
    }
    again = await _resolve(api, id, "REJECTED", "记录无误", role=Role.ADMIN)
    assert (again["__typename"], again["code"]) == ("Conflict", "DISPUTE_CLOSED")
    unknown = await _resolve(api, "f" * 32, "REJECTED", "记录无误", role=Role.ADMIN)
    assert (unknown["__typename"], unknown["code"]) == ("NotFound", "NOT_FOUND")


async def test_a_rejection_needs_a_reason(api: GraphQLClient) -> None:
    id = (await _file(api))["dispute"]["id"]
    refused = await _resolve(
        api, id, "REJECTED", " ", role=Role.CERTIFICATION_BODY, institution=CCSC
    )
    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "InvalidInput",
        "TOO_SHORT",
        "input.answer",
    )


async def test_an_institutions_own_record_is_answered_by_its_regulator_not_by_itself(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    id = (await _file(api, entity="INSTITUTION", key=CCSC, field="address"))["dispute"]["id"]
    itself = await _resolve(
        api, id, "UPHELD", "地址已更正", role=Role.CERTIFICATION_BODY, institution=CCSC
    )
    assert itself["__typename"] == "NotAuthorized"
    beijing = await _regulator(seeded_store, "110000")  # CCSC is registered in Beijing
    answered = await _resolve(api, id, "UPHELD", "地址已更正", bearer=beijing)
    assert (answered["dispute"]["status"], answered["dispute"]["answeredBy"]) == (
        "UPHELD",
        "REGULATOR",
    )


async def test_an_open_dispute_past_its_last_day_is_overdue(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    id = (await _file(api))["dispute"]["id"]

    async def overdue_on(day: date) -> bool:
        app = create_app(settings_of_tests(), seeded_store, today=lambda: day)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as h:
            body = (await h.post("/graphql", json={"query": READ, "variables": {"id": id}})).json()
        result: bool = body["data"]["dispute"]["overdue"]
        return result

    assert not await overdue_on(TODAY + timedelta(days=30))
    assert await overdue_on(TODAY + timedelta(days=31))


LIMIT = 3


@pytest.fixture
async def limited(seeded_store: CypherStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        signing_keys_dir=tmp_path / "keys",
        env="test",
        secret_key=SECRET.decode(),
        load_seeds_when_empty=False,
        public_lookups_per_minute=LIMIT,
        requests_per_minute=50,
    )
    app = create_app(settings, seeded_store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield http


async def test_filing_costs_what_a_public_lookup_costs(limited: httpx.AsyncClient) -> None:
    async def post(query: str, variables: dict[str, Any]) -> httpx.Response:
        return await limited.post("/graphql", json={"query": query, "variables": variables})

    assert (await post(FILE, {"input": _row()})).status_code == 200
    lookup = '{ verifyCertificate(number: "CCSC24SC0502R2") { verdict } }'
    assert (await post(lookup, {})).status_code == 200
    assert (await post(FILE, {"input": _row()})).status_code == 200
    refused = await post(FILE, {"input": _row()})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_aliased_filings_each_count(limited: httpx.AsyncClient) -> None:
    fields = " ".join(
        f"d{i}: disputeRecord(input: $input) {{ __typename }}" for i in range(LIMIT + 1)
    )
    query = f"mutation($input: DisputeInput!) {{ {fields} }}"
    response = await limited.post("/graphql", json={"query": query, "variables": {"input": _row()}})
    assert response.status_code == 429


async def test_an_upheld_dispute_shows_in_the_issuers_public_data_quality(
    api: GraphQLClient,
) -> None:
    def factor(body: dict[str, Any], name: str) -> dict[str, Any]:
        quality = body["data"]["institution"]["dataQuality"]
        found: dict[str, Any] = next(f for f in quality["factors"] if f["name"] == name)
        return found

    before = await api(QUALITY, {"uscc": CCSC})
    score = before["data"]["institution"]["dataQuality"]["score"]
    assert 0 <= score <= 100
    assert {f["name"] for f in before["data"]["institution"]["dataQuality"]["factors"]} == {
        "LATE_STATUS_RECORDING",
        "DISPUTES_UPHELD",
        "ANOMALIES",
        "MISSING_FIELDS",
    }
    assert factor(before, "DISPUTES_UPHELD")["count"] == 0

    id = (await _file(api))["dispute"]["id"]
    await _resolve(api, id, "UPHELD", "已更正", role=Role.CERTIFICATION_BODY, institution=CCSC)
    after = await api(QUALITY, {"uscc": CCSC})
    upheld = factor(after, "DISPUTES_UPHELD")
    assert (upheld["count"], upheld["outOf"]) == (1, factor(before, "MISSING_FIELDS")["outOf"])
    assert "1 disputes about its" in upheld["explanation"]
    assert after["data"]["institution"]["dataQuality"]["score"] < score
    # An institution that issues no certificate has no score.
    assert (await api(QUALITY, {"uscc": CNAS}))["data"]["institution"]["dataQuality"] is None


async def test_a_page_of_institutions_costs_one_aggregation_per_factor(
    reader: GraphQLClient, shared_seeded_store: CypherStore
) -> None:
    page = "{ institutions(first: 50) { edges { node { uscc dataQuality { score } } } } }"
    calls = shared_seeded_store.calls
    names = ("get_data_quality_counts.certificates", "get_issue_groups")
    before = [calls[name] for name in names]
    body = await reader(page)
    scored = [e for e in body["data"]["institutions"]["edges"] if e["node"]["dataQuality"]]
    assert len(scored) > 1
    assert [calls[name] - b for name, b in zip(names, before, strict=True)] == [1, 1]


async def test_the_anomalies_factor_counts_what_the_chain_of_trust_finds(
    reader: GraphQLClient,
) -> None:
    """The regulators' anomaly report judges certificate by certificate; the score judges
    each family, standard and issue day once. They count the same certificates issued in
    the last three years, issuer by issuer (YUEZHI issued YZC26GP00042 unaccredited)."""
    report = await reader(
        """{ anomalies { certificates { certificate { number issuedOn issuer { uscc } } } } }""",
        role=Role.REGULATOR,
    )
    since = date(TODAY.year - 3, TODAY.month, TODAY.day).isoformat()
    found: dict[str, list[str]] = {}
    for a in report["data"]["anomalies"]["certificates"]:
        if a["certificate"]["issuedOn"] >= since:
            found.setdefault(a["certificate"]["issuer"]["uscc"], []).append(
                a["certificate"]["number"]
            )
    assert "YZC26GP00042" in found[YUEZHI]
    for issuer, numbers in found.items():
        body = await reader(QUALITY, {"uscc": issuer})
        quality = body["data"]["institution"]["dataQuality"]
        anomalies = next(f for f in quality["factors"] if f["name"] == "ANOMALIES")
        assert anomalies["count"] == len(numbers), issuer
        assert anomalies["value"] == pytest.approx(len(numbers) / anomalies["outOf"], abs=1e-4)
        assert anomalies["points"] < 25  # its whole weight is 25 of 100


async def test_an_accreditation_is_answered_by_the_body_that_granted_it(
    api: GraphQLClient,
) -> None:
    filed = await _file(api, entity="ACCREDITATION", key="CNAS-C001-M", field="scope")
    dispute = filed["dispute"]
    assert (dispute["institution"], dispute["status"]) == (CNAS, "OPEN")
    holder = await _resolve(
        api, dispute["id"], "REJECTED", "范围无误", role=Role.CERTIFICATION_BODY, institution=CQC
    )
    assert holder["__typename"] == "NotAuthorized"  # CQC holds it; CNAS granted it
    body = await _resolve(api, dispute["id"], "UPHELD", "范围将更正", role=Role.ACCREDITATION_BODY)
    assert (body["dispute"]["status"], body["dispute"]["answeredBy"]) == ("UPHELD", CNAS)


async def test_an_issuer_upholds_a_dispute_of_its_record_and_its_regulator_rejects_it(
    api: GraphQLClient, seeded_store: CypherStore
) -> None:
    """The issuer rejected a dispute about its own certificate, which closed it, and the
    regulator's answer was then refused: the issuer decided the disputes its own
    data-quality score counts (twenty-fourth session's review)."""
    id = (await _file(api))["dispute"]["id"]
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    await api.key(**ccsc)
    head = await seeded_store.change_head()

    own = await _resolve(api, id, "REJECTED", "记录无误", **ccsc)
    unchanged = await seeded_store.change_head()
    regulator = await _resolve(api, id, "REJECTED", "记录无误", role=Role.REGULATOR)

    assert (own["code"], own["field"]) == ("NOT_AUTHORIZED", "input.outcome"), own
    assert unchanged == head
    assert (regulator["dispute"]["status"], regulator["dispute"]["answeredBy"]) == (
        "REJECTED",
        "REGULATOR",
    )
