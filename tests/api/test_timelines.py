"""Issue 13 through the API, with dated examples: status is what took effect, steps dated
ahead are scheduled, lifecycle rules are refused with the field to fix, the chain of trust
reads the accreditation as it stood on the issue date, and as-of questions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph.models import CertificateQuery
from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CNAS,
    YUEZHI,
    accreditation_change_row,
    certificate_row,
    institution_row,
    institution_status_row,
    mutate,
    new_uscc,
    status_change_row,
)
from tests.conftest import TODAY

GREEN = "GB/T 33761-2017"
GREEN_HOLDER = "91440606499076329W"  # holds YZC26GP00042
REINSTATED = "CCSC25Q10417R1"  # seed: SUSPENDED 2026-03-10, VALID 2026-06-02
WITHDRAWN = "CQC24FW0588"  # seed: SUSPENDED 2025-09-01, WITHDRAWN 2026-03-02
VOLUNTARY = "00124Q31562R0S"  # seed: management system, SUSPENDED 2026-07-01
ISSUED_DURING_SUSPENSION = "YZC26GP00042"

CERTIFICATE = """
query($n: String!, $asOf: Date, $knownAt: DateTime) {
  certificate(number: $n, asOf: $asOf, knownAt: $knownAt) {
    status statusSince statusReason scopeException
    history { status effectiveOn scheduled }
  }
}"""
VERIFY = """
query($n: String!, $asOf: Date) {
  verifyCertificate(number: $n, asOf: $asOf) {
    verdict asOf certificate { status statusSince }
    chainOfTrust { accreditedOnIssueDate issuerSuspendedNow accreditationNumber }
    warnings { code }
  }
}"""
ACCREDITATION = """
query($n: String!, $asOf: Date) {
  accreditation(number: $n, asOf: $asOf) {
    status statusSince scope history { status effectiveOn scheduled scopeRemoved }
  }
}"""
INSTITUTION = """
query($u: String!, $asOf: Date) {
  institution(uscc: $u, asOf: $asOf) {
    status history { status effectiveOn scheduled }
    accreditations { number status }
  }
}"""


async def _certificate(api: GraphQLClient, number: str, **variables: Any) -> Any:
    body = await api(CERTIFICATE, {"n": number, **variables}, role=Role.ADMIN)
    assert "errors" not in body, body
    return body["data"]["certificate"]


async def _verify(api: GraphQLClient, number: str, as_of: str | None = None, **who: Any) -> Any:
    body = await api(VERIFY, {"n": number, "asOf": as_of}, **who)
    assert "errors" not in body, body
    result = body["data"]["verifyCertificate"]
    result["codes"] = {w["code"] for w in result["warnings"]}
    return result


def _green(number: str, issued_on: str, expires_on: str, **fields: Any) -> dict[str, Any]:
    return certificate_row(
        number,
        family="PRODUCT",
        standard=GREEN,
        scope="绿色建材产品",
        issuer=YUEZHI,
        holder=GREEN_HOLDER,
        issuedOn=issued_on,
        expiresOn=expires_on,
        **fields,
    )


# The chain of trust on the issue date ---------------------------------------------------------


async def test_issued_before_the_accreditations_suspension_it_was_accredited_then(
    api: GraphQLClient,
) -> None:
    """A green-product certificate issued on 2025-01-10; CNAS-C212-P is suspended from
    2026-07-01: accredited on its issue date, its issuer suspended now."""
    issued = await mutate(
        api,
        "issueCertificates",
        [_green("YZC25GP00007", "2025-01-10", "2028-01-09")],
        role=Role.ADMIN,
    )
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    result = await _verify(api, "YZC25GP00007")
    assert result["chainOfTrust"]["accreditedOnIssueDate"] is True
    assert result["chainOfTrust"]["accreditationNumber"] == "CNAS-C212-P"
    assert result["chainOfTrust"]["issuerSuspendedNow"] is True
    assert result["codes"] == {"ISSUER_SUSPENDED"}
    before = await _verify(api, "YZC25GP00007", "2026-06-30")
    assert before["chainOfTrust"]["issuerSuspendedNow"] is False
    assert before["codes"] == set()


async def test_issued_during_the_suspension_it_was_not(api: GraphQLClient) -> None:
    result = await _verify(api, ISSUED_DURING_SUSPENSION)
    assert result["chainOfTrust"]["accreditedOnIssueDate"] is False
    assert "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE" in result["codes"]
    recorded = await _certificate(api, ISSUED_DURING_SUSPENSION)
    assert "CNAS-C212-P" in recorded["scopeException"]


async def test_issuing_during_the_suspension_is_refused_unless_a_historical_import(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    row = _green("YZC26GP00099", "2026-09-01", "2029-08-31")
    await api.key(Role.ADMIN)
    before = await snapshot()
    refused = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)
    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "InvalidInput",
        "OUTSIDE_ACCREDITED_SCOPE",
        "input[0].standard",
    )
    assert await snapshot() == before
    accepted = await mutate(
        api, "issueCertificates", [{**row, "historicalImport": True}], role=Role.ADMIN
    )
    assert accepted["__typename"] == "IssueCertificatesSuccess", accepted
    assert (await _certificate(api, "YZC26GP00099"))["scopeException"]
    assert "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE" in (await _verify(api, "YZC26GP00099"))["codes"]


async def test_a_family_that_needs_no_accreditation_is_issued_by_a_body_without_one(
    api: GraphQLClient,
) -> None:
    """Product certificates are also issued under CNCA designation: a certification body
    holding no product accreditation is not refused (docs/lifecycle.md)."""
    body = new_uscc(1)
    kinds = {"kinds": ["CERTIFICATION_BODY"]}
    registered = await mutate(
        api, "upsertInstitutions", [institution_row(body, **kinds)], role=Role.ADMIN
    )
    assert registered["__typename"] == "UpsertInstitutionsSuccess", registered
    row = certificate_row(
        "DLRZ26P00001",
        family="PRODUCT",
        standard="GB 4706.1-2005",
        issuer=body,  # a certification body holding no accreditation at all
        issuedOn="2026-10-08",
        expiresOn="2031-10-07",
    )
    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)
    assert payload["__typename"] == "IssueCertificatesSuccess", payload


# Lifecycle rules --------------------------------------------------------------------------------


async def test_a_body_cannot_certify_on_the_days_it_is_suspended(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """广东粤质 suspended from 2026-10-01 (责令停业整顿): a certificate dated in its suspension
    is refused; one dated before it is not."""
    suspended = await mutate(
        api,
        "changeInstitutionStatus",
        [institution_status_row(YUEZHI, "SUSPENDED", effectiveOn="2026-10-01")],
        role=Role.ADMIN,
    )
    assert suspended["__typename"] == "ChangeInstitutionStatusSuccess", suspended
    during = certificate_row(
        "YZC26Q00101", issuer=YUEZHI, issuedOn="2026-10-08", expiresOn="2029-10-07"
    )
    before = await snapshot()

    payload = await mutate(api, "issueCertificates", [during], role=Role.ADMIN)

    assert (payload["code"], payload["field"]) == ("ISSUER_NOT_ACTIVE", "input[0].issuedOn")
    historical = {**during, "historicalImport": True}  # the writer's own flag
    payload = await mutate(api, "issueCertificates", [historical], role=Role.ADMIN)
    assert (payload["code"], payload["field"]) == ("ISSUER_NOT_ACTIVE", "input[0].issuedOn")
    assert await snapshot() == before
    earlier = {
        **during,
        "number": "YZC26Q00102",
        "issuedOn": "2026-09-20",
        "expiresOn": "2029-09-19",
    }
    issued = await mutate(api, "issueCertificates", [earlier], role=Role.ADMIN)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued


async def test_a_body_suspended_or_stripped_today_cannot_date_its_certificates_before(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """The issue date is the writer's own to state: CCSC suspended today, or stripped today
    of what lets it certify to ISO 9001, cannot record a certificate dated weeks back, which would
    verify VALID once it is reinstated. ADMIN migrating an archive still may."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    backdated = certificate_row("CCSC26Q99001", issuedOn="2026-11-02")
    suspend = institution_status_row(CCSC, "SUSPENDED")
    assert (await mutate(api, "changeInstitutionStatus", [suspend], role=Role.ADMIN))[
        "__typename"
    ] == "ChangeInstitutionStatusSuccess"
    await api.key(Role.CERTIFICATION_BODY, CCSC)  # a key is a logged write of its own
    before = await snapshot()

    suspended = await mutate(api, "issueCertificates", [backdated], **ccsc)
    historical = await mutate(
        api, "issueCertificates", [{**backdated, "historicalImport": True}], **ccsc
    )
    assert await snapshot() == before
    reinstate = institution_status_row(CCSC, "ACTIVE", reason="整改完成 (rectified)")
    reinstated = await mutate(api, "changeInstitutionStatus", [reinstate], role=Role.ADMIN)
    withdraw = [  # both cover ISO 9001: the CNAS accreditation and CNCA's approval
        accreditation_change_row(number, "WITHDRAWN")
        for number in ("CNAS-C007-M", "CNCA-R-2002-007")
    ]
    withdrawn = await mutate(api, "changeAccreditationStatus", withdraw, role=Role.ADMIN)
    stripped = await mutate(api, "issueCertificates", [backdated], **ccsc)
    migrated = await mutate(api, "issueCertificates", [backdated], role=Role.ADMIN)

    for refused in (suspended, historical):
        assert (refused["code"], refused["field"]) == ("ISSUER_NOT_ACTIVE", "input[0].issuedOn")
        assert TODAY.isoformat() in refused["problems"][0]["message"], refused
    assert reinstated["__typename"] == "ChangeInstitutionStatusSuccess", reinstated
    assert withdrawn["__typename"] == "ChangeAccreditationStatusSuccess", withdrawn
    assert (stripped["code"], stripped["field"]) == (
        "OUTSIDE_ACCREDITED_SCOPE",
        "input[0].standard",
    )
    assert migrated["__typename"] == "IssueCertificatesSuccess", migrated


