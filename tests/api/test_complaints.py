"""Complaints through the API: anyone files one, the regulator of the institution's region
takes it step by step within its time limits, the public sees counts only, and the
complainant's contact reaches nobody else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import orjson

from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from tests.api import conftest
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import CCSC, ERROR_FIELDS, new_uscc
from tests.conftest import TODAY

HENGAN = "91210211401294580D"  # 大连恒安检测技术有限公司, Dalian (210211)
CONTACT = "张女士 13900000000"

FILE = f"""
mutation File($input: ComplaintFilingInput!, $key: String) {{
  fileComplaint(input: $input, idempotencyKey: $key) {{
    __typename
    ... on FileComplaintSuccess {{ complaintId filedOn dueBy receipt {{ written replayed }} }}
    {ERROR_FIELDS}
  }}
}}"""

ADVANCE = f"""
mutation Advance($input: ComplaintStepInput!) {{
  advanceComplaint(input: $input) {{
    __typename
    ... on AdvanceComplaintSuccess {{
      complaint {{
        id status substantiated acceptedOn dueBy overdue closedOn resolution contact version
        steps {{ status on actor reason substantiated recordedAt }}
      }}
    }}
    {ERROR_FIELDS}
  }}
}}"""

SUMMARY = """
query Summary($uscc: String!, $asOf: Date) {
  institution(uscc: $uscc, asOf: $asOf) {
    complaintSummary { received open overdue substantiated years { year received } }
    supervisionClass { class reasons { code } }
  }
}"""

COMPLAINTS = """
query Complaints($uscc: String!) {
  institution(uscc: $uscc) { complaints { id status contact dueBy overdue steps { status actor } } }
}"""


def filing(**fields: Any) -> dict[str, Any]:
    return {
        "against": HENGAN,
        "category": "报告延误",
        "details": "承诺5个工作日出具报告，逾期两周未出具。",
        "contact": CONTACT,
        **fields,
    }


async def regulator(api: GraphQLClient, region: str) -> str:
    """A regulator's key for ``region`` and its sub-regions."""
    return await create_api_key(
        api.store, role=Role.REGULATOR, regions=(region,), label=region, actor="test"
    )


async def file(api: GraphQLClient, **fields: Any) -> dict[str, Any]:
    body = await api(FILE, {"input": filing(**fields)})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["fileComplaint"]
    return payload


async def advance(api: GraphQLClient, key: str, **step: Any) -> dict[str, Any]:
    body = await api(ADVANCE, {"input": step}, bearer=key)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["advanceComplaint"]
    return payload


async def summary(api: GraphQLClient, as_of: str | None = None) -> dict[str, Any]:
    body = await api(SUMMARY, {"uscc": HENGAN, "asOf": as_of})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["institution"]
    return found


async def test_anyone_files_a_complaint_and_the_public_sees_only_counts(
    api: GraphQLClient,
) -> None:
    before = (await summary(api))["complaintSummary"]

    filed = await file(api)

    assert filed["__typename"] == "FileComplaintSuccess"
    assert filed["complaintId"].startswith(f"CMP-{TODAY.year}-")
    assert filed["filedOn"] == TODAY.isoformat()
    assert filed["dueBy"] == (TODAY + timedelta(days=7)).isoformat()
    after = (await summary(api))["complaintSummary"]
    assert after["received"] == before["received"] + 1
    assert after["open"] == before["open"] + 1
    [this_year] = [y for y in after["years"] if y["year"] == TODAY.year]
    [was] = [y for y in before["years"] if y["year"] == TODAY.year] or [{"received": 0}]
    assert this_year["received"] == was["received"] + 1
    hidden = await api(COMPLAINTS, {"uscc": HENGAN})
    assert hidden["data"]["institution"]["complaints"] is None
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"
    shown = await api(COMPLAINTS, {"uscc": HENGAN}, bearer=await regulator(api, "210000"))
    [mine] = [
        c for c in shown["data"]["institution"]["complaints"] if c["id"] == filed["complaintId"]
    ]
    assert mine["contact"] == CONTACT
    assert mine["overdue"] is False
    assert mine["steps"] == [{"status": "RECEIVED", "actor": "public:anonymous"}]


