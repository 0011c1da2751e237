"""The explainable credit score through the API: stored when its inputs change, read as stored."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from graph.cypher_store import CypherStore
from graph.models import Organization, StoredCredit
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient
from tests.api.operations import (
    CQC,
    DALIAN_PRODUCT_INSTITUTE,
    assessment_row,
    mutate,
    organization_row,
)
from tests.api.test_credit_file import GUANGZHOU_LAB, call, event_row, rating_row
from tests.conftest import TODAY

CREDIT = """query($u: String!) { institution(uscc: $u) {
  supervised
  credit { status score grade methodVersion computedOn explanation
           factors { name value weight contribution evidence } }
  supervisionClass { class reasons { code text evidence } } } }"""


async def credit_of(client: GraphQLClient, uscc: str) -> dict[str, Any]:
    body = await client(CREDIT, {"u": uscc})
    assert "errors" not in body, body
    institution: dict[str, Any] = body["data"]["institution"]
    return institution


def assert_explained(credit: dict[str, Any]) -> None:
    total = sum(f["contribution"] for f in credit["factors"])
    assert round(total, 1) == credit["score"]
    assert credit["methodVersion"] == "2026.6"
    assert credit["status"] == "RATED"
    assert {f["name"] for f in credit["factors"]} >= {"association_rating", "credit_events"}


async def test_a_published_rating_changes_the_stored_score(api: GraphQLClient) -> None:
    store = api.store
    before = await credit_of(api, DALIAN_PRODUCT_INSTITUTE)
    [seeded] = await store.get_stored_credit([DALIAN_PRODUCT_INSTITUTE])  # seeding scores too

    await call(
        api,
        "publishCreditRatings",
        [rating_row("DLJC-2026-LOW", grade="D", score=20)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    [stored] = await store.get_stored_credit([DALIAN_PRODUCT_INSTITUTE])
    assert stored != seeded
    after = await credit_of(api, DALIAN_PRODUCT_INSTITUTE)
    assert after["credit"]["score"] == stored.score
    assert after["credit"]["score"] < before["credit"]["score"]
    rating = next(f for f in after["credit"]["factors"] if f["name"] == "association_rating")
    assert rating["value"] == 20
    assert "grade D" in rating["evidence"]
    assert_explained(after["credit"])
    assert after["supervisionClass"]["class"] in {"A", "B", "C", "D"}


async def test_reading_twice_does_not_write(api: GraphQLClient) -> None:
    head = await api.store.change_head()

    first = await credit_of(api, GUANGZHOU_LAB)
    second = await credit_of(api, GUANGZHOU_LAB)

    assert first == second
    assert await api.store.change_head() == head
    assert_explained(first["credit"])


async def test_a_serious_violation_forces_class_d_and_is_logged(api: GraphQLClient) -> None:
    head = await api.store.change_head()
    await call(
        api,
        "recordCreditEvents",
        [
            event_row(
                "GZ-SV-1",
                kind="SERIOUS_VIOLATION",
                weight=-80,
                date="2026-11-01",
                publicUntil="2029-10-31",
            )
        ],
        role=Role.REGULATOR,
    )

    seen = await credit_of(api, GUANGZHOU_LAB)
    assert seen["supervisionClass"]["class"] == "D"
    first, score = seen["supervisionClass"]["reasons"]
    assert first["code"] == "SERIOUS_VIOLATION"
    assert first["evidence"] == ["CreditEvent:GZ-SV-1"]
    assert score["code"] == "SCORE"
    assert score["text"].startswith("credit score ")
    changes = await api.store.get_changes(after=head.seq, limit=100_000)
    assert [c.key for c in changes if c.op == "CREDIT"] == [GUANGZHOU_LAB]


async def test_an_unchanged_assessment_is_not_written_again(seeded_store: CypherStore) -> None:
    from registry.operations.credit import recompute_credit

    [seeded] = await seeded_store.get_stored_credit([GUANGZHOU_LAB])
    stale = StoredCredit(GUANGZHOU_LAB, 1.0, "D", "[]", TODAY, "2026.2")
    await seeded_store.store_credit([stale], actor="test")

    assert await recompute_credit(seeded_store, [GUANGZHOU_LAB], TODAY) == 1
    assert await seeded_store.get_stored_credit([GUANGZHOU_LAB]) == [seeded]
    assert await recompute_credit(seeded_store, [GUANGZHOU_LAB], TODAY) == 0


async def test_a_new_day_rescores_the_scores_its_coming_moved_once(
    seeded_store: CypherStore,
) -> None:
    """Nothing is written about 烟台海诚 after seeding, yet on 1 March 2027 both D ratings of
    the Yantai association have lapsed: the day's rescore drops that factor. 苏州's lab,
    with no dated evidence, keeps its stored assessment; a day is rescored once."""
    from registry.operations.new_day import new_day

    [seeded] = await seeded_store.get_stored_credit([YANTAI_HAICHENG])
    [unrated] = await seeded_store.get_stored_credit([SUZHOU_LAB])
    first = await new_day(seeded_store, TODAY)  # the day the seeds were scored on
    assert first.scores == 0
    assert (await new_day(seeded_store, TODAY)).scores is None  # claimed
    later = date(2027, 3, 1)

    moved = await new_day(seeded_store, later)

    [rescored] = await seeded_store.get_stored_credit([YANTAI_HAICHENG])
    rating = next(f for f in json.loads(rescored.factors) if f["name"] == "association_rating")
    assert (rating["value"], rescored.computed_on) == (None, later)
    assert rescored.score != seeded.score
    assert await seeded_store.get_stored_credit([SUZHOU_LAB]) == [unrated]
    assert moved.scores is not None
    assert moved.scores > 0
    assert (await new_day(seeded_store, later)).scores is None
    assert (await new_day(seeded_store, date(2027, 2, 1))).scores is None


# who is supervised, UNRATED, and the hard rules on the seeds -----------------------------------

DALIAN_REGULATOR = "11210200996939498X"  # 大连市市场监督管理局
NOT_SUPERVISED = {
    DALIAN_REGULATOR: "regulator",
    "12110105777699279Y": "CNAS",
    DALIAN_ASSOCIATION: "association",
    "91210204768274391C": "the Dalian group",
}
YANTAI_HAICHENG = "91370602903254204R"  # rated D by the Yantai association until 2027-02-27
SUZHOU_LAB = "91320506796243621Q"  # no rating, event, certificate, complaint or evaluation
HUNNAN_STATION = "122101126861952868"  # real but mediocre evidence
YUEZHI = "91440106732910130L"  # 广东粤质: issued YZC26GP00042 while CNAS-C212-P was suspended
HENGXIN = "91320102479587631B"  # 江苏恒信: issued HXC-25-S0163 outside its scope


@pytest.mark.parametrize("uscc", sorted(NOT_SUPERVISED))
async def test_those_who_supervise_accredit_rate_or_own_are_not_scored_nor_classed(
    reader: GraphQLClient, uscc: str
) -> None:
    seen = await credit_of(reader, uscc)

    assert seen == {"supervised": False, "credit": None, "supervisionClass": None}
    assert await reader.store.get_stored_credit([uscc]) == []


async def test_no_evidence_is_unrated_and_explained(reader: GraphQLClient) -> None:
    seen = await credit_of(reader, SUZHOU_LAB)

    credit = seen["credit"]
    assert seen["supervised"] is True
    assert (credit["status"], credit["score"], credit["grade"]) == ("UNRATED", None, None)
    assert credit["explanation"].startswith("UNRATED: no evidence yet")
    assert all(f["value"] is None for f in credit["factors"])
    assert seen["supervisionClass"]["class"] == "UNRATED"
    assert [r["code"] for r in seen["supervisionClass"]["reasons"]] == ["NO_EVIDENCE"]


async def test_mediocre_evidence_is_scored_not_outranked_by_none(reader: GraphQLClient) -> None:
    station = await credit_of(reader, HUNNAN_STATION)

    assert station["credit"]["status"] == "RATED"
    assert station["credit"]["score"] is not None


@pytest.mark.parametrize(
    ("uscc", "code", "evidence"),
    [
        (
            YUEZHI,
            "ISSUED_WITHOUT_ACCREDITATION",
            {"Certificate:YZC26GP00042", "Accreditation:CNAS-C212-P"},
        ),
        (HENGXIN, "ISSUED_OUTSIDE_SCOPE", {"Certificate:HXC-25-S0163"}),
    ],
)
async def test_what_the_registry_finds_in_certificates_forces_class_d(
    reader: GraphQLClient, uscc: str, code: str, evidence: set[str]
) -> None:
    seen = await credit_of(reader, uscc)

    decision = seen["supervisionClass"]
    assert decision["class"] == "D"
    reason = next(r for r in decision["reasons"] if r["code"] == code)
    assert evidence <= set(reason["evidence"])
    assert decision["reasons"][-1]["code"] == "SCORE"


async def test_a_class_on_a_past_day_cites_no_certificate_issued_after_it(
    reader: GraphQLClient,
) -> None:
    """广东粤质 issued YZC26GP00042 on 2026-09-14 while CNAS-C212-P was suspended: on
    2026-09-01 that had not happened, so it is no reason for the class then."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      supervisionClass { reasons { code evidence } } } }"""
    codes = {}
    for day in ("2026-09-01", "2026-09-14"):
        body = await reader(query, {"u": YUEZHI, "d": day})
        reasons = body["data"]["institution"]["supervisionClass"]["reasons"]
        codes[day] = {r["code"] for r in reasons}
    assert "ISSUED_WITHOUT_ACCREDITATION" not in codes["2026-09-01"]
    assert "ISSUED_WITHOUT_ACCREDITATION" in codes["2026-09-14"]