async def test_withdrawn_to_valid_is_refused(api: GraphQLClient, snapshot: Snapshot) -> None:
    await api.key(Role.ADMIN)
    before = await snapshot()
    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(WITHDRAWN, "VALID", effectiveOn="2026-11-01")],
        role=Role.ADMIN,
    )
    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "InvalidInput",
        "INVALID_TRANSITION",
        "input[0].status",
    )
    assert await snapshot() == before


async def test_a_late_withdrawal_is_judged_where_it_takes_effect(api: GraphQLClient) -> None:
    """Recorded now but dated 2026-04-01, between the suspension and the reinstatement: the
    reinstatement would follow a withdrawal."""
    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(REINSTATED, "WITHDRAWN", effectiveOn="2026-04-01")],
        role=Role.ADMIN,
    )
    assert (payload["code"], payload["field"]) == ("INVALID_TRANSITION", "input[0].effectiveOn")
    assert "VALID on 2026-06-02, already in force" in payload["message"]


async def test_validity_from_1990_to_2099_and_issue_dates_ahead_are_refused(
    api: GraphQLClient,
) -> None:
    long = certificate_row("CCSC90Q10001", issuedOn="1990-01-01", expiresOn="2099-12-31")
    ahead = certificate_row("CCSC27Q10001", issuedOn="2026-11-23", expiresOn="2029-11-22")
    payload = await mutate(api, "issueCertificates", [long, ahead], role=Role.ADMIN)
    assert payload["__typename"] == "InvalidInput"
    assert {(p["code"], p["field"]) for p in payload["problems"]} == {
        ("INVALID_VALIDITY", "input[0].expiresOn"),
        ("INVALID_VALIDITY", "input[1].issuedOn"),
    }


