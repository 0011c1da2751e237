"""Hostile review: a day asked for at the edge of the calendar (asOf 0001-01-01) is an odd
input, not an internal error. The windows the new features count back from that day
(complaints' overdue cutoffs, the data-quality and hard-rule findings window, a station's
performance window) start at the calendar's first day instead of before it. A step's
effective date is its writer's to state only within what the writer may sanction."""

from __future__ import annotations

import pytest

from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CNAS,
    CQC,
    accreditation_row,
    certificate_row,
    institution_status_row,
    mutate,
    status_change_row,
)
from tests.api.test_write_access import partner

HENGAN = "91210211401294580D"  # a Dalian lab with a complaint in the seeds
CCSC = "91110101940807760M"  # an issuer: it has a data-quality score
INSTITUTION = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
  complaintSummary { received open overdue substantiated }
  dataQuality { score }
  supervisionClass { class }
} }"""
CERTIFICATE = "CCSC23SC0102R2"  # CCSC's, VALID until 2026-12-14
PERFORMANCE = """query($d: Date, $n: Int!) { stations(region: "210000") { uscc
  performance(asOf: $d, days: $n) { firstDay lastDay requests } } }"""


@pytest.mark.parametrize("day", ["0001-01-01", "0001-12-31", "0003-06-30"])
@pytest.mark.parametrize("uscc", [HENGAN, CCSC])
async def test_an_institution_asked_about_year_one_is_answered_not_failed(
    reader: GraphQLClient, day: str, uscc: str
) -> None:
    body = await reader(INSTITUTION, {"u": uscc, "d": day}, role=Role.ADMIN)

    assert "errors" not in body, body["errors"]
    summary = body["data"]["institution"]["complaintSummary"]
    assert summary == {"received": 0, "open": 0, "overdue": 0, "substantiated": 0}


@pytest.mark.parametrize("day", ["0001-01-01", "0002-12-31"])
async def test_a_station_performance_window_reaching_before_year_one_is_answered(
    reader: GraphQLClient, day: str
) -> None:
    body = await reader(PERFORMANCE, {"d": day, "n": 1096})

    assert "errors" not in body, body["errors"]
    for station in body["data"]["stations"]:
        assert station["performance"]["firstDay"] == "0001-01-01"
        assert (station["performance"]["lastDay"], station["performance"]["requests"]) == (day, 0)


async def test_a_step_is_dated_by_whom_it_sanctions_and_reported_in_its_month(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body planted a restore ahead, which lifted the suspension its regulator then dated
    before it; planted CANCELLED for 2099, which barred the withdrawal oversight recorded
    today; and dated a restore eight months back, which erased an overdue suspension. Only
    oversight schedules, no one but ADMIN schedules a final step, and a body reports a step
    within 30 days of its day."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    regulator = {"role": Role.REGULATOR}
    await api.key(**ccsc)
    await api.key(Role.REGULATOR)
    before = await snapshot()
    refused = [
        await mutate(api, "changeCertificateStatus", [row], **who)
        for row, who in (
            (status_change_row(CERTIFICATE, "VALID", effectiveOn="2026-12-20"), ccsc),
            (status_change_row(CERTIFICATE, "CANCELLED", effectiveOn="2099-01-01"), ccsc),
            (status_change_row(CERTIFICATE, "SUSPENDED", effectiveOn="2026-04-01"), ccsc),
            (status_change_row(CERTIFICATE, "WITHDRAWN", effectiveOn="2026-12-01"), regulator),
        )
    ]
    closed = institution_status_row(HENGAN, "CLOSED", effectiveOn="2099-01-01")
    refused.append(await mutate(api, "changeInstitutionStatus", [closed], **regulator))
    assert await snapshot() == before
    reported = status_change_row(CERTIFICATE, "SUSPENDED", effectiveOn="2026-10-23")
    scheduled = status_change_row(CERTIFICATE, "SUSPENDED", effectiveOn="2026-12-01")
    landed = [
        await mutate(api, "changeCertificateStatus", [reported], **ccsc),
        await mutate(api, "changeCertificateStatus", [scheduled], **regulator),
    ]

    for payload in refused:
        assert (payload["code"], payload["field"]) == ("INVALID_VALUE", "input[0].effectiveOn")
    assert {p["__typename"] for p in landed} == {"ChangeCertificateStatusSuccess"}, landed


async def test_a_historical_import_is_excused_the_issue_days_scope_never_todays(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body (CQC, in the review) issued today's certificate outside any scope it holds by
    flagging it a historical import, and the public verifier answered VALID. The flag excuses
    a body the issue day's scope, which the registry may not have known; today's it must
    hold."""
    row = certificate_row(
        "CCSC26Q99077",
        standard="GB/T 99999-2099",  # no body is accredited for it
        issuedOn="2026-11-22",
        expiresOn="2029-11-21",
        historicalImport=True,
    )
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    await api.key(**ccsc)
    before = await snapshot()

    refused = await mutate(api, "issueCertificates", [row], **ccsc)

    assert (refused["code"], refused["field"]) == ("OUTSIDE_ACCREDITED_SCOPE", "input[0].standard")
    assert await snapshot() == before