async def test_an_overdue_substantiated_complaint_forces_class_d(api: GraphQLClient) -> None:
    from registry.operations import credit_writes
    from registry.operations.seeding import SEED_PRINCIPAL
    from registry.records import ComplaintRecord

    record = ComplaintRecord.model_validate(
        {
            "id": "CMP-T-OVERDUE",
            "against": SUZHOU_LAB,
            "channel": "ONLINE",
            "category": "报告延误",
            "status": "INVESTIGATING",
            "substantiated": True,
            "filedOn": "2026-09-01",
            "details": "报告逾期未出,经核实属实,尚未处理完毕。",
        }
    )
    await credit_writes.record_complaints(api.store, SEED_PRINCIPAL, [record], today=TODAY)

    seen = await credit_of(api, SUZHOU_LAB)

    assert seen["credit"]["status"] == "RATED"  # a complaint is evidence
    [reason, _] = seen["supervisionClass"]["reasons"]
    assert seen["supervisionClass"]["class"] == "D"
    assert reason["code"] == "OVERDUE_SUBSTANTIATED_COMPLAINT"
    assert reason["evidence"] == ["Complaint:CMP-T-OVERDUE"]
    assert "2026-10-31" in reason["text"]
    assert "尚未" not in reason["text"]  # the details stay confidential