async def test_a_filing_naming_an_unknown_institution_is_refused_and_writes_nothing(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    before = await snapshot()

    refused = await file(api, against=new_uscc(901))
    malformed = await file(api, against="not-a-uscc", details="")

    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "NotFound",
        "NOT_FOUND",
        "input.against",
    )
    assert malformed["__typename"] == "InvalidInput"
    assert {p["field"] for p in malformed["problems"]} == {"input.against", "input.details"}
    assert await snapshot() == before


async def test_the_regions_regulator_takes_each_step_with_its_date_and_actor(
    api: GraphQLClient,
) -> None:
    complaint = (await file(api))["complaintId"]
    liaoning = await regulator(api, "210000")

    accepted = await advance(api, liaoning, id=complaint, status="ACCEPTED")
    investigating = await advance(
        api, liaoning, id=complaint, status="INVESTIGATING", substantiated=True
    )
    resolved = await advance(
        api,
        liaoning,
        id=complaint,
        status="RESOLVED",
        substantiated=True,
        reason="机构已致歉并减免费用",
    )

    assert accepted["complaint"]["acceptedOn"] == TODAY.isoformat()
    assert accepted["complaint"]["dueBy"] == (TODAY + timedelta(days=60)).isoformat()
    assert investigating["complaint"]["dueBy"] == (TODAY + timedelta(days=60)).isoformat()
    done = resolved["complaint"]
    assert (done["status"], done["substantiated"], done["dueBy"], done["closedOn"]) == (
        "RESOLVED",
        True,
        None,
        TODAY.isoformat(),
    )
    assert done["resolution"] == "机构已致歉并减免费用"
    assert done["version"] == 4
    steps = done["steps"]
    assert [s["status"] for s in steps] == ["RECEIVED", "ACCEPTED", "INVESTIGATING", "RESOLVED"]
    assert {s["on"] for s in steps} == {TODAY.isoformat()}
    assert steps[0]["actor"] == "public:anonymous"
    [actor] = {s["actor"] for s in steps[1:]}
    assert actor.startswith("regulator:")
    assert steps[3]["reason"] == "机构已致歉并减免费用"
    assert [s["recordedAt"] for s in steps] == sorted(s["recordedAt"] for s in steps)