async def test_regulators_see_an_overdue_suspension(api: GraphQLClient) -> None:
    query = """query($n: String!, $asOf: Date) { certificate(number: $n, asOf: $asOf) {
        suspensionOverdue { code since limitMonths } } }"""
    late = {"n": VOLUNTARY, "asOf": "2027-01-02"}
    seen = await api(query, late, role=Role.REGULATOR)
    assert seen["data"]["certificate"]["suspensionOverdue"] == {
        "code": "SUSPENSION_OVERDUE",
        "since": "2026-07-01",
        "limitMonths": 6,
    }
    in_time = await api(query, {**late, "asOf": "2027-01-01"}, role=Role.REGULATOR)
    assert in_time["data"]["certificate"]["suspensionOverdue"] is None
    public = await api(query, late)
    assert public["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"
    told = await _verify(api, VOLUNTARY, "2027-01-02", role=Role.REGULATOR)
    assert "SUSPENSION_OVERDUE" in told["codes"]
    assert "SUSPENSION_OVERDUE" not in (await _verify(api, VOLUNTARY, "2027-01-02"))["codes"]


# What took effect ------------------------------------------------------------------------------


async def test_a_late_recorded_earlier_suspension_does_not_override_a_later_reinstatement(
    api: GraphQLClient,
) -> None:
    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(REINSTATED, "SUSPENDED", effectiveOn="2026-02-01")],
        role=Role.ADMIN,
    )
    assert payload["__typename"] == "ChangeCertificateStatusSuccess", payload
    now = await _certificate(api, REINSTATED)
    assert (now["status"], now["statusSince"]) == ("VALID", "2026-06-02")
    assert [s["effectiveOn"] for s in now["history"]][1:] == [
        "2026-02-01",
        "2026-03-10",
        "2026-06-02",
    ]
    assert (await _certificate(api, REINSTATED, asOf="2026-02-15"))["status"] == "SUSPENDED"