async def test_complaints_on_a_past_day_are_those_filed_by_then(reader: GraphQLClient) -> None:
    """CMP-2026-0005 against 广东粤质 was filed on 2026-10-27: on 2026-10-01 neither the list
    nor the summary has it (the list did)."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      complaints { id } complaintSummary { received } } }"""
    body = await reader(query, {"u": YUEZHI, "d": "2026-10-01"}, role=Role.ADMIN)
    then = body["data"]["institution"]
    now = (await reader(query, {"u": YUEZHI, "d": None}, role=Role.ADMIN))["data"]["institution"]
    assert "CMP-2026-0005" in [c["id"] for c in now["complaints"]]
    assert then["complaints"] == []
    assert then["complaintSummary"]["received"] == 0


async def test_a_score_and_class_on_a_past_day_rest_on_what_was_dated_by_then(
    api: GraphQLClient,
) -> None:
    """A serious violation and a penalty dated 2026-11-01 put 广州 in class D with a lower
    score from then on; on 2026-10-01 its score and class were what they had been (both
    were read as stored today, the penalty's points included)."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      credit { score computedOn factors { name evidence } } supervisionClass { class } } }"""

    async def seen(day: str | None) -> dict[str, Any]:
        body = await api(query, {"u": GUANGZHOU_LAB, "d": day})
        assert "errors" not in body, body
        institution: dict[str, Any] = body["data"]["institution"]
        return institution

    before = await seen("2026-10-01")
    today_before = await seen(None)
    penalty = event_row("CE-T-LATER", date="2026-11-01", publicUntil="2029-10-31")
    serious = event_row(
        "CE-T-SERIOUS", kind="SERIOUS_VIOLATION", date="2026-11-01", publicUntil="2029-10-31"
    )
    await call(api, "recordCreditEvents", [penalty, serious], role=Role.ADMIN)

    after = await seen("2026-10-01")
    today_after = await seen(None)
    assert today_after["supervisionClass"]["class"] == "D"
    assert today_after["credit"]["score"] < today_before["credit"]["score"]
    assert after == before
    assert after["credit"]["computedOn"] == "2026-10-01"
    assert after["supervisionClass"]["class"] != "D"
    events = next(f for f in after["credit"]["factors"] if f["name"] == "credit_events")
    assert "2026-11-01" not in events["evidence"]  # not even as a record yet to count