async def test_others_may_not_advance_a_complaint(api: GraphQLClient, snapshot: Snapshot) -> None:
    complaint = (await file(api))["complaintId"]
    guangdong = await regulator(api, "440000")
    body_key = await api.key(Role.CERTIFICATION_BODY, CCSC)
    before = await snapshot()
    step = {"input": {"id": complaint, "status": "ACCEPTED"}}

    outsider = await api(ADVANCE, step, bearer=guangdong)
    unknown = await api(ADVANCE, {"input": {**step["input"], "id": "CMP-0"}}, bearer=guangdong)
    body = await api(ADVANCE, step, bearer=body_key)
    public = await api(ADVANCE, step)

    for answer in (body, public):
        payload = answer["data"]["advanceComplaint"]
        assert (payload["__typename"], payload["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
    # Another province's regulator learns neither that the complaint exists nor its region.
    elsewhere, none = outsider["data"]["advanceComplaint"], unknown["data"]["advanceComplaint"]
    assert (elsewhere["code"], elsewhere["field"]) == ("NOT_FOUND", "input.id"), elsewhere
    assert elsewhere["message"] == none["message"].replace("CMP-0", complaint), (elsewhere, none)
    assert await snapshot() == before


async def test_an_illegal_step_is_refused_as_invalid_transition_and_writes_nothing(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    complaint = (await file(api))["complaintId"]
    liaoning = await regulator(api, "210000")
    before = await snapshot()

    skipped = await advance(
        api, liaoning, id=complaint, status="RESOLVED", substantiated=True, reason="x"
    )
    unknown = await advance(api, liaoning, id="CMP-2026-000000000000", status="ACCEPTED")

    assert (skipped["__typename"], skipped["code"], skipped["field"]) == (
        "InvalidInput",
        "INVALID_TRANSITION",
        "input.status",
    )
    assert (unknown["__typename"], unknown["code"]) == ("NotFound", "NOT_FOUND")
    assert await snapshot() == before
    rejected = await advance(api, liaoning, id=complaint, status="REJECTED")
    assert (rejected["code"], rejected["field"]) == ("REASON_REQUIRED", "input.reason")


async def test_a_retried_filing_with_its_idempotency_key_files_once(api: GraphQLClient) -> None:
    before = (await summary(api))["complaintSummary"]["received"]
    variables = {"input": filing(), "key": "complaint-retry-1"}

    first = (await api(FILE, variables))["data"]["fileComplaint"]
    again = (await api(FILE, variables))["data"]["fileComplaint"]

    assert again["complaintId"] == first["complaintId"]
    assert (first["receipt"]["replayed"], again["receipt"]["replayed"]) == (False, True)
    assert (await summary(api))["complaintSummary"]["received"] == before + 1
    # Another filing under the same key: refused for a keyed caller, filed apart for callers
    # without a key, who share one credential (test_hostile_complaints.py).


async def test_past_its_limit_a_substantiated_complaint_is_overdue_and_forces_class_d(
    api: GraphQLClient,
) -> None:
    complaint = (await file(api))["complaintId"]
    unaccepted = TODAY + timedelta(days=8)
    assert (await summary(api, unaccepted.isoformat()))["complaintSummary"]["overdue"] == 1
    liaoning = await regulator(api, "210000")
    await advance(api, liaoning, id=complaint, status="ACCEPTED")
    await advance(api, liaoning, id=complaint, status="INVESTIGATING", substantiated=True)

    on_time = await summary(api, (TODAY + timedelta(days=60)).isoformat())
    late = await summary(api, (TODAY + timedelta(days=61)).isoformat())

    assert on_time["complaintSummary"]["overdue"] == 0
    assert on_time["supervisionClass"]["class"] != "D"
    assert late["complaintSummary"]["overdue"] == 1
    assert late["complaintSummary"]["substantiated"] == on_time["complaintSummary"]["substantiated"]
    assert late["supervisionClass"]["class"] == "D"
    assert "OVERDUE_SUBSTANTIATED_COMPLAINT" in {
        r["code"] for r in late["supervisionClass"]["reasons"]
    }


async def test_a_substantiated_finding_lowers_the_credit_score(api: GraphQLClient) -> None:
    score = "query($u: String!) { institution(uscc: $u) { credit { score } } }"
    before = (await api(score, {"u": HENGAN}))["data"]["institution"]["credit"]["score"]
    complaint = (await file(api))["complaintId"]
    liaoning = await regulator(api, "210000")
    await advance(api, liaoning, id=complaint, status="ACCEPTED")
    await advance(api, liaoning, id=complaint, status="INVESTIGATING")
    await advance(api, liaoning, id=complaint, status="RESOLVED", substantiated=True, reason="属实")

    after = (await api(score, {"u": HENGAN}))["data"]["institution"]["credit"]["score"]

    assert after < before


async def test_the_contact_is_in_no_change_and_no_public_answer(api: GraphQLClient) -> None:
    await file(api)
    feed = """{ changes(first: 1000) { edges { node { entity data } } } }"""

    changes = await api(feed, role=Role.ADMIN)
    public = await api(SUMMARY, {"uscc": HENGAN, "asOf": None})
    stored = await api.store.get_changes(after=0, limit=100_000)

    assert "Complaint" in {e["node"]["entity"] for e in changes["data"]["changes"]["edges"]}
    assert CONTACT not in orjson.dumps(changes).decode()
    assert CONTACT not in orjson.dumps(public).decode()
    assert not [c for c in stored if CONTACT in orjson.dumps(c.data).decode()]


async def test_a_late_acceptance_is_still_taken_and_shows_it_was_overdue(
    api: GraphQLClient,
) -> None:
    complaint = (await file(api))["complaintId"]
    later = TODAY + timedelta(days=9)
    app = create_app(conftest.test_settings(), api.store, today=lambda: later)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        late = GraphQLClient(http, api.store)
        before = await late(COMPLAINTS, {"uscc": HENGAN}, bearer=await regulator(api, "210200"))
        accepted = await advance(
            late, await regulator(api, "210200"), id=complaint, status="ACCEPTED"
        )

    [was] = [c for c in before["data"]["institution"]["complaints"] if c["id"] == complaint]
    assert was["dueBy"] == (TODAY + timedelta(days=7)).isoformat()
    assert was["overdue"] is True
    assert accepted["complaint"]["acceptedOn"] == later.isoformat()
    assert accepted["complaint"]["dueBy"] == (later + timedelta(days=60)).isoformat()
    assert accepted["complaint"]["overdue"] is False


async def test_the_public_counts_agree_with_the_complaints_regulators_read(
    reader: GraphQLClient,
) -> None:
    everything = """{ institutions(first: 100) { edges { node {
      uscc complaintSummary { received open overdue substantiated years { year received } }
      complaints { status overdue substantiated filedOn }
    } } } }"""

    nodes = [
        e["node"]
        for e in (await reader(everything, role=Role.ADMIN))["data"]["institutions"]["edges"]
    ]

    assert sum(len(n["complaints"]) for n in nodes) >= 11  # the seeds' complaints
    assert any(c["overdue"] for n in nodes for c in n["complaints"])  # kept without steps
    for node in nodes:
        complaints = node["complaints"]
        open_ = [c for c in complaints if c["status"] in ("RECEIVED", "ACCEPTED", "INVESTIGATING")]
        years: dict[int, int] = {}
        for c in complaints:
            years[int(c["filedOn"][:4])] = years.get(int(c["filedOn"][:4]), 0) + 1
        assert node["complaintSummary"] == {
            "received": len(complaints),
            "open": len(open_),
            "overdue": sum(c["overdue"] for c in complaints),
            "substantiated": sum(c["substantiated"] is True for c in complaints),
            "years": [{"year": y, "received": n} for y, n in sorted(years.items())],
        }, node["uscc"]


async def test_a_retried_step_with_its_idempotency_key_is_answered_not_refused(
    api: GraphQLClient,
) -> None:
    complaint = (await file(api))["complaintId"]
    liaoning = await regulator(api, "210000")
    step = """mutation($input: ComplaintStepInput!, $key: String) {
      advanceComplaint(input: $input, idempotencyKey: $key) {
        __typename
        ... on AdvanceComplaintSuccess { complaint { status version } receipt { replayed } }
        ... on MutationError { code }
      }
    }"""
    variables = {"input": {"id": complaint, "status": "ACCEPTED"}, "key": "accept-1"}

    first = (await api(step, variables, bearer=liaoning))["data"]["advanceComplaint"]
    again = (await api(step, variables, bearer=liaoning))["data"]["advanceComplaint"]
    unkeyed = (await api(step, {**variables, "key": None}, bearer=liaoning))["data"][
        "advanceComplaint"
    ]

    assert first["receipt"]["replayed"] is False
    assert again["receipt"]["replayed"] is True
    assert again["complaint"] == {"status": "ACCEPTED", "version": 2}
    assert unkeyed["code"] == "INVALID_TRANSITION"