async def test_a_future_suspension_is_scheduled_not_in_force(api: GraphQLClient) -> None:
    number = "CCSC25SC2107R1"  # valid until 2028-03-13
    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(number, "SUSPENDED", effectiveOn="2027-01-15")],
        role=Role.ADMIN,
    )
    assert payload["certificates"][0]["status"] == "VALID"
    now = await _certificate(api, number)
    assert now["status"] == "VALID"
    assert [(s["status"], s["scheduled"]) for s in now["history"]][-1] == ("SUSPENDED", True)
    assert (await _verify(api, number))["verdict"] == "VALID"
    listed = """query($s: CertificateStatus) { certificates(filter: {status: $s}, first: 100) {
        totalCount edges { node { number } } } }"""
    suspended = await api(listed, {"s": "SUSPENDED"}, role=Role.ADMIN)
    numbers = {e["node"]["number"] for e in suspended["data"]["certificates"]["edges"]}
    assert number not in numbers
    later = await _certificate(api, number, asOf="2027-01-15")
    assert later["status"] == "SUSPENDED"
    verified = await _verify(api, number, "2027-01-15")
    assert (verified["verdict"], verified["asOf"]) == ("NOT_VALID", "2027-01-15")


async def test_a_withdrawal_supersedes_the_suspension_scheduled_after_it(
    api: GraphQLClient,
) -> None:
    """A regulator scheduled a suspension, then the issuer withdrew the certificate: the suspension
    never takes effect, in the history, on its day, in listings filtered by status on that
    day (the stored step lists) and for any step after the withdrawal."""
    number = "CCSC25SC2107R1"  # valid until 2028-03-13
    scheduled = [status_change_row(number, "SUSPENDED", effectiveOn="2027-01-15")]
    payload = await mutate(api, "changeCertificateStatus", scheduled, role=Role.REGULATOR)
    assert payload["__typename"] == "ChangeCertificateStatusSuccess", payload
    between = datetime.now(UTC).isoformat()
    withdrawal = [status_change_row(number, "WITHDRAWN", effectiveOn=TODAY.isoformat())]
    issuer = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    payload = await mutate(api, "changeCertificateStatus", withdrawal, **issuer)
    assert payload["__typename"] == "ChangeCertificateStatusSuccess", payload
    now = await _certificate(api, number)
    assert now["status"] == "WITHDRAWN"
    assert [(s["status"], s["scheduled"]) for s in now["history"]][-1] == ("WITHDRAWN", False)
    assert "SUSPENDED" not in {s["status"] for s in now["history"]}
    assert (await _certificate(api, number, asOf="2027-02-01"))["status"] == "WITHDRAWN"
    verified = await _verify(api, number, "2027-02-01")
    assert (verified["verdict"], verified["certificate"]["status"]) == ("NOT_VALID", "WITHDRAWN")
    on_its_day = date(2027, 2, 1)
    for status, listed in (("SUSPENDED", False), ("WITHDRAWN", True)):
        query = CertificateQuery(today=on_its_day, issuer=CCSC, status=status)
        found = await api.store.list_certificates(query, after=None, limit=1000)
        assert (number in {c.number for c in found}) is listed, status
    known_then = await _certificate(api, number, asOf="2027-02-01", knownAt=between)
    assert known_then["status"] == "SUSPENDED"
    after = [status_change_row(number, "VALID", effectiveOn="2027-06-01")]
    payload = await mutate(api, "changeCertificateStatus", after, role=Role.ADMIN)
    assert (payload["code"], payload["field"]) == ("INVALID_TRANSITION", "input[0].status")