async def test_a_past_day_shown_to_the_public_leaves_out_records_it_no_longer_sees(
    reader: GraphQLClient,
) -> None:
    """CE-2026-0016 (a -5 order, public from 2026-05-20 to 2026-08-20) is off the public file
    today: stepping asOf over its first day moved the public's past score and its evidence
    ("3 event(s)" after, "2" before), which gave its day and weight away. The public's past
    days leave it out; a regulator of the region sees the past as it was scored."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      creditEvents { id } credit { score factors { name evidence } }
      supervisionClass { class reasons { evidence } } } }"""
    lab = "91210211401294580D"

    async def seen(day: str, **who: Any) -> dict[str, Any]:
        body = await reader(query, {"u": lab, "d": day}, **who)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["institution"]
        return found

    def events_factor(seen: dict[str, Any]) -> str:
        factors = seen["credit"]["factors"]
        return str(next(f["evidence"] for f in factors if f["name"] == "credit_events"))

    before, on = await seen("2026-05-19"), await seen("2026-05-20")
    oversight = await seen("2026-05-20", role=Role.REGULATOR)

    assert "CE-2026-0016" not in {e["id"] for e in on["creditEvents"]}
    assert (on["credit"], on["supervisionClass"]) == (before["credit"], before["supervisionClass"])
    assert "CE-2026-0016" not in str(on)
    assert events_factor(oversight).startswith("3 event(s)"), events_factor(oversight)
    assert events_factor(on).startswith("2 event(s)"), events_factor(on)


async def test_stars_a_body_gives_itself_are_no_evidence_of_its_own(api: GraphQLClient) -> None:
    """CQC registered itself as a holder and issued itself a five-star service certificate:
    its service_stars factor went from missing to 100 and its grade up a band. Stars are
    evidence of the holder only when another body gave them."""
    cqc = {"role": Role.CERTIFICATION_BODY, "institution": CQC}
    factor = """query($u: String!) { institution(uscc: $u) {
      credit { score factors { name value } } } }"""

    async def stars() -> Any:
        body = await api(factor, {"u": CQC})
        credit = body["data"]["institution"]["credit"]
        return credit["score"], next(
            f["value"] for f in credit["factors"] if f["name"] == "service_stars"
        )

    before = await stars()
    holder = organization_row(CQC, name="中国质量认证中心", region="110106")
    registered = await mutate(api, "upsertOrganizations", [holder], **cqc)
    assert registered["__typename"] == "UpsertOrganizationsSuccess", registered
    own = {
        "number": "CQC26FW9001",
        "family": "SERVICE",
        "standard": "GB/T 27922-2011",
        "scope": "售后服务",
        "issuedOn": "2026-11-20",
        "expiresOn": "2029-11-19",
        "issuer": CQC,
        "holder": CQC,
        "stars": 5,
    }
    issued = await mutate(api, "issueCertificates", [own], **cqc)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued

    assert (await stars())[1] == before[1] is None  # the score itself counts one more issue


CONFIRM_ASSESSMENT = """mutation($input: ConfirmServiceAssessmentInput!) {
  confirmServiceAssessment(input: $input) { __typename
    ... on ConfirmServiceAssessmentSuccess { assessment { confirmedOn confirmation version } }
    ... on MutationError { code field } } }"""
