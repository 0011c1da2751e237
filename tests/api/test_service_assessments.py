"""Service assessments (issue 16): the issuer records how a service certificate's stars were
earned, the scheme's rules are held at write time, stars that disagree are refused both ways,
and anyone can read the explanation."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CQC,
    MUTATIONS,
    assessment_row,
    certificate_row,
    mutate,
)
from tests.api.test_write_access import partner

FIVE_STAR = "CCSC20SC0101R1"  # CCSC-SC-JYJC-2017, five stars, issued 2020-12-20, not assessed
FOUR_STAR_CQC = "CQC22FW0341"  # SB/T 10595-2011, four stars, issued by CQC on 2022-04-11
DALIAN_SIX = (
    "CCSC17SC0100",
    "CCSC17SC0200",
    "CCSC17SC0300",
    "CCSC18SC0400",
    "CCSC18SC0500",
    "CCSC18SC0600",
)
CERTIFICATE = """query($n: String!) { certificate(number: $n) {
  stars serviceAssessment {
    scheme total starsFromScore cpsq cpsqTarget stage1Share stage1ShareWithinGuideline
    elements { element score weight weightedScore assessedOn evidence }
    stage1 { heldOn personDays } stage2 { heldOn personDays }
    standard { code } } } }"""
VERIFY = """query($n: String!) { verifyCertificate(number: $n) { certificate {
  stars starsExplained { stars starsFromScore agrees scheme total cpsq cpsqTarget
    starBands { stars minScore } starBandsAssumed message messageZh
    elements { element score } } } } }"""
STANDARD = """query($c: String!) { standard(code: $c) {
  code titleZh titleEn source elements elementsSource starBandsAssumed cpsqTarget
  cpsqTargetAssumed scoreMax starBands { stars minScore }
  indicatorClasses { code nameZh nameEn source assumed }
  characteristics { code nameZh nameEn assumed } } }"""


def _weighted(row: dict[str, Any]) -> float:
    return round(sum(e["score"] * e["weight"] for e in row["elements"]), 2)


async def record(api: GraphQLClient, rows: list[dict[str, Any]], **caller: Any) -> Any:
    return await mutate(api, "recordServiceAssessments", rows, **caller)


async def refused(
    api: GraphQLClient, snapshot: Snapshot, rows: list[dict[str, Any]], **caller: Any
) -> Any:
    await api.key(caller.get("role", Role.ADMIN), caller.get("institution"))
    before = await snapshot()
    payload = await record(api, rows, **caller)
    assert payload["__typename"] != "RecordServiceAssessmentsSuccess", payload
    assert await snapshot() == before, "a refused write changed the store"
    return payload


# the seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", DALIAN_SIX)
async def test_each_dalian_certificate_carries_the_stars_its_assessment_earns(
    reader: GraphQLClient, number: str
) -> None:
    row = next(r for r in seedfacts.seed("service_assessments") if r["certificate"] == number)
    stars = seedfacts.certificate(number)["stars"]

    body = await reader(CERTIFICATE, {"n": number})

    seen = body["data"]["certificate"]
    assessment = seen["serviceAssessment"]
    assert seen["stars"] == stars
    assert assessment["total"] == _weighted(row)
    assert assessment["starsFromScore"] == stars
    assert assessment["scheme"] == assessment["standard"]["code"] == "CCSC-SC-JYJC-2017"
    assert [e["element"] for e in assessment["elements"]] == [
        "AUDIT",
        "FOOTPRINT",
        "OPEN_TEST",
        "MYSTERY_CUSTOMER",
    ]
    assert assessment["cpsq"] == row["cpsq"] >= assessment["cpsqTarget"]
    assert assessment["stage1ShareWithinGuideline"]


async def test_the_seeds_give_three_five_star_and_three_four_star_certificates(
    reader: GraphQLClient,
) -> None:
    earned = [
        (await reader(CERTIFICATE, {"n": n}))["data"]["certificate"]["serviceAssessment"][
            "starsFromScore"
        ]
        for n in DALIAN_SIX
    ]

    assert sorted(earned) == [4, 4, 4, 5, 5, 5]  # seed 000


async def test_a_certificate_without_an_assessment_has_none(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATE, {"n": FIVE_STAR})

    assert body["data"]["certificate"]["serviceAssessment"] is None


async def test_the_public_verify_answer_explains_the_stars(reader: GraphQLClient) -> None:
    body = await reader(VERIFY, {"n": "CCSC18SC0400"})

    explained = body["data"]["verifyCertificate"]["certificate"]["starsExplained"]
    assert explained["stars"] == explained["starsFromScore"] == 4
    assert explained["agrees"] is True
    assert explained["starBandsAssumed"] is True
    assert explained["starBands"][1] == {"stars": 4, "minScore": 80.0}
    assert "85.6" in explained["message"]
    assert "4 star" in explained["message"]
    assert "4星级" in explained["messageZh"]
    assert len(explained["elements"]) == 4


async def test_a_product_certificate_explains_no_stars(reader: GraphQLClient) -> None:
    product = next(c for c in seedfacts.seed("certificates") if c["family"] == "PRODUCT")

    body = await reader(VERIFY, {"n": product["number"]})

    assert body["data"]["verifyCertificate"]["certificate"]["starsExplained"] is None


# standards as data ------------------------------------------------------------------------


async def test_ga_t_594_has_its_three_indicator_classes(reader: GraphQLClient) -> None:
    body = await reader(STANDARD, {"c": "GA/T 594-2006"})

    standard = body["data"]["standard"]
    assert [c["code"] for c in standard["indicatorClasses"]] == [
        "SERVICE_CAPABILITY",
        "SERVICE_PROCESS",
        "SERVICE_PERFORMANCE",
    ]
    assert not any(c["assumed"] for c in standard["indicatorClasses"])
    assert standard["cpsqTargetAssumed"] is True


async def test_the_dalian_scheme_has_the_nine_characteristics_and_four_elements(
    reader: GraphQLClient,
) -> None:
    body = await reader(STANDARD, {"c": "CCSC-SC-JYJC-2017"})

    standard = body["data"]["standard"]
    assert len(standard["characteristics"]) == 9
    assert {c["nameEn"] for c in standard["characteristics"]} >= {"fairness", "convenience"}
    assert standard["elements"] == ["AUDIT", "FOOTPRINT", "OPEN_TEST", "MYSTERY_CUSTOMER"]
    assert standard["elementsSource"].startswith("seed 000")
    assert [b["stars"] for b in standard["starBands"]] == [5, 4, 3, 2, 1]


async def test_gb_t_27922_marks_the_after_sales_items_it_assumes(reader: GraphQLClient) -> None:
    body = await reader(STANDARD, {"c": "GB/T 27922-2011"})

    classes = {c["code"]: c["assumed"] for c in body["data"]["standard"]["indicatorClasses"]}
    assert classes["SERVICE_CAPABILITY"] is False
    assert classes["REPAIR"] is True


async def test_an_unmodelled_standard_is_null(reader: GraphQLClient) -> None:
    body = await reader(STANDARD, {"c": "GB/T 20647.9-2006"})

    assert body == {"data": {"standard": None}}


async def test_every_modelled_standard_is_listed(reader: GraphQLClient) -> None:
    body = await reader("{ serviceStandards { code } }")

    assert {s["code"] for s in body["data"]["serviceStandards"]} == {
        "GB/T 27922-2011",
        "SB/T 10595-2011",
        "GA/T 594-2006",
        "CCSC-SC-JYJC-2017",
    }


# writing ----------------------------------------------------------------------------------


async def test_the_issuer_records_an_assessment_anyone_can_read(api: GraphQLClient) -> None:
    payload = await record(
        api, [assessment_row(FIVE_STAR)], role=Role.CERTIFICATION_BODY, institution=CCSC
    )

    assert payload["__typename"] == "RecordServiceAssessmentsSuccess", payload
    [written] = payload["assessments"]
    assert (written["total"], written["starsFromScore"], written["version"]) == (92.6, 5, 1)
    public = await api(CERTIFICATE, {"n": FIVE_STAR})
    assert public["data"]["certificate"]["serviceAssessment"]["total"] == 92.6


async def test_a_retried_write_with_its_idempotency_key_writes_once(api: GraphQLClient) -> None:
    document = (
        MUTATIONS["recordServiceAssessments"]
        .replace(
            "($input: [ServiceAssessmentInput!]!)",
            "($input: [ServiceAssessmentInput!]!, $key: String)",
        )
        .replace("(input: $input)", "(input: $input, idempotencyKey: $key)")
    )
    rows = [assessment_row(FIVE_STAR)]
    who = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}

    first = await api(document, {"input": rows, "key": "assess-1"}, **who)
    again = await api(document, {"input": rows, "key": "assess-1"}, **who)
    other = await api(
        document, {"input": [assessment_row(FIVE_STAR, (96, 92, 90, 91))], "key": "assess-1"}, **who
    )

    assert first["data"]["recordServiceAssessments"]["receipt"]["written"] == 1
    replay = again["data"]["recordServiceAssessments"]
    assert (
        replay["receipt"]["firstSeq"]
        == first["data"]["recordServiceAssessments"]["receipt"]["firstSeq"]
    )
    stored = await api.store.get_service_assessments([FIVE_STAR])
    assert stored[0].version == 1
    assert other["data"]["recordServiceAssessments"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def _element(row: dict[str, Any], index: int, **fields: Any) -> dict[str, Any]:
    elements = [dict(e) for e in row["elements"]]
    elements[index].update(fields)
    return {**row, "elements": elements}


_ROW = assessment_row(FIVE_STAR)
_THREE = {
    **_ROW,
    "elements": [
        {**e, "weight": w} for e, w in zip(_ROW["elements"][:3], (0.5, 0.25, 0.25), strict=True)
    ],
}


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        pytest.param(
            _element(_ROW, 1, element="AUDIT"),
            "DUPLICATE_ELEMENT",
            "input[0].elements[1].element",
            id="element-twice",
        ),
        pytest.param(
            _element(_ROW, 0, weight=0.3), "WEIGHTS_DO_NOT_SUM_TO_ONE", "input[0].elements", id="w"
        ),
        pytest.param(
            _element(_ROW, 2, score=100.5), "OUT_OF_RANGE", "input[0].elements[2].score", id="s"
        ),
        pytest.param(
            _element(_ROW, 2, score=-1), "OUT_OF_RANGE", "input[0].elements[2].score", id="neg"
        ),
        pytest.param(
            _element(_ROW, 3, weight=0), "OUT_OF_RANGE", "input[0].elements[3].weight", id="w0"
        ),
        pytest.param(
            {**_ROW, "stage2On": "2020-10-12"}, "INVALID_DATE_RANGE", "input[0].stage2On", id="st"
        ),
        pytest.param(
            {**_ROW, "cpsqMeasuredOn": "2020-11-20"},
            "INVALID_DATE_RANGE",
            "input[0].cpsqMeasuredOn",
            id="cpsq-after-stage2",
        ),
        pytest.param(
            {**_ROW, "stage1PersonDays": 0}, "OUT_OF_RANGE", "input[0].stage1PersonDays", id="pd"
        ),
        pytest.param({**_ROW, "cpsq": 101}, "OUT_OF_RANGE", "input[0].cpsq", id="cpsq-range"),
        pytest.param(_THREE, "MISSING_ELEMENT", "input[0].elements", id="missing"),
        pytest.param(
            {**_ROW, "cpsq": 79.5}, "CPSQ_BELOW_THRESHOLD", "input[0].cpsq", id="cpsq-low"
        ),
        pytest.param(
            assessment_row(FIVE_STAR, (86, 84, 85, 83)),
            "STARS_DISAGREE_WITH_ASSESSMENT",
            "input[0].certificate",
            id="four-star-total",
        ),
        pytest.param(
            {**_ROW, "stage2On": "2020-12-21"}, "INVALID_DATE_RANGE", "input[0].stage2On", id="iss"
        ),
        pytest.param(
            _element(_ROW, 1, assessedOn="2021-01-05"),
            "INVALID_DATE_RANGE",
            "input[0].elements[1].assessedOn",
            id="element-after-issue",
        ),
        pytest.param(
            {**_ROW, "certificate": "CCSC99SC9999"}, "NOT_FOUND", "input[0].certificate", id="nf"
        ),
        pytest.param(
            {**_ROW, "certificate": "CCSC23SC2031"},
            "UNKNOWN_STANDARD",
            "input[0].certificate",
            id="gb-t-20647",
        ),
    ],
)
async def test_an_assessment_breaking_a_rule_is_refused_and_writes_nothing(
    api: GraphQLClient, snapshot: Snapshot, row: dict[str, Any], code: str, field: str
) -> None:
    good = assessment_row("CCSC21SC0501R1")  # five stars, issued 2021-01-12: a valid row
    payload = await refused(api, snapshot, [row, good], role=Role.ADMIN)

    assert (code, field) in {(p["code"], p["field"]) for p in payload["problems"]}, payload
    assert not any(p["field"].startswith("input[1]") for p in payload["problems"]), payload


async def test_a_management_system_certificate_is_not_assessed(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    system = next(c for c in seedfacts.seed("certificates") if c["family"] == "MANAGEMENT_SYSTEM")

    payload = await refused(api, snapshot, [assessment_row(system["number"])], role=Role.ADMIN)

    assert payload["code"] == "NOT_A_SERVICE_CERTIFICATE"


# the certificate side ---------------------------------------------------------------------


async def test_reissuing_with_stars_the_assessment_does_not_earn_is_refused(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    seeded = seedfacts.certificate("CCSC17SC0100")  # five stars, total 92.2
    row = certificate_row(
        "CCSC17SC0100",
        **{k: seeded[k] for k in ("family", "standard", "scope", "issuedOn", "expiresOn")},
        holder=seeded["holder"],
        stars=4,
    )
    await api.key(Role.ADMIN)
    before = await snapshot()

    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)

    assert (payload["code"], payload["field"]) == (
        "STARS_DISAGREE_WITH_ASSESSMENT",
        "input[0].stars",
    ), payload
    assert await snapshot() == before
    agreeing = await mutate(api, "issueCertificates", [{**row, "stars": 5}], role=Role.ADMIN)
    assert agreeing["__typename"] == "IssueCertificatesSuccess", agreeing


async def test_reissuing_under_another_standard_than_the_assessment_is_refused(
    api: GraphQLClient,
) -> None:
    seeded = seedfacts.certificate("CCSC17SC0100")
    row = certificate_row(
        "CCSC17SC0100",
        **{k: seeded[k] for k in ("family", "scope", "issuedOn", "expiresOn", "stars")},
        holder=seeded["holder"],
        standard="GB/T 27922-2011",
    )

    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)

    assert (payload["code"], payload["field"]) == (
        "STANDARD_DISAGREES_WITH_ASSESSMENT",
        "input[0].standard",
    ), payload


# who may write ----------------------------------------------------------------------------


async def test_a_body_may_not_assess_another_bodys_certificate(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await refused(
        api,
        snapshot,
        [assessment_row(FIVE_STAR)],
        role=Role.CERTIFICATION_BODY,
        institution=CQC,
    )

    assert (payload["code"], payload["field"]) == ("NOT_AUTHORIZED", "input[0].certificate")


async def test_cqc_assesses_its_own_certificate(api: GraphQLClient) -> None:
    row = assessment_row(FOUR_STAR_CQC, (86, 84, 85, 83))
    row = {**row, "stage1On": "2022-02-07", "cpsqMeasuredOn": "2022-02-25"}
    row = {**row, "stage2On": "2022-03-14"}
    row["elements"] = [{**e, "assessedOn": "2022-03-01"} for e in row["elements"]]

    payload = await record(api, [row], role=Role.CERTIFICATION_BODY, institution=CQC)

    assert payload["__typename"] == "RecordServiceAssessmentsSuccess", payload
    assert payload["assessments"][0]["scheme"] == "SB/T 10595-2011"


async def test_a_partner_scoped_to_other_entities_may_not_assess(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api, CCSC, entities=["Certificate"])
    before = await snapshot()

    body = await api(
        MUTATIONS["recordServiceAssessments"], {"input": [assessment_row(FIVE_STAR)]}, bearer=key
    )

    payload = body["data"]["recordServiceAssessments"]
    assert payload["code"] == "NOT_AUTHORIZED", payload
    assert "Certificate" in payload["message"]
    assert await snapshot() == before


# the change log, snapshots ----------------------------------------------------------------


async def test_the_write_is_in_the_feed_and_the_snapshot(api: GraphQLClient) -> None:
    payload = await record(api, [assessment_row(FIVE_STAR)], role=Role.ADMIN)
    seq = payload["receipt"]["firstSeq"]

    [change] = await api.store.get_changes(after=seq - 1, limit=1)
    assert (change.entity, change.key, change.op) == ("ServiceAssessment", FIVE_STAR, "UPSERT")
    [certificate] = await api.store.get_certificates([FIVE_STAR])
    assert change.region == certificate.region is not None
    [doc] = await api.store.export_docs("ServiceAssessment", [FIVE_STAR])
    assert doc.doc["scores"] == [95, 92, 90, 91]
    assert doc.doc["scheme"] == "CCSC-SC-JYJC-2017"
    exported = await api.http.get(
        "/export/ServiceAssessment.ndjson",
        headers={"Authorization": f"Bearer {await api.key(Role.PARTNER)}"},
    )
    assert exported.status_code == 200, exported.text
    assert FIVE_STAR.encode() in exported.content