async def test_as_of_before_and_after_each_change(reader: GraphQLClient) -> None:
    for day, status in [
        ("2026-03-09", "VALID"),
        ("2026-03-10", "SUSPENDED"),
        ("2026-06-01", "SUSPENDED"),
        ("2026-06-02", "VALID"),
    ]:
        assert (await _certificate(reader, REINSTATED, asOf=day))["status"] == status, day
    for day, status in [("2026-06-30", "VALID"), ("2026-07-01", "SUSPENDED")]:
        body = await reader(ACCREDITATION, {"n": "CNAS-C212-P", "asOf": day})
        assert body["data"]["accreditation"]["status"] == status, day
        holder = await reader(INSTITUTION, {"u": YUEZHI, "asOf": day})
        held = {a["number"]: a["status"] for a in holder["data"]["institution"]["accreditations"]}
        assert held["CNAS-C212-P"] == status, day


async def test_expired_since_the_day_after_its_last_not_since_its_last_step(
    reader: GraphQLClient,
) -> None:
    """CCSC20SC0101R1 was valid until 2023-12-19: from the 20th it is EXPIRED, for that
    reason, whatever step it was issued with; CNAS-L2105 likewise after 2027-03-25."""
    expired = await _certificate(reader, "CCSC20SC0101R1")
    assert (expired["status"], expired["statusSince"], expired["statusReason"]) == (
        "EXPIRED",
        "2023-12-20",
        "证书有效期届满",
    )
    last = await _certificate(reader, "CCSC20SC0101R1", asOf="2023-12-19")
    assert (last["status"], last["statusSince"]) == ("VALID", "2020-12-20")
    verified = await _verify(reader, "CCSC20SC0101R1", "2024-05-01")
    assert verified["certificate"] == {"status": "EXPIRED", "statusSince": "2023-12-20"}
    for day, status, since in [
        ("2027-03-25", "VALID", "2009-03-26"),
        ("2027-03-26", "EXPIRED", "2027-03-26"),
    ]:
        body = await reader(ACCREDITATION, {"n": "CNAS-L2105", "asOf": day})
        found = body["data"]["accreditation"]
        assert (found["status"], found["statusSince"]) == (status, since), day


async def test_before_its_grant_an_accreditation_did_not_exist(reader: GraphQLClient) -> None:
    """CNCA-R-2014-212 was granted on 2014-11-01: asked about June 2014 it is not there (it
    read VALID, since a day after the one asked for), and 广东粤质 held no accreditation
    then; writing a certificate dated that day is refused for the same reason."""
    body = await reader(ACCREDITATION, {"n": "CNCA-R-2014-212", "asOf": "2014-06-01"})
    assert body["data"]["accreditation"] is None
    granted = await reader(ACCREDITATION, {"n": "CNCA-R-2014-212", "asOf": "2014-11-01"})
    assert granted["data"]["accreditation"]["status"] == "VALID"
    holder = await reader(INSTITUTION, {"u": YUEZHI, "asOf": "2014-06-01"})
    held = [a["number"] for a in holder["data"]["institution"]["accreditations"]]
    assert "CNCA-R-2014-212" not in held


