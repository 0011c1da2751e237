"""The hard rules of classified supervision, each pinned on a small dated fixture."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from graph.models import Accreditation, Certificate, Complaint, CreditEvent, VerificationFacts
from registry.domain.anomalies import CertificateFinding, certificate_finding
from registry.domain.hard_rules import MAX_EVIDENCE, findings_since, hard_rules
from registry.domain.supervision import Reason, SupervisionReasonCode

TODAY = date(2026, 11, 22)
BODY = "91440106732910130L"
GREEN = "GB/T 33761-2017"


def _accreditation(status: str = "VALID", scope: tuple[str, ...] = (GREEN,)) -> Accreditation:
    return Accreditation(
        number="CNAS-C212-P",
        scheme="CNAS_PRODUCT_17065",
        body="12110105777699279Y",
        holder=BODY,
        scope=scope,
        valid_from=date(2015, 1, 1),
        valid_until=date(2029, 12, 31),
        status=status,
    )


def _finding(
    number: str, issued_on: date, accreditation: Accreditation, standard: str = GREEN
) -> CertificateFinding | None:
    certificate = Certificate(
        number=number,
        family="PRODUCT",
        standard=standard,
        scope="绿色建材",
        issued_on=issued_on,
        expires_on=issued_on + timedelta(days=3 * 365),
        issuer=BODY,
        holder="91440101MA5D0001X1",
    )
    return certificate_finding(
        VerificationFacts(certificate, None, None, (accreditation,)), today=TODAY
    )


def _rules(
    *,
    events: tuple[CreditEvent, ...] = (),
    complaints: tuple[Complaint, ...] = (),
    findings: tuple[CertificateFinding | None, ...] = (),
) -> tuple[Reason, ...]:
    return hard_rules(
        events=events,
        complaints=complaints,
        findings=[f for f in findings if f is not None],
        today=TODAY,
    )


def _event(
    id: str,
    kind: str,
    on: date,
    weight: float = -20.0,
    **extra: object,
) -> CreditEvent:
    return CreditEvent(
        id=id,
        institution=BODY,
        kind=kind,
        date=on,
        authority="广东省市场监督管理局",
        weight=weight,
        description="…",
        **extra,  # type: ignore[arg-type]
    )


def _complaint(
    filed_on: date, *, status: str = "INVESTIGATING", substantiated: bool | None = True
) -> Complaint:
    return Complaint(
        id="CMP-T-0001",
        against=BODY,
        channel="ONLINE",
        category="证书有效性质疑",
        status=status,
        filed_on=filed_on,
        details="confidential",
        substantiated=substantiated,
    )


def test_a_certificate_issued_while_the_accreditation_was_suspended_forces_d() -> None:
    finding = _finding("YZC26GP00042", date(2026, 9, 14), _accreditation("SUSPENDED"))

    (reason,) = _rules(findings=(finding,))

    assert reason.code is SupervisionReasonCode.ISSUED_WITHOUT_ACCREDITATION
    assert [str(e) for e in reason.evidence] == [
        "Certificate:YZC26GP00042",
        "Accreditation:CNAS-C212-P",
    ]
    assert "issued 1 certificate(s) since 2023-11-22" in reason.text


def test_a_certificate_outside_the_accredited_scope_forces_d() -> None:
    accreditation = _accreditation(scope=("GB/T 19630-2019",))
    finding = _finding("HXC-25-S0163", date(2025, 11, 20), accreditation, standard=GREEN)

    (reason,) = _rules(findings=(finding,))

    assert reason.code is SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE
    assert "Certificate:HXC-25-S0163" in [str(e) for e in reason.evidence]


def test_findings_older_than_the_lookback_do_not_count() -> None:
    since = findings_since(TODAY)
    old = _finding("OLD", since - timedelta(days=1), _accreditation("SUSPENDED"))
    edge = _finding("EDGE", since, _accreditation("SUSPENDED"))

    assert since == date(2023, 11, 22)
    assert _rules(findings=(old,)) == ()
    assert str(_rules(findings=(edge,))[0].evidence[0]) == "Certificate:EDGE"


def test_an_accredited_certificate_is_no_finding() -> None:
    assert _finding("FINE", date(2026, 1, 5), _accreditation()) is None


def test_many_certificates_name_the_latest_and_count_them_all() -> None:
    suspended = _accreditation("SUSPENDED")
    findings = tuple(
        _finding(f"N{n:03d}", date(2026, 1, 1) + timedelta(days=n), suspended) for n in range(30)
    )

    (reason,) = _rules(findings=findings)

    certificates = [e.key for e in reason.evidence if e.entity == "Certificate"]
    assert len(certificates) == MAX_EVIDENCE
    assert certificates[0] == "N029"
    assert "issued 30 certificate(s)" in reason.text
    assert f"the latest {MAX_EVIDENCE} named" in reason.text


def test_a_serious_violation_counts_during_its_publicity_period_only() -> None:
    listed = _event(
        "CE-SV", "SERIOUS_VIOLATION", date(2026, 3, 5), -80, public_until=date(2029, 3, 4)
    )
    expired = _event(
        "CE-SV", "SERIOUS_VIOLATION", date(2023, 3, 5), -80, public_until=date(2026, 3, 4)
    )
    repaired = _event(
        "CE-SV",
        "SERIOUS_VIOLATION",
        date(2026, 3, 5),
        -80,
        public_until=date(2029, 3, 4),
        repaired_on=TODAY,
    )
    ahead = _event("CE-SV", "SERIOUS_VIOLATION", TODAY + timedelta(days=1), -80)

    (reason,) = _rules(events=(listed,))
    assert reason.code is SupervisionReasonCode.SERIOUS_VIOLATION
    assert [str(e) for e in reason.evidence] == ["CreditEvent:CE-SV"]
    assert "until 2029-03-04" in reason.text
    assert _rules(events=(expired,)) == _rules(events=(repaired,)) == _rules(events=(ahead,)) == ()


FAILED_CHECK = _event("CE-CHECK", "SPOT_CHECK", date(2026, 4, 8), public_until=date(2027, 4, 7))


def _order(outcome: str, deadline: date) -> CreditEvent:
    return _event(
        "CE-ORDER",
        "RECTIFICATION_ORDER",
        date(2026, 4, 15),
        -15,
        public_until=date(2027, 4, 14),
        deadline=deadline,
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("outcome", "deadline", "applies"),
    [
        ("NOT_RECTIFIED", TODAY - timedelta(days=1), True),
        # Not rectified by the deadline is what counts: a finding recorded before it counts
        # from the day after it, and so a past day before it rests on no later finding.
        ("NOT_RECTIFIED", TODAY, False),
        ("NOT_RECTIFIED", TODAY + timedelta(days=30), False),
        ("PENDING", TODAY - timedelta(days=1), True),
        ("PENDING", TODAY, False),
        ("RECTIFIED", TODAY - timedelta(days=100), False),
    ],
)
def test_a_failed_spot_check_not_rectified_by_its_deadline_forces_d(
    outcome: str, deadline: date, applies: bool
) -> None:
    reasons = _rules(events=(FAILED_CHECK, _order(outcome, deadline)))

    if not applies:
        assert reasons == ()
        return
    (reason,) = reasons
    assert reason.code is SupervisionReasonCode.NOT_RECTIFIED_BY_DEADLINE
    assert [str(e) for e in reason.evidence] == ["CreditEvent:CE-ORDER", "CreditEvent:CE-CHECK"]
    assert "after the failed spot check CE-CHECK of 2026-04-08" in reason.text


def test_a_reason_names_no_spot_check_that_is_no_longer_public() -> None:
    """The reasons are public: a failed check whose publicity ended, or that was repaired,
    is not named (nor its day) beside the order that is still in force."""
    ended = _event("CE-CHECK", "SPOT_CHECK", date(2026, 4, 8), public_until=date(2026, 7, 8))
    repaired = _event(
        "CE-CHECK",
        "SPOT_CHECK",
        date(2026, 4, 8),
        public_until=date(2027, 4, 7),
        repaired_on=date(2026, 6, 1),
    )
    for check in (ended, repaired):
        (reason,) = _rules(events=(check, _order("PENDING", TODAY - timedelta(days=1))))

        assert [str(e) for e in reason.evidence] == ["CreditEvent:CE-ORDER"]
        assert "CE-CHECK" not in reason.text
        assert "2026-04-08" not in reason.text


@pytest.mark.parametrize(
    ("filed_days_ago", "status", "substantiated", "applies"),
    [
        (61, "INVESTIGATING", True, True),
        (61, "RECEIVED", True, True),
        (60, "INVESTIGATING", True, False),
        (61, "INVESTIGATING", None, False),
        (61, "INVESTIGATING", False, False),
        (200, "RESOLVED", True, False),
        (200, "CLOSED", True, False),
    ],
)
def test_an_unresolved_substantiated_complaint_past_its_time_limit_forces_d(
    filed_days_ago: int, status: str, substantiated: bool | None, applies: bool
) -> None:
    complaint = _complaint(
        TODAY - timedelta(days=filed_days_ago), status=status, substantiated=substantiated
    )

    reasons = _rules(complaints=(complaint,))

    assert bool(reasons) is applies
    if applies:
        assert reasons[0].code is SupervisionReasonCode.OVERDUE_SUBSTANTIATED_COMPLAINT
        assert [str(e) for e in reasons[0].evidence] == ["Complaint:CMP-T-0001"]
        assert "confidential" not in reasons[0].text


def test_every_rule_that_applies_is_its_own_reason() -> None:
    reasons = _rules(
        events=(
            _event("CE-SV", "SERIOUS_VIOLATION", date(2026, 3, 5), -80),
            FAILED_CHECK,
            _order("NOT_RECTIFIED", date(2026, 5, 15)),
        ),
        complaints=(_complaint(date(2026, 1, 5)),),
        findings=(
            _finding("A", date(2026, 9, 14), _accreditation("SUSPENDED")),
            _finding("B", date(2025, 1, 1), _accreditation(scope=("X",))),
        ),
    )

    assert [r.code for r in reasons] == [
        SupervisionReasonCode.SERIOUS_VIOLATION,
        SupervisionReasonCode.ISSUED_WITHOUT_ACCREDITATION,
        SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE,
        SupervisionReasonCode.NOT_RECTIFIED_BY_DEADLINE,
        SupervisionReasonCode.OVERDUE_SUBSTANTIATED_COMPLAINT,
    ]
