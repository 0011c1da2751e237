"""Who answers a dispute (and reads its contact), its time limit, and the data-quality
score's factors, each pinned on small dated examples (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from graph.dispute_models import DataQualityCounts, Dispute
from registry.domain.data_quality import QualityFactorName, data_quality
from registry.domain.disputes import (
    ANSWER_WITHIN_DAYS,
    answered_by,
    due_by,
    handling_refusals,
    is_overdue,
)
from registry.domain.permissions import Access
from registry.domain.vocabulary import Role

ISSUER = "91210200MA0000001X"
OTHER = "91210200MA0000002X"
FILED = date(2026, 11, 22)


def _dispute(entity: str = "CERTIFICATE", *, status: str = "OPEN") -> Dispute:
    return Dispute(
        id="0" * 32,
        entity=entity,
        key="CERT000001" if entity == "CERTIFICATE" else ISSUER,
        field="status",
        claim="wrong",
        contact="a@example.invalid",
        institution=ISSUER,
        region="210204",
        filed_on=FILED,
        due_by=due_by(FILED),
        status=status,
    )


DALIAN = frozenset({"210200", "210204"})
GUANGDONG = frozenset({"440000"})
CERTIFICATES_ONLY = frozenset({"Certificate"})


@pytest.mark.parametrize(
    ("access", "entity", "may"),
    [
        (Access(Role.CERTIFICATION_BODY, frozenset({ISSUER})), "CERTIFICATE", True),
        (Access(Role.CERTIFICATION_BODY, frozenset({OTHER})), "CERTIFICATE", False),
        (Access(Role.ACCREDITATION_BODY, frozenset({ISSUER})), "ACCREDITATION", True),
        (Access(Role.PARTNER, frozenset({ISSUER})), "CERTIFICATE", True),
        (Access(Role.PARTNER, frozenset({ISSUER}), CERTIFICATES_ONLY), "CERTIFICATE", False),
        (Access(Role.PARTNER, frozenset({ISSUER}), regions=GUANGDONG), "CERTIFICATE", False),
        (Access(Role.REGULATOR, regions=DALIAN), "CERTIFICATE", True),
        (Access(Role.REGULATOR, regions=GUANGDONG), "CERTIFICATE", False),
        (Access(Role.REGULATOR), "CERTIFICATE", False),  # a key naming no region
        (Access(Role.ADMIN), "CERTIFICATE", True),
        (Access(Role.PUBLIC), "CERTIFICATE", False),
        (Access(Role.ASSOCIATION, frozenset({ISSUER})), "CERTIFICATE", False),
        # An institution's own record is its regulator's, not its own.
        (Access(Role.CERTIFICATION_BODY, frozenset({ISSUER})), "INSTITUTION", False),
        (Access(Role.PARTNER, frozenset({ISSUER})), "INSTITUTION", False),
        (Access(Role.REGULATOR, regions=DALIAN), "INSTITUTION", True),
        (Access(Role.REGULATOR, regions=GUANGDONG), "INSTITUTION", False),
    ],
)
def test_the_issuer_or_the_covering_regulator_answers(
    access: Access, entity: str, may: bool
) -> None:
    assert (not handling_refusals(access, _dispute(entity))) is may


def test_the_answer_names_the_issuer_or_the_oversight_role_never_the_key() -> None:
    dispute = _dispute()
    assert answered_by(Access(Role.CERTIFICATION_BODY, frozenset({ISSUER})), dispute) == ISSUER
    assert answered_by(Access(Role.REGULATOR, regions=DALIAN), dispute) == "REGULATOR"


def test_a_dispute_is_due_thirty_days_after_filing_and_overdue_only_while_open() -> None:
    assert ANSWER_WITHIN_DAYS == 30
    assert due_by(FILED) == date(2026, 12, 22)
    assert not is_overdue(_dispute(), today=date(2026, 12, 22))
    assert is_overdue(_dispute(), today=date(2026, 12, 23))
    assert not is_overdue(_dispute(status="UPHELD"), today=date(2027, 1, 1))


def _counts(**given: int) -> DataQualityCounts:
    base = {
        "certificates": 100,
        "incomplete": 10,
        "missing_stars": 10,
        "status_changes": 20,
        "late_status_changes": 4,
        "disputes_upheld": 1,
        "disputes_answered": 3,
        "recent_certificates": 50,
    }
    return DataQualityCounts(uscc=ISSUER, **(base | given))


def test_each_factor_adds_its_weighted_quality() -> None:
    found = data_quality(_counts(), anomalies=5)
    assert found is not None
    factors = {f.name: f for f in found.factors}
    assert {name: (f.value, f.quality, f.points) for name, f in factors.items()} == {
        QualityFactorName.LATE_STATUS_RECORDING: (0.2, 0.8, 24.0),
        QualityFactorName.DISPUTES_UPHELD: (0.01, 0.8, 24.0),  # 1 per 100; 5 per 100 is 0
        QualityFactorName.ANOMALIES: (0.1, 0.9, 22.5),
        QualityFactorName.MISSING_FIELDS: (0.1, 0.9, 13.5),
    }
    assert found.score == 84
    assert "4 of 20 status changes" in factors[QualityFactorName.LATE_STATUS_RECORDING].explanation


def test_a_factor_with_nothing_to_measure_does_not_apply_and_the_others_make_100() -> None:
    found = data_quality(_counts(status_changes=0, late_status_changes=0), anomalies=0)
    assert found is not None
    late = next(f for f in found.factors if f.name is QualityFactorName.LATE_STATUS_RECORDING)
    assert (late.applies, late.points) == (False, 0.0)
    # (0.3 * 0.8 + 0.25 * 1.0 + 0.15 * 0.9) / 0.7
    assert found.score == 89
    assert sum(f.points for f in found.factors) == pytest.approx(found.score, abs=0.5)


def test_upheld_disputes_at_five_per_hundred_certificates_leave_that_factor_nothing() -> None:
    found = data_quality(_counts(disputes_upheld=10), anomalies=0)
    assert found is not None
    upheld = next(f for f in found.factors if f.name is QualityFactorName.DISPUTES_UPHELD)
    assert (upheld.value, upheld.quality, upheld.points) == (0.1, 0.0, 0.0)


def test_an_institution_that_issued_no_certificate_has_no_score() -> None:
    assert data_quality(DataQualityCounts(uscc=ISSUER), anomalies=0) is None