async def test_an_accreditation_is_expired_only_after_its_last_day(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """EXPIRED follows from validUntil: set on a grant it read EXPIRED for the whole
    validity (CNAS-L6632 in the seeds did); it is refused, and the seeded one is VALID
    until 2025-06-30 and EXPIRED from the next day."""
    row = {
        "number": "CNAS-L9988",
        "scheme": "CNAS_LAB_17025",
        "body": CNAS,
        "holder": YUEZHI,
        "scope": ["GB/T 19001-2016/ISO 9001:2015"],
        "validFrom": "2020-01-01",
        "validUntil": "2026-01-01",
        "status": "EXPIRED",
    }
    await api.key(Role.ADMIN)  # creating a key is a change: before the snapshot
    before = await snapshot()
    payload = await mutate(api, "upsertAccreditations", [row], role=Role.ADMIN)
    assert (payload["code"], payload["field"]) == ("INVALID_VALUE", "input[0].status"), payload
    assert await snapshot() == before
    for day, status in [
        ("2022-01-01", "VALID"),
        ("2025-06-30", "VALID"),
        ("2025-07-01", "EXPIRED"),
    ]:
        body = await api(ACCREDITATION, {"n": "CNAS-L6632", "asOf": day})
        assert body["data"]["accreditation"]["status"] == status, day


async def test_an_issuers_certificates_on_a_past_day_are_those_issued_by_then(
    reader: GraphQLClient,
) -> None:
    """江苏恒信's certificates on 2022-01-01: it listed all twelve, issued 2021 to 2025, with
    today's statuses."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      issuedCertificates(first: 100) { totalCount edges { node { number issuedOn status } } }
    } }"""
    then = await reader(query, {"u": "91320102479587631B", "d": "2022-01-01"}, role=Role.ADMIN)
    now = await reader(query, {"u": "91320102479587631B", "d": None}, role=Role.ADMIN)
    listed = then["data"]["institution"]["issuedCertificates"]
    every = now["data"]["institution"]["issuedCertificates"]
    assert 0 < listed["totalCount"] == len(listed["edges"]) < every["totalCount"]
    assert all(e["node"]["issuedOn"] <= "2022-01-01" for e in listed["edges"])
    assert {e["node"]["status"] for e in listed["edges"]} == {"VALID"}


async def test_before_its_issue_date_a_certificate_did_not_exist(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATE, {"n": REINSTATED, "asOf": "2020-01-01"})
    assert body["data"]["certificate"] is None
    assert (await _verify(reader, REINSTATED, "2020-01-01"))["verdict"] == "NOT_FOUND"


async def test_an_overdue_suspension_recorded_later_is_not_known_before(
    api: GraphQLClient,
) -> None:
    """Told now of a suspension from 2026-01-01 (past the six months a management-system
    certificate may be suspended), the registry knew of neither a moment before."""
    query = """query($n: String!, $k: DateTime) { certificate(number: $n, knownAt: $k) {
        status suspensionOverdue { since } } }"""
    before = datetime.now(UTC).isoformat()
    await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row("CCSC24Q11208", "SUSPENDED", effectiveOn="2026-01-01")],
        role=Role.ADMIN,
    )
    now = await api(query, {"n": "CCSC24Q11208", "k": None}, role=Role.REGULATOR)
    then = await api(query, {"n": "CCSC24Q11208", "k": before}, role=Role.REGULATOR)
    assert now["data"]["certificate"] == {
        "status": "SUSPENDED",
        "suspensionOverdue": {"since": "2026-01-01"},
    }
    assert then["data"]["certificate"] == {"status": "VALID", "suspensionOverdue": None}


async def test_known_at_answers_as_the_registry_knew_it_then(api: GraphQLClient) -> None:
    first = await _certificate(api, REINSTATED)
    recorded = first["history"][-1]
    moment = "2026-01-01T00:00:00+08:00"  # before the registry was told of anything here
    assert (await _certificate(api, REINSTATED, knownAt=moment)) is None
    await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(REINSTATED, "SUSPENDED", effectiveOn="2026-08-01")],
        role=Role.ADMIN,
    )
    history = (await _certificate(api, REINSTATED))["history"]
    after_first = history[-2]["effectiveOn"]
    assert after_first == recorded["effectiveOn"]
    body = await api(
        """query($n: String!, $k: DateTime) { certificate(number: $n, knownAt: $k) {
            status history { recordedAt } } }""",
        {"n": REINSTATED, "k": "2099-01-01T00:00:00Z"},
        role=Role.ADMIN,
    )
    assert body["data"]["certificate"]["status"] == "SUSPENDED"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_a_known_at_outside_the_calendar_in_utc_is_refused_with_a_code(
    reader: GraphQLClient, moment: str
) -> None:
    """A day before the calendar begins in UTC, or after it ends, was an internal error."""
    body = await reader(CERTIFICATE, {"n": REINSTATED, "knownAt": moment})

    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_DATETIME"], body