async def test_a_record_sent_again_moves_no_bound_of_its_validity_into_the_past(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """An expired certificate re-issued with a later expiry, and an expired CMA re-sent with
    a later validUntil, answered VALID for the days they had answered EXPIRED, and knownAt
    could not show what was said before. A bound moves only among days still ahead."""
    lapsed = certificate_row("CCSC24Q77001", issuedOn="2024-01-10", expiresOn="2026-01-09")
    current = certificate_row("CCSC26Q77002")  # issued 2026-11-02, until 2029-11-01
    issued = await mutate(api, "issueCertificates", [lapsed, current], role=Role.ADMIN)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    await api.key(**ccsc)
    await api.key(Role.REGULATOR)
    before = await snapshot()
    cma = {
        "number": "202112726090",
        "scheme": "CMA",
        "body": "11210000616225742K",  # the Liaoning regulator
        "holder": "12210102123480606B",
        "scope": ["GB 2762-2022", "GB 4706.1-2005", "JJG 52-2013", "GB/T 228.1-2021"],
        "validFrom": "2020-03-02",
        "validUntil": "2032-02-29",  # stored: 2026-03-01, past
        "status": "VALID",
    }
    refused = [
        await mutate(api, "issueCertificates", [{**lapsed, "expiresOn": "2026-12-31"}], **ccsc),
        await mutate(api, "issueCertificates", [{**current, "expiresOn": "2026-11-10"}], **ccsc),
        await mutate(api, "upsertAccreditations", [cma], role=Role.REGULATOR),
    ]
    assert await snapshot() == before
    renewed = await mutate(
        api, "issueCertificates", [{**current, "expiresOn": "2029-06-30"}], **ccsc
    )

    fields = [(p["code"], p["field"]) for p in refused]
    assert fields == [
        ("INVALID_VALUE", "input[0].expiresOn"),
        ("INVALID_VALUE", "input[0].expiresOn"),
        ("INVALID_VALUE", "input[0].validUntil"),
    ], refused
    assert renewed["__typename"] == "IssueCertificatesSuccess", renewed


HENGXIN = "91320102479587631B"  # a Nanjing certification body
OUTSIDE_SCOPE = {  # its certificate issued outside its accredited scope, as seeded
    "number": "HXC-25-S0163",
    "family": "SERVICE",
    "standard": "GA/T 594-2006",
    "scope": "门卫、巡逻、守护、安全检查保安服务",
    "stars": 5,
    "issuedOn": "2025-11-20",
    "expiresOn": "2028-11-19",
    "issuer": HENGXIN,
    "holder": "9132010634742526XT",
    "historicalImport": True,
}
LAPSED = {  # CCSC's four-star certificate that expired in 2024, as seeded
    "number": "CCSC21SC3012",
    "family": "SERVICE",
    "standard": "GB/T 27922-2011",
    "scope": "家用电器销售的售后服务(配送、安装、维修、退换货)",
    "stars": 4,
    "issuedOn": "2021-10-15",
    "expiresOn": "2024-10-14",
    "issuer": CCSC,
    "holder": "91210204765854024T",
}
VERIFY_ON = """query($n: String!, $d: Date) { verifyCertificate(number: $n, asOf: $d) {
  warnings { code } } }"""


async def test_a_certificate_sent_again_certifies_what_it_was_issued_for(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """恒信 re-sent its certificate issued outside its accredited scope under a standard it
    is accredited for, without the flag: verifications of days gone by lost the
    OUTSIDE_ACCREDITED_SCOPE warning, and knownAt could not show it. CCSC raised a lapsed
    certificate's stars. What a certificate certifies stays as issued; ADMIN corrects."""
    hengxin = {"role": Role.CERTIFICATION_BODY, "institution": HENGXIN}
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    await api.key(**hengxin)
    await api.key(**ccsc)
    warned = await api(VERIFY_ON, {"n": OUTSIDE_SCOPE["number"], "d": "2026-01-01"})
    before = await snapshot()
    whitewashed = {**OUTSIDE_SCOPE, "standard": "SB/T 10595-2011"}
    del whitewashed["historicalImport"]

    refused = [
        await mutate(api, "issueCertificates", [whitewashed], **hengxin),
        await mutate(api, "issueCertificates", [{**OUTSIDE_SCOPE, "scope": "保安服务"}], **hengxin),
        await mutate(api, "issueCertificates", [{**LAPSED, "stars": 5}], **ccsc),
        await mutate(
            api, "issueCertificates", [{**LAPSED, "family": "PRODUCT", "stars": None}], **ccsc
        ),
    ]

    assert [(p["code"], p["field"]) for p in refused] == [
        ("NOT_AUTHORIZED", "input[0].standard"),
        ("NOT_AUTHORIZED", "input[0].scope"),
        ("NOT_AUTHORIZED", "input[0].stars"),
        ("NOT_AUTHORIZED", "input[0].family"),
    ], refused
    assert await snapshot() == before
    assert {"code": "OUTSIDE_ACCREDITED_SCOPE"} in warned["data"]["verifyCertificate"]["warnings"]
    corrected = await mutate(api, "issueCertificates", [{**LAPSED, "stars": 3}], role=Role.ADMIN)
    assert corrected["__typename"] == "IssueCertificatesSuccess", corrected


GRANT = {  # CNAS's accreditation of 恒信 as a service certification body, as seeded
    "number": "CNAS-C256-S",
    "scheme": "CNAS_SERVICE_17065",
    "body": CNAS,
    "holder": HENGXIN,
    "scope": ["GB/T 27922-2011", "SB/T 10595-2011"],
    "validFrom": "2018-07-01",
    "validUntil": "2030-06-30",
    "status": "VALID",
}
CMA = {  # the Liaoning regulator's CMA of a Shenyang lab, as seeded (expired 2026-03-01)
    "number": "202112726090",
    "scheme": "CMA",
    "body": "11210000616225742K",
    "holder": "12210102123480606B",
    "scope": ["GB 2762-2022", "GB 4706.1-2005", "JJG 52-2013", "GB/T 228.1-2021"],
    "validFrom": "2020-03-02",
    "validUntil": "2026-03-01",
    "status": "VALID",
}


async def test_an_accreditation_sent_again_is_the_grant_it_was_and_its_scope_moves_by_steps(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """CNAS's partner system re-sent 恒信's grant with GA/T 594 in its scope, and the
    certificate 恒信 had issued outside its scope verified without the warning on days
    gone by; re-sent narrower, certificates that had verified clean warned; re-sent to
    another holder, the first holder's past grants moved. A grant re-sent keeps its scheme,
    body, holder and scope; a scope changes by a dated step, from its day on."""
    partner = {"role": Role.PARTNER, "institution": CNAS}
    await api.key(**partner)
    await api.key(Role.REGULATOR)
    before = await snapshot()

    refused = [
        await mutate(
            api,
            "upsertAccreditations",
            [{**GRANT, "scope": [*GRANT["scope"], "GA/T 594-2006"]}],
            **partner,
        ),
        await mutate(
            api, "upsertAccreditations", [{**GRANT, "scope": ["GB/T 27922-2011"]}], **partner
        ),
        await mutate(
            api, "upsertAccreditations", [{**GRANT, "holder": "91440106732910130L"}], **partner
        ),
        await mutate(
            api,
            "upsertAccreditations",
            [{**CMA, "scope": ["GB 2762-2022"]}],
            role=Role.REGULATOR,
        ),
    ]

    assert [(p["code"], p["field"]) for p in refused] == [
        ("NOT_AUTHORIZED", "input[0].scope"),
        ("NOT_AUTHORIZED", "input[0].scope"),
        ("NOT_AUTHORIZED", "input[0].holder"),
        ("NOT_AUTHORIZED", "input[0].scope"),
    ], refused
    assert await snapshot() == before
    extended = await mutate(
        api,
        "changeAccreditationStatus",
        [
            {
                "number": GRANT["number"],
                "status": "VALID",
                "reason": "扩大认可范围 (scope extended)",
                "scopeAdded": ["GA/T 594-2006"],
            }
        ],
        **partner,
    )
    assert extended["__typename"] == "ChangeAccreditationStatusSuccess", extended
    # A regulator steps the grants regulators make, not CNAS's: a provincial regulator added
    # GA/T 594 to this grant dated back to 2018, and the warning went, past days too.
    backdated = {
        "number": GRANT["number"],
        "status": "VALID",
        "reason": "x",
        "effectiveOn": "2018-07-01",
        "scopeAdded": ["GA/T 594-2006"],
    }
    cma_step = {
        "number": "232112437909",  # the Liaoning regulator's CMA of a Dalian lab, in force
        "status": "VALID",
        "reason": "扩项 (scope extended)",
        "scopeAdded": ["GB/T 228.1-2021"],
    }
    by_regulator = await mutate(api, "changeAccreditationStatus", [backdated], role=Role.REGULATOR)
    # Widening is no sanction: its own grant's scope too, a regulator widens from a day
    # reported within the month, not dated back over certificates issued outside it.
    widened_back = await mutate(
        api,
        "changeAccreditationStatus",
        [{**cma_step, "effectiveOn": "2025-01-01"}],
        role=Role.REGULATOR,
    )
    own_grant = await mutate(api, "changeAccreditationStatus", [cma_step], role=Role.REGULATOR)
    assert (by_regulator["code"], by_regulator["field"]) == ("NOT_AUTHORIZED", "input[0].number")
    assert (widened_back["code"], widened_back["field"]) == (
        "INVALID_VALUE",
        "input[0].effectiveOn",
    )
    assert own_grant["__typename"] == "ChangeAccreditationStatusSuccess", own_grant
    # CNCA is registered at a Beijing district: a Beijing key is not therefore the nation's.
    beijing = await create_api_key(
        api.store, role=Role.REGULATOR, regions=["110000"], label="beijing", actor="test"
    )
    cnca_step = {**backdated, "number": "CNCA-R-2015-256", "effectiveOn": None}
    cnca_grant = {
        **GRANT,
        "number": "CNCA-R-2026-999",
        "scheme": "CNCA_APPROVAL",
        "body": "11110108864665640P",
        "holder": "91110101940807760M",
        "scope": ["GA/T 594-2006"],
    }
    national = [
        await mutate(api, "changeAccreditationStatus", [cnca_step], bearer=beijing),
        await mutate(api, "upsertAccreditations", [cnca_grant], bearer=beijing),
    ]
    assert [(p["code"], p["field"]) for p in national] == [
        ("NOT_AUTHORIZED", "input[0].number"),
        ("NOT_AUTHORIZED", "input[0].body"),
    ], national
    # Judged by the scope of its issue day, which a step of today does not reach.
    for day in ("2026-01-01", None):
        verified = await api(VERIFY_ON, {"n": OUTSIDE_SCOPE["number"], "d": day})
        warnings = verified["data"]["verifyCertificate"]["warnings"]
        assert {"code": "OUTSIDE_ACCREDITED_SCOPE"} in warnings, day


async def test_a_body_reports_a_new_certificate_within_30_days_of_its_issue(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body recorded 40 certificates dated 2024 and lapsed since, to holders it invented:
    counted as issued, they took its own grade from 65.8 C to 78.7 B today and from 70.0 B
    to 85.7 A on a day of 2024 (twenty-fourth session's review). An older certificate is
    an archive, ADMIN's to load; one recorded already may be sent again."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    lapsed = [
        certificate_row(f"CCSC24Q8800{n}", issuedOn="2024-01-02", expiresOn="2024-12-31")
        for n in range(3)
    ]
    await api.key(**ccsc)
    before = await snapshot()

    refused = await mutate(api, "issueCertificates", lapsed, **ccsc)
    unchanged = await snapshot()
    last_day = certificate_row(  # TODAY - 30 days
        "CCSC26Q88010", issuedOn="2026-10-23", expiresOn="2029-10-22"
    )
    in_time = await mutate(api, "issueCertificates", [last_day], **ccsc)
    day_before = certificate_row("CCSC26Q88011", issuedOn="2026-10-22", expiresOn="2029-10-21")
    late = await mutate(api, "issueCertificates", [day_before], **ccsc)
    archived = await mutate(api, "issueCertificates", lapsed, role=Role.ADMIN)
    sent_again = await mutate(api, "issueCertificates", lapsed[:1], **ccsc)

    assert (refused["code"], refused["field"]) == ("INVALID_VALUE", "input[0].issuedOn")
    assert [p["field"] for p in refused["problems"]] == [f"input[{n}].issuedOn" for n in range(3)]
    assert unchanged == before
    assert in_time["__typename"] == "IssueCertificatesSuccess", in_time
    assert (late["code"], late["field"]) == ("INVALID_VALUE", "input[0].issuedOn"), late
    assert archived["__typename"] == "IssueCertificatesSuccess", archived
    assert sent_again["__typename"] == "IssueCertificatesSuccess", sent_again


async def test_a_body_reports_a_new_grant_within_30_days_of_its_start(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """CNAS's partner key granted a body a scope 23 months back: a certificate it had issued
    outside its scope lost its warning on every day since, came off the anomaly list, and
    the body's class on 2026-01-01 went from D to A; the same widening as a dated scope
    step was refused (twenty-fifth session's review). A new grant is reported within 30
    days of its start, as a certificate is; an older one is ADMIN's archive."""
    cnas = await partner(api, CNAS)
    back = accreditation_row("CNAS-T-BACK", CQC, body=CNAS, validFrom="2025-01-01")
    before = await snapshot()

    refused = await mutate(api, "upsertAccreditations", [back], bearer=cnas)
    unchanged = await snapshot()
    edge = accreditation_row("CNAS-T-EDGE", CQC, body=CNAS, validFrom="2026-10-23")
    in_time = await mutate(api, "upsertAccreditations", [edge], bearer=cnas)
    archived = await mutate(api, "upsertAccreditations", [back], role=Role.ADMIN)
    sent_again = await mutate(api, "upsertAccreditations", [back], bearer=cnas)

    assert (refused["code"], refused["field"]) == ("INVALID_VALUE", "input[0].validFrom"), refused
    assert unchanged == before
    assert in_time["__typename"] == "UpsertAccreditationsSuccess", in_time
    assert archived["__typename"] == "UpsertAccreditationsSuccess", archived
    assert sent_again["__typename"] == "UpsertAccreditationsSuccess", sent_again
