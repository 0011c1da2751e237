"""Certificates, accreditations and institutions as they stood on a day, and the chain of
trust judged on the issue date (issue 13), with dated examples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from graph.models import (
    Accreditation,
    Certificate,
    Institution,
    Organization,
    StatusChange,
    VerificationFacts,
)
from registry.domain.accreditations import accreditation_on, institution_status_on, scope_on
from registry.domain.certificates import certificate_standing
from registry.domain.verification import Verdict, VerificationWarning, scope_problem, verify

TODAY = date(2026, 12, 4)
GREEN = "GB/T 33761-2017"


def _step(
    status: str, on: date, seq: int, *, recorded: str = "", **scope: tuple[str, ...]
) -> StatusChange:
    return StatusChange(
        "X", status, f"{status} on {on}", on, recorded or f"{on}T00:00:00Z", "t", seq, **scope
    )


CNAS_P = Accreditation(
    number="CNAS-C212-P",
    scheme="CNAS_PRODUCT_17065",
    body="CNAS",
    holder="YZ",
    scope=(GREEN,),
    valid_from=date(2019, 5, 1),
    valid_until=date(2028, 4, 30),
    history=(
        _step("VALID", date(2019, 5, 1), 1),
        _step("SUSPENDED", date(2026, 7, 1), 2),
    ),
)
ISSUER = Institution(uscc="YZ", name="广东粤质认证", kinds=("CERTIFICATION_BODY",), region="440100")
HOLDER = Organization(uscc="H", name="佛山某建材", region="440600")


def _certificate(issued_on: date, *history: StatusChange) -> Certificate:
    return Certificate(
        number="YZC-1",
        family="PRODUCT",
        standard=GREEN,
        scope="绿色建材",
        issued_on=issued_on,
        expires_on=date(issued_on.year + 3, issued_on.month, issued_on.day),
        issuer="YZ",
        holder="H",
        holder_name="佛山某建材",
        history=history or (_step("VALID", issued_on, 10),),
    )


def _facts(certificate: Certificate, *accreditations: Accreditation) -> VerificationFacts:
    return VerificationFacts(certificate, HOLDER, ISSUER, accreditations or (CNAS_P,))


def test_issued_before_the_accreditations_suspension_it_was_accredited_on_the_issue_date() -> None:
    result = verify(_facts(_certificate(date(2025, 1, 10))), holder_name=None, today=TODAY)
    assert result.chain is not None
    assert result.chain.accredited_on_issue_date
    assert VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE not in result.warnings
    assert VerificationWarning.ISSUER_SUSPENDED in result.warnings  # today, it is


def test_issued_during_the_suspension_it_was_not_accredited() -> None:
    result = verify(_facts(_certificate(date(2026, 9, 14))), holder_name=None, today=TODAY)
    assert result.chain is not None
    assert not result.chain.accredited_on_issue_date
    assert VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE in result.warnings


def test_the_issuer_is_suspended_only_from_the_suspensions_effective_date() -> None:
    facts = _facts(_certificate(date(2025, 1, 10)))
    before = verify(facts, holder_name=None, today=TODAY, as_of=date(2026, 6, 30))
    after = verify(facts, holder_name=None, today=TODAY, as_of=date(2026, 7, 1))
    assert VerificationWarning.ISSUER_SUSPENDED not in before.warnings
    assert VerificationWarning.ISSUER_SUSPENDED in after.warnings


def test_a_reinstated_accreditation_vouches_again_after_its_reinstatement() -> None:
    reinstated = replace(CNAS_P, history=(*CNAS_P.history, _step("VALID", date(2026, 10, 1), 3)))
    assert not accreditation_on(reinstated, date(2026, 9, 30)).in_force
    assert accreditation_on(reinstated, date(2026, 10, 1)).in_force
    result = verify(
        _facts(_certificate(date(2026, 11, 1)), reinstated), holder_name=None, today=TODAY
    )
    assert result.warnings == ()


def test_a_scope_extension_counts_from_its_effective_date() -> None:
    extended = replace(
        CNAS_P,
        scope=(),
        history=(
            _step("VALID", date(2019, 5, 1), 1),
            _step("VALID", date(2024, 6, 1), 2, scope_added=(GREEN,)),
        ),
    )
    before = _certificate(date(2024, 5, 31))
    after = _certificate(date(2024, 6, 1))
    assert scope_problem(before, (extended,)) is not None
    assert scope_problem(after, (extended,)) is None


def test_a_scope_reduction_recorded_late_still_applies_from_its_date() -> None:
    reduced = replace(
        CNAS_P,
        scope=(GREEN, "GB/T 19630-2019"),
        history=(
            _step("VALID", date(2019, 5, 1), 1),
            _step(
                "VALID",
                date(2025, 1, 1),
                5,
                recorded="2026-11-30T00:00:00Z",
                scope_removed=(GREEN,),
            ),
        ),
    )
    assert scope_on(reduced.scope, reduced.history, date(2024, 12, 31)) == (
        GREEN,
        "GB/T 19630-2019",
    )
    assert scope_on(reduced.scope, reduced.history, date(2025, 1, 1)) == ("GB/T 19630-2019",)
    known_then = scope_on(
        reduced.scope, reduced.history, date(2025, 6, 1), known_at="2026-01-01T00:00:00Z"
    )
    assert GREEN in known_then


def test_an_issue_outside_the_accredited_scope_is_a_problem_unless_the_family_needs_none() -> None:
    outside = replace(_certificate(date(2025, 1, 10)), standard="GA/T 594-2006")
    assert scope_problem(outside, (CNAS_P,)) is not None
    # A product body that holds no product accreditation works under CNCA designation.
    assert scope_problem(outside, ()) is None
    service = replace(outside, family="SERVICE")
    assert scope_problem(service, ()) is not None


def test_a_late_recorded_earlier_suspension_does_not_override_a_later_reinstatement() -> None:
    certificate = _certificate(
        date(2025, 1, 10),
        _step("VALID", date(2025, 1, 10), 1),
        _step("VALID", date(2026, 5, 1), 3, recorded="2026-05-01T00:00:00Z"),
        _step("SUSPENDED", date(2026, 2, 1), 4, recorded="2026-06-01T00:00:00Z"),
    )
    now = certificate_standing(certificate, TODAY)
    assert now is not None
    assert (now.status, now.since) == ("VALID", date(2026, 5, 1))
    then = certificate_standing(certificate, date(2026, 3, 1))
    assert then is not None
    assert then.status == "SUSPENDED"
    as_known = certificate_standing(certificate, date(2026, 3, 1), known_at="2026-05-31T00:00:00Z")
    assert as_known is not None
    assert as_known.status == "VALID"


def test_a_future_suspension_is_scheduled_not_in_force() -> None:
    certificate = _certificate(
        date(2025, 1, 10),
        _step("VALID", date(2025, 1, 10), 1),
        _step("SUSPENDED", date(2027, 1, 15), 2, recorded="2026-12-04T00:00:00Z"),
    )
    facts = _facts(certificate, replace(CNAS_P, history=()))
    assert verify(facts, holder_name=None, today=TODAY).verdict is Verdict.VALID
    later = verify(facts, holder_name=None, today=TODAY, as_of=date(2027, 1, 15))
    assert later.verdict is Verdict.NOT_VALID


def test_before_its_issue_date_a_certificate_is_not_found() -> None:
    facts = _facts(_certificate(date(2025, 1, 10)))
    assert verify(facts, holder_name=None, today=TODAY, as_of=date(2025, 1, 9)).verdict is (
        Verdict.NOT_FOUND
    )
    assert certificate_standing(facts.certificate, date(2025, 1, 10)) is not None


def test_an_institutions_own_suspension_takes_effect_on_its_date() -> None:
    suspended = replace(
        ISSUER,
        history=(_step("ACTIVE", date(2015, 1, 1), 1), _step("SUSPENDED", date(2027, 2, 1), 2)),
    )
    assert institution_status_on(suspended, TODAY)[0] == "ACTIVE"
    assert institution_status_on(suspended, date(2027, 2, 1))[0] == "SUSPENDED"
    facts = replace(
        _facts(_certificate(date(2025, 1, 10)), replace(CNAS_P, history=())), issuer=suspended
    )
    assert (
        VerificationWarning.ISSUER_SUSPENDED
        not in verify(facts, holder_name=None, today=TODAY).warnings
    )


def test_a_record_without_history_is_read_as_one_step() -> None:
    legacy = replace(CNAS_P, status="SUSPENDED", history=())
    assert accreditation_on(legacy, date(2020, 1, 1)).status == "SUSPENDED"
    assert institution_status_on(ISSUER, TODAY)[0] == "ACTIVE"


def test_an_overdue_suspension_is_told_to_oversight_only() -> None:
    certificate = replace(
        _certificate(
            date(2025, 1, 10),
            _step("VALID", date(2025, 1, 10), 1),
            _step("SUSPENDED", date(2026, 3, 1), 2),
        ),
        family="MANAGEMENT_SYSTEM",
        standard="GB/T 19001-2016",
    )
    facts = _facts(
        certificate,
        replace(
            CNAS_P, scheme="CNAS_MANAGEMENT_SYSTEM_17021", scope=("GB/T 19001-2016",), history=()
        ),
    )
    told = verify(facts, holder_name=None, today=TODAY, oversight=True).warnings
    assert VerificationWarning.SUSPENSION_OVERDUE in told
    assert (
        VerificationWarning.SUSPENSION_OVERDUE
        not in verify(facts, holder_name=None, today=TODAY).warnings
    )