ASSESSED_ON = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
  credit { factors { name value } } } }"""


CQC_KEY = {"role": Role.CERTIFICATION_BODY, "institution": CQC}
STARRED = {
    "number": "CQC26FW9002",
    "family": "SERVICE",
    "standard": "SB/T 10595-2011",
    "scope": "家用电器售后服务",
    "issuedOn": "2026-11-20",
    "expiresOn": "2029-11-19",
    "issuer": CQC,
    "holder": GUANGZHOU_LAB,
    "stars": 5,
}


async def _stars(api: GraphQLClient, day: str | None = None) -> Any:
    body = await api(ASSESSED_ON, {"u": GUANGZHOU_LAB, "d": day})
    factors = body["data"]["institution"]["credit"]["factors"]
    return next(f["value"] for f in factors if f["name"] == "service_stars")


async def _confirm(api: GraphQLClient, **who: Any) -> Any:
    row = {"certificate": STARRED["number"], "confirmation": "CALL_BACK"}
    body = await api(CONFIRM_ASSESSMENT, {"input": row}, **who)
    assert "errors" not in body, body
    return body["data"]["confirmServiceAssessment"]


async def _issued_and_assessed(api: GraphQLClient) -> dict[str, Any]:
    """CQC issues the lab a five-star certificate and records its assessment: the row."""
    issued = await mutate(api, "issueCertificates", [STARRED], **CQC_KEY)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    assert await _stars(api) is None
    early = await _confirm(api, role=Role.ADMIN)
    assert (early["code"], early["field"]) == ("NOT_ASSESSED", "input.certificate")
    row = assessment_row(STARRED["number"], stage1On="2026-10-12", stage2On="2026-11-09")
    row = {**row, "cpsqMeasuredOn": "2026-10-20"}
    row["elements"] = [{**e, "assessedOn": "2026-11-02"} for e in row["elements"]]
    assessed = await mutate(api, "recordServiceAssessments", [row], **CQC_KEY)
    assert assessed["__typename"] == "RecordServiceAssessmentsSuccess", assessed
    assert await _stars(api) is None  # the issuer's own word moves nothing
    return row


async def _regulator(api: GraphQLClient, region: str) -> str:
    return await create_api_key(
        api.store, role=Role.REGULATOR, regions=[region], label=region, actor="test"
    )


async def test_stars_count_for_their_holder_once_its_regulator_confirms_them(
    api: GraphQLClient,
) -> None:
    """Any certification body could give any holder a starred service certificate and
    record the assessment itself: a lab went from 86.8 A to 76.5 B, and to 62.9 C on a day
    a year gone. Stars are evidence once the holder's regulator confirmed the holder sought
    and holds the certificate, and only from that day."""
    # A regulator elsewhere may not give the lab a holder record in its own region, and so
    # the certificates issued to it there (twenty-third session's review).
    elsewhere = organization_row(GUANGZHOU_LAB, name="广州穗检检测技术有限公司", region="320106")
    jiangsu = await _regulator(api, "320000")
    moved = await mutate(api, "upsertOrganizations", [elsewhere], bearer=jiangsu)
    assert moved["__typename"] == "NotAuthorized", moved
    holder = {**elsewhere, "region": "440112"}
    registered = await mutate(api, "upsertOrganizations", [holder], **CQC_KEY)
    assert registered["__typename"] == "UpsertOrganizationsSuccess", registered
    row = await _issued_and_assessed(api)

    liaoning = await _regulator(api, "210000")
    for who in ({"bearer": liaoning}, CQC_KEY, {"role": Role.ASSOCIATION}):
        refused = await _confirm(api, **who)
        assert refused["__typename"] == "NotAuthorized", (who, refused)
    guangdong = await _regulator(api, "440000")
    confirmed = await _confirm(api, bearer=guangdong)
    assert confirmed["assessment"]["confirmedOn"] == TODAY.isoformat(), confirmed
    assert await _stars(api) == 100.0
    assert await _stars(api, "2026-11-21") is None  # no day before the confirmation moves
    again = await _confirm(api, bearer=guangdong)
    assert (again["__typename"], again["code"]) == ("Conflict", "ALREADY_CONFIRMED")

    resent = await mutate(api, "recordServiceAssessments", [row], **CQC_KEY)
    assert resent["__typename"] == "RecordServiceAssessmentsSuccess", resent
    assert await _stars(api) == 100.0  # the issuer's rewrite keeps the confirmation


async def test_a_holder_kept_in_two_regions_is_confirmed_by_neither_alone(
    api: GraphQLClient,
) -> None:
    """A holder record written in another region than its institution's before the two were
    tied (here through the store): the certificate's region is not enough to confirm."""
    await api.store.upsert_organizations(
        [Organization(GUANGZHOU_LAB, "广州穗检检测技术有限公司", "320106")], actor="test"
    )
    await _issued_and_assessed(api)
    for region in ("320000", "440000"):
        refused = await _confirm(api, bearer=await _regulator(api, region))
        assert refused["__typename"] == "NotAuthorized", (region, refused)
    assert (await _confirm(api, role=Role.ADMIN))["__typename"] == (
        "ConfirmServiceAssessmentSuccess"
    )
    assert await _stars(api) == 100.0