# Accreditation bodies and institutions ----------------------------------------------------------


async def test_an_accreditation_body_changes_only_the_accreditations_it_granted(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    own = await mutate(
        api,
        "changeAccreditationStatus",
        [accreditation_change_row("CNAS-C001-M", "SUSPENDED", effectiveOn="2027-02-01")],
        role=Role.ACCREDITATION_BODY,
        institution=CNAS,
    )
    assert own["__typename"] == "ChangeAccreditationStatusSuccess", own
    [changed] = own["accreditations"]
    assert changed["status"] == "VALID"
    assert (changed["history"][-1]["status"], changed["history"][-1]["scheduled"]) == (
        "SUSPENDED",
        True,
    )
    before = await snapshot()
    other = await mutate(
        api,
        "changeAccreditationStatus",
        [accreditation_change_row("CNCA-R-2015-256", "SUSPENDED")],
        role=Role.ACCREDITATION_BODY,
        institution=CNAS,
    )
    assert (other["__typename"], other["field"]) == ("NotAuthorized", "input[0].number")
    assert await snapshot() == before


async def test_a_scope_reduction_counts_from_its_date_at_issue_and_in_the_chain(
    api: GraphQLClient,
) -> None:
    reduced = await mutate(
        api,
        "changeAccreditationStatus",
        [
            accreditation_change_row(
                "CNAS-C212-M",
                "VALID",
                effectiveOn="2026-10-01",
                scopeRemoved=["GB/T 24001-2016/ISO 14001:2015"],
                reason="缩小认可范围 (scope reduced)",
            )
        ],
        role=Role.ADMIN,
    )
    assert reduced["__typename"] == "ChangeAccreditationStatusSuccess", reduced
    for day, covered in [("2026-09-30", True), ("2026-10-01", False)]:
        body = await api(ACCREDITATION, {"n": "CNAS-C212-M", "asOf": day})
        scope = body["data"]["accreditation"]["scope"]
        assert ("GB/T 24001-2016/ISO 14001:2015" in scope) is covered, day
    row = certificate_row(
        "YZC26E30999",
        standard="GB/T 24001-2016/ISO 14001:2015",
        issuer=YUEZHI,
        issuedOn="2026-10-08",
        expiresOn="2029-10-07",
    )
    # CNCA's approval of 广东粤质 still lists ISO 14001, so only CNAS's scope moved: accepted.
    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)
    assert payload["__typename"] == "IssueCertificatesSuccess", payload
    unknown = await mutate(
        api,
        "changeAccreditationStatus",
        [accreditation_change_row("CNAS-C212-M", "VALID", scopeRemoved=["GB/T 99999-2099"])],
        role=Role.ADMIN,
    )
    assert (unknown["code"], unknown["field"]) == ("INVALID_VALUE", "input[0].scopeRemoved")


async def test_an_institutions_own_suspension_is_scheduled_and_seen_on_its_date(
    api: GraphQLClient,
) -> None:
    payload = await mutate(
        api,
        "changeInstitutionStatus",
        [institution_status_row(YUEZHI, "SUSPENDED", effectiveOn="2027-01-01")],
        role=Role.REGULATOR,
    )
    assert payload["__typename"] == "ChangeInstitutionStatusSuccess", payload
    assert payload["institutions"][0]["status"] == "ACTIVE"
    later = await api(INSTITUTION, {"u": YUEZHI, "asOf": "2027-01-01"})
    assert later["data"]["institution"]["status"] == "SUSPENDED"
    assert later["data"]["institution"]["history"][-1]["scheduled"] is True
    certificate = "YZC24Q10733"
    assert "ISSUER_SUSPENDED" not in (await _verify(api, certificate))["codes"]
    assert "ISSUER_SUSPENDED" in (await _verify(api, certificate, "2027-01-01"))["codes"]
    revoked_then_active = await mutate(
        api,
        "changeInstitutionStatus",
        [
            institution_status_row(YUEZHI, "ACTIVE", effectiveOn="2027-03-01"),
        ],
        role=Role.REGULATOR,
    )
    assert revoked_then_active["__typename"] == "ChangeInstitutionStatusSuccess"
