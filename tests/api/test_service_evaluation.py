"""Service evaluation: Annex C satisfaction forms and mystery-customer visits, the satisfaction
index they give per period, and the credit factor it feeds."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.uscc import make_uscc
from registry.domain.vocabulary import Role
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient, Snapshot
from tests.api.operations import DALIAN_PRODUCT_INSTITUTE, ERROR_FIELDS
from tests.api.test_credit_file import GUANGZHOU_LAB, YANTAI_CENTRE

HEPING_STATION = "1221010232988047XL"  # six seeded forms and one visit (19 of 20) in 2026
UNKNOWN = make_uscc(authority="9", kind="1", region_code="440112", serial=424242)
V, S, A, D = "VERY_SATISFIED", "SATISFIED", "AVERAGE", "DISSATISFIED"

RECORD = f"""
mutation Record($input: [ServiceEvaluationInput!]!) {{
  recordServiceEvaluations(input: $input) {{
    __typename
    ... on RecordServiceEvaluationsSuccess {{
      evaluations {{ id kind answers checksPassed checksTotal }} receipt {{ written }} }}
    {ERROR_FIELDS}
  }}
}}"""
SATISFACTION = """query($u: String!, $p: String!) { institution(uscc: $u) {
  satisfaction(period: $p) { period firstDay lastDay index surveys mysteryVisits
                             mysteryChecksPassed mysteryChecksTotal }
  credit { factors { name value evidence } } } }"""
EVALUATIONS = """query($u: String!, $p: String!) { institution(uscc: $u) {
  serviceEvaluations(period: $p) { id kind evaluator answers } } }"""


def survey(evaluation_id: str, answers: list[str | None], **fields: Any) -> dict[str, Any]:
    return {
        "id": evaluation_id,
        "institution": GUANGZHOU_LAB,
        "kind": "SURVEY",
        "date": "2026-11-02",
        "serviceCategory": "INSPECTION_TESTING",
        "evaluator": "广州穗港食品有限公司",
        "answers": answers,
        **fields,
    }


def visit(evaluation_id: str, passed: int, total: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": evaluation_id,
        "institution": GUANGZHOU_LAB,
        "kind": "MYSTERY_CUSTOMER",
        "date": "2026-11-10",
        "serviceCategory": "INSPECTION_TESTING",
        "evaluator": "广州市市场监督管理局暗访组",
        "checksPassed": passed,
        "checksTotal": total,
        **fields,
    }


def form(level: str, solved: str = "YES") -> list[str | None]:
    return [level] * 4 + [solved] + [level] * 5


async def record(api: GraphQLClient, rows: list[dict[str, Any]], **caller: Any) -> Any:
    body = await api(RECORD, {"input": rows}, **caller)
    assert "errors" not in body, body
    return body["data"]["recordServiceEvaluations"]


async def satisfaction(api: GraphQLClient, uscc: str, period: str, **caller: Any) -> Any:
    body = await api(SATISFACTION, {"u": uscc, "p": period}, **caller)
    assert "errors" not in body, body
    return body["data"]["institution"]


async def test_forms_and_visits_give_the_index_and_move_the_score(api: GraphQLClient) -> None:
    before = await satisfaction(api, GUANGZHOU_LAB, "2026")
    assert before["satisfaction"]["index"] is None
    factor = next(f for f in before["credit"]["factors"] if f["name"] == "satisfaction")
    assert factor["value"] is None

    payload = await record(
        api,
        [survey("GZ-SE-1", form(V)), survey("GZ-SE-2", form(S, "NO")), visit("GZ-MC-1", 15, 20)],
        role=Role.REGULATOR,
    )

    assert payload["__typename"] == "RecordServiceEvaluationsSuccess", payload
    assert payload["receipt"]["written"] == 3
    after = await satisfaction(api, GUANGZHOU_LAB, "2026-Q4")
    surveys = (100.0 + (80 * 9 + 0) / 10) / 2  # every question scores, "no" scores nothing
    expected = round(0.7 * surveys + 0.3 * 75.0, 1)
    assert after["satisfaction"] == {
        "period": "2026-Q4",
        "firstDay": "2026-10-01",
        "lastDay": "2026-12-31",
        "index": expected,
        "surveys": 2,
        "mysteryVisits": 1,
        "mysteryChecksPassed": 15,
        "mysteryChecksTotal": 20,
    }
    factor = next(f for f in after["credit"]["factors"] if f["name"] == "satisfaction")
    assert factor["value"] == expected
    q3 = await satisfaction(api, GUANGZHOU_LAB, "2026-Q3")
    assert q3["satisfaction"]["index"] is None


async def test_the_seeded_station_has_its_index(reader: GraphQLClient) -> None:
    seen = await satisfaction(reader, HEPING_STATION, "2026")

    assert seen["satisfaction"]["surveys"] == 6
    assert seen["satisfaction"]["mysteryChecksPassed"] == 19
    assert 85 < seen["satisfaction"]["index"] < 100
    factor = next(f for f in seen["credit"]["factors"] if f["name"] == "satisfaction")
    assert factor["value"] == seen["satisfaction"]["index"]


async def test_the_public_sees_the_index_but_not_who_answered(reader: GraphQLClient) -> None:
    public = await reader(EVALUATIONS, {"u": HEPING_STATION, "p": "2026"})
    regulator = await reader(EVALUATIONS, {"u": HEPING_STATION, "p": "2026"}, role=Role.REGULATOR)

    assert public["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"
    assert public["data"]["institution"]["serviceEvaluations"] is None
    seen = regulator["data"]["institution"]["serviceEvaluations"]
    assert len(seen) == 7
    assert {e["kind"] for e in seen} == {"SURVEY", "MYSTERY_CUSTOMER"}
    blank = next(e for e in seen if e["id"] == "SE-2026-0004")
    assert blank["answers"][9] is None
    assert blank["answers"][4] == "YES"


@pytest.mark.parametrize("period", ["2026-Q5", "26", "2026-13", "0000", "\u202e" + "9" * 100_000])
async def test_a_malformed_period_is_refused(reader: GraphQLClient, period: str) -> None:
    body = await reader(SATISFACTION, {"u": HEPING_STATION, "p": period})

    assert body["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"
    assert len(body["errors"][0]["message"]) < 100  # 100 KB came back (review)


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        (survey("X-1", form(V)[:9]), "INVALID_VALUE", "input[0].answers"),
        (survey("X-1", [V] * 10), "INVALID_VALUE", "input[0].answers[4]"),
        (survey("X-1", ["NO", *form(V)[1:]]), "INVALID_VALUE", "input[0].answers[0]"),
        (survey("X-1", [None] * 10), "REQUIRED", "input[0].answers"),
        (survey("X-1", form(V), checksTotal=3), "INVALID_VALUE", "input[0].checksTotal"),
        (visit("X-1", 5, 4), "INVALID_VALUE", "input[0].checksPassed"),
        (visit("X-1", 1, 0), "OUT_OF_RANGE", "input[0].checksTotal"),
        (visit("X-1", 1, 2, answers=form(V)), "INVALID_VALUE", "input[0].answers"),
        ({**visit("X-1", 1, 2), "checksPassed": None}, "REQUIRED", "input[0].checksPassed"),
        (survey("X-1", form(V), institution="91440112551766133A"), "INVALID_USCC", None),
        (survey("X-1", form(V), institution=UNKNOWN), "NOT_FOUND", "input[0].institution"),
    ],
)
async def test_bad_evaluations_are_refused_and_write_nothing(
    api: GraphQLClient,
    snapshot: Snapshot,
    row: dict[str, Any],
    code: str,
    field: str | None,
) -> None:
    await api.key(Role.REGULATOR)
    before = await snapshot()

    payload = await record(api, [survey("OK-1", form(S)), row], role=Role.REGULATOR)

    problem_codes = {p["code"] for p in payload["problems"]}
    assert code in problem_codes, payload
    if field is not None:
        assert field.replace("input[0]", "input[1]") in {p["field"] for p in payload["problems"]}
    assert await snapshot() == before


async def test_an_association_evaluates_only_its_members(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    member = survey("DL-SE-1", form(V), institution=DALIAN_PRODUCT_INSTITUTE)
    outsider = survey("DL-SE-2", form(V), institution=YANTAI_CENTRE)
    await api.key(Role.ASSOCIATION, DALIAN_ASSOCIATION)
    before = await snapshot()

    refused = await record(
        api, [member, outsider], role=Role.ASSOCIATION, institution=DALIAN_ASSOCIATION
    )
    assert refused["__typename"] == "NotAuthorized"
    assert refused["field"] == "input[1].institution"
    assert await snapshot() == before

    accepted = await record(api, [member], role=Role.ASSOCIATION, institution=DALIAN_ASSOCIATION)
    assert accepted["__typename"] == "RecordServiceEvaluationsSuccess"


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.CERTIFICATION_BODY])
async def test_others_may_not_record(api: GraphQLClient, role: Role) -> None:
    institution = "121101064193791361" if role is Role.CERTIFICATION_BODY else None

    payload = await record(api, [survey("GZ-SE-9", form(V))], role=role, institution=institution)

    assert payload["__typename"] == "NotAuthorized"


async def test_an_evaluation_id_cannot_move_to_another_institution(api: GraphQLClient) -> None:
    await record(api, [survey("GZ-SE-1", form(V))], role=Role.REGULATOR)

    moved = await record(
        api, [survey("GZ-SE-1", form(V), institution=YANTAI_CENTRE)], role=Role.REGULATOR
    )

    assert moved["__typename"] == "Conflict"


async def test_an_association_cannot_rewrite_a_regulators_evaluation(api: GraphQLClient) -> None:
    visit_row = visit("DL-MC-1", 5, 20, institution=DALIAN_PRODUCT_INSTITUTE)
    await record(api, [visit_row], role=Role.REGULATOR)

    rewritten = await record(
        api,
        [survey("DL-MC-1", form(V), institution=DALIAN_PRODUCT_INSTITUTE)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    assert rewritten["__typename"] == "NotAuthorized", rewritten
    corrected = await record(api, [{**visit_row, "checksPassed": 6}], role=Role.ADMIN)
    assert corrected["__typename"] == "RecordServiceEvaluationsSuccess"


async def test_a_recorded_evaluation_stays_as_recorded_and_a_new_one_is_reported_in_its_month(
    api: GraphQLClient,
) -> None:
    """A regulator re-dated another regulator's visit out of the year it counted in, and an
    association recorded a failing visit of a member dated 18 months back, then 364 days
    back (within the year the score reads), lowering that day's grade from A to B: what an
    evaluation states is ADMIN's to correct, and a new one is reported within 30 days of its
    day, not after today."""
    visit_row = visit("DL-MC-2", 18, 20, institution=DALIAN_PRODUCT_INSTITUTE)
    await record(api, [visit_row], role=Role.REGULATOR)
    moved = await record(api, [{**visit_row, "date": "2024-01-01"}], role=Role.REGULATOR)
    lowered = await record(api, [{**visit_row, "checksPassed": 0}], role=Role.REGULATOR)
    member = {"role": Role.ASSOCIATION, "institution": DALIAN_ASSOCIATION}
    old = visit("DL-MC-3", 0, 20, institution=DALIAN_PRODUCT_INSTITUTE, date="2025-06-01")
    ahead = {**old, "id": "DL-MC-4", "date": "2027-01-01"}
    in_its_year = {**old, "id": "DL-MC-5", "date": "2025-11-23"}
    dated = [await record(api, [row], **member) for row in (old, ahead, in_its_year)]
    same = await record(api, [visit_row], role=Role.REGULATOR)  # a retry as recorded
    archive = await record(api, [old], role=Role.ADMIN)

    assert [(p["code"], p["field"]) for p in (moved, lowered)] == [
        ("NOT_AUTHORIZED", "input[0].date"),
        ("NOT_AUTHORIZED", "input[0].checksPassed"),
    ]
    assert [(p["code"], p["field"]) for p in dated] == [("INVALID_VALUE", "input[0].date")] * 3
    assert same["__typename"] == archive["__typename"] == "RecordServiceEvaluationsSuccess"


async def test_the_change_feed_does_not_name_who_answered(api: GraphQLClient) -> None:
    head = await api.store.change_head()
    await record(api, [survey("GZ-SE-1", form(V), comment="报告出具很快")], role=Role.REGULATOR)

    changes = await api.store.get_changes(after=head.seq, limit=100)

    [change] = [c for c in changes if c.entity == "ServiceEvaluation"]
    assert "evaluator" not in change.data
    assert "报告出具很快" not in change.data
    assert '"answers"' in change.data  # the scores themselves are not confidential


async def test_the_forms_asked_as_of_a_day_are_those_dated_by_then(reader: GraphQLClient) -> None:
    """A regulator asking as of 2026-06-01 was shown forms dated in the autumn; the index on
    that day already left them out."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      satisfaction(period: "2026") { surveys mysteryVisits }
      serviceEvaluations(period: "2026") { id date } } }"""

    body = await reader(query, {"u": HEPING_STATION, "d": "2026-06-01"}, role=Role.REGULATOR)

    found = body["data"]["institution"]
    assert found["serviceEvaluations"], body
    assert all(v["date"] <= "2026-06-01" for v in found["serviceEvaluations"])
    index = found["satisfaction"]
    assert len(found["serviceEvaluations"]) == index["surveys"] + index["mysteryVisits"]
