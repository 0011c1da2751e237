"""Verdicts and warnings as pure functions of the stored facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from graph.models import Accreditation, Certificate, Institution, Organization, VerificationFacts
from registry.domain.verification import Verdict, VerificationWarning, verify

TODAY = date(2026, 11, 22)
CERT = Certificate(
    number="CQC26001",
    family="MANAGEMENT_SYSTEM",
    standard="GB/T 19001-2016",
    scope="设计和生产",
    issued_on=date(2025, 3, 1),
    expires_on=date(2028, 2, 28),
    issuer="B",
    holder="H",
    holder_name="大连某公司",
)
ISSUER = Institution(uscc="B", name="认证中心", kinds=("CERTIFICATION_BODY",), region="110000")
HOLDER = Organization(uscc="H", name="大连某公司", region="210200")
CNAS = Accreditation(
    number="CNAS C001-M",
    scheme="CNAS_MANAGEMENT_SYSTEM_17021",
    body="CNAS",
    holder="B",
    scope=("GB/T 19001-2016",),
    valid_from=date(2020, 1, 1),
    valid_until=date(2030, 1, 1),
    body_name="中国合格评定国家认可委员会",
)


def _facts(**changes: object) -> VerificationFacts:
    base = VerificationFacts(certificate=CERT, holder=HOLDER, issuer=ISSUER, accreditations=(CNAS,))
    return replace(base, **changes)  # type: ignore[arg-type]


def _warnings(facts: VerificationFacts, holder: str | None = None) -> set[VerificationWarning]:
    return set(verify(facts, holder_name=holder, today=TODAY).warnings)


def test_a_covered_valid_certificate_is_valid_without_warnings() -> None:
    result = verify(_facts(), holder_name="大连某公司", today=TODAY)
    assert result.verdict is Verdict.VALID
    assert result.warnings == ()
    assert result.chain is not None
    assert result.chain.accreditation == CNAS


def test_nothing_found_is_not_found() -> None:
    assert verify(None, holder_name=None, today=TODAY).verdict is Verdict.NOT_FOUND


def test_an_accreditation_granted_after_the_issue_date_does_not_vouch() -> None:
    late = replace(CNAS, valid_from=date(2025, 6, 1))
    assert VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE in _warnings(
        _facts(accreditations=(late,))
    )


def test_a_suspended_covering_accreditation_means_not_accredited() -> None:
    suspended = replace(CNAS, status="SUSPENDED")
    warnings = _warnings(_facts(accreditations=(suspended,)))
    assert VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE in warnings
    assert VerificationWarning.ISSUER_SUSPENDED in warnings


def test_an_accreditation_for_other_standards_means_outside_scope() -> None:
    other = replace(CNAS, scope=("GB/T 24001-2016",))
    warnings = _warnings(_facts(accreditations=(other,)))
    assert warnings == {VerificationWarning.OUTSIDE_ACCREDITED_SCOPE}


def test_an_accreditation_for_another_family_does_not_count() -> None:
    lab = replace(CNAS, scheme="CNAS_LAB_17025")
    assert VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE in _warnings(
        _facts(accreditations=(lab,))
    )


def test_cnca_approval_vouches_for_any_family() -> None:
    cnca = replace(CNAS, scheme="CNCA_APPROVAL")
    assert _warnings(_facts(accreditations=(cnca,))) == set()


def test_a_renamed_holder_still_matches_its_old_name_with_a_warning() -> None:
    renamed = replace(HOLDER, name="大连某新名称有限公司")
    result = verify(_facts(holder=renamed), holder_name="大连某公司", today=TODAY)
    assert result.verdict is Verdict.VALID
    assert VerificationWarning.HOLDER_RENAMED in result.warnings
    assert verify(_facts(holder=renamed), holder_name="别的公司", today=TODAY).verdict is (
        Verdict.HOLDER_MISMATCH
    )


def test_expiry_is_near_within_thirty_days_and_past_it_is_not_valid() -> None:
    soon = _facts(certificate=replace(CERT, expires_on=date(2026, 12, 22)))
    assert VerificationWarning.EXPIRES_SOON in _warnings(soon)
    later = _facts(certificate=replace(CERT, expires_on=date(2026, 12, 23)))
    assert VerificationWarning.EXPIRES_SOON not in _warnings(later)
    expired = _facts(certificate=replace(CERT, expires_on=date(2026, 11, 21)))
    assert verify(expired, holder_name=None, today=TODAY).verdict is Verdict.NOT_VALID


def test_a_suspended_issuer_institution_is_reported() -> None:
    assert VerificationWarning.ISSUER_SUSPENDED in _warnings(
        _facts(issuer=replace(ISSUER, status="SUSPENDED"))
    )
