"""The credit score as a specification: explainable, monotone, versioned."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest

from registry.domain.credit_score import (
    METHOD_VERSION,
    AssociationRating,
    ComplaintCounts,
    CreditInputs,
    CreditStatus,
    DatedCreditEvent,
    FactorName,
    assess_credit,
    explain,
    grade_for,
)
from registry.domain.satisfaction import SurveyAnswer, satisfaction_index
from registry.domain.vocabulary import CreditEventKind, CreditGrade

TODAY = date(2026, 6, 30)
RATING = AssociationRating(CreditGrade.A, 90.0, date(2026, 1, 15), date(2027, 1, 14))
FULL = CreditInputs(
    uscc="91210200MA0QC0001X",
    rating=RATING,
    events=(DatedCreditEvent(CreditEventKind.COMMENDATION, date(2025, 12, 1), 10.0),),
    complaints=ComplaintCounts(total=6, substantiated=2),
    certificates_issued=400,
    certificates_withdrawn=4,
    best_service_stars=5,
    satisfaction=88.0,
)
V, S, A, D = (
    SurveyAnswer.VERY_SATISFIED,
    SurveyAnswer.SATISFIED,
    SurveyAnswer.AVERAGE,
    SurveyAnswer.DISSATISFIED,
)


def _score(inputs: CreditInputs) -> float:
    score = assess_credit(inputs, today=TODAY).score
    assert score is not None
    return score


def _penalty(on: date, public_until: date | None = None) -> DatedCreditEvent:
    return DatedCreditEvent(CreditEventKind.ADMINISTRATIVE_PENALTY, on, -40.0, public_until)


def _factor(inputs: CreditInputs, name: FactorName) -> tuple[float | None, float, str]:
    factor = next(f for f in assess_credit(inputs, today=TODAY).factors if f.name == name)
    return factor.value, factor.weight, factor.evidence


@pytest.mark.parametrize(
    "inputs",
    [
        FULL,
        CreditInputs(uscc="X", certificates_issued=1),
        replace(FULL, rating=None, satisfaction=None),
        replace(FULL, events=(_penalty(date(2026, 3, 3)),) * 3, certificates_withdrawn=33),
        replace(FULL, best_service_stars=3, satisfaction=61.7, certificates_issued=7),
    ],
)
def test_contributions_add_up_to_the_score(inputs: CreditInputs) -> None:
    assessment = assess_credit(inputs, today=TODAY)
    assert assessment.score is not None
    assert math.isclose(sum(f.contribution for f in assessment.factors), assessment.score)
    assert math.isclose(sum(f.weight for f in assessment.factors), 1.0)
    assert assessment.method_version == METHOD_VERSION == "2026.6"
    assert assessment.score == round(assessment.score, 1)
    assert 0.0 <= assessment.score <= 100.0


@pytest.mark.parametrize(
    ("worse", "better"),
    [
        (replace(FULL, rating=replace(RATING, score=60.0)), FULL),
        (replace(FULL, events=(*FULL.events, _penalty(date(2026, 5, 1)))), FULL),
        (FULL, replace(FULL, events=(*FULL.events, *FULL.events))),
        (replace(FULL, complaints=ComplaintCounts(6, 5)), FULL),
        (replace(FULL, certificates_withdrawn=20), FULL),
        (replace(FULL, best_service_stars=4), FULL),
        (replace(FULL, satisfaction=70.0), FULL),
    ],
    ids=["rating", "penalty", "commendation", "complaints", "withdrawn", "stars", "satisfaction"],
)
def test_each_factor_moves_the_score_the_right_way(
    worse: CreditInputs, better: CreditInputs
) -> None:
    assert _score(worse) < _score(better)


def test_complaints_are_normalised_by_volume() -> None:
    small = replace(FULL, complaints=ComplaintCounts(3, 3), certificates_issued=200)
    big = replace(small, complaints=ComplaintCounts(30, 30), certificates_issued=2000)
    assert _factor(small, FactorName.COMPLAINTS)[0] == _factor(big, FactorName.COMPLAINTS)[0]


def test_an_old_penalty_weighs_less_than_a_new_one() -> None:
    new = replace(FULL, events=(_penalty(TODAY - timedelta(days=30)),))
    old = replace(FULL, events=(_penalty(TODAY - timedelta(days=3 * 365)),))
    assert _score(new) < _score(old) < _score(replace(FULL, events=()))


def test_a_year_old_penalty_counts_half() -> None:
    value, _, _ = _factor(
        replace(FULL, events=(_penalty(TODAY - timedelta(days=365)),)), FactorName.CREDIT_EVENTS
    )
    assert value == pytest.approx(80.0 - 20.0, abs=0.05)


def test_a_penalty_past_its_publicity_period_no_longer_counts() -> None:
    on = TODAY - timedelta(days=60)
    expired = replace(FULL, events=(_penalty(on, public_until=TODAY - timedelta(days=1)),))
    public = replace(FULL, events=(_penalty(on, public_until=TODAY),))
    assert _score(expired) == _score(replace(FULL, events=())) > _score(public)
    evidence = _factor(expired, FactorName.CREDIT_EVENTS)[2]
    assert evidence.startswith("0 event(s) counted")
    assert "publicity" not in evidence  # the public evidence does not count what it hides


def test_missing_inputs_are_renormalised_not_counted_as_zero() -> None:
    bare = CreditInputs(uscc="X", rating=RATING)  # rating 90, clean file 80
    assessment = assess_credit(bare, today=TODAY)
    assert assessment.score == pytest.approx((0.30 * 90 + 0.25 * 80) / 0.55, abs=0.05)
    missing = [f for f in assessment.factors if f.value is None]
    assert {f.name for f in missing} == {
        FactorName.COMPLAINTS,
        FactorName.WITHDRAWN_CERTIFICATES,
        FactorName.SERVICE_STARS,
        FactorName.SATISFACTION,
        FactorName.TIME_LIMITS,
    }
    assert all(f.weight == 0 and "re-distributed" in f.evidence for f in missing)
    rating = _factor(bare, FactorName.ASSOCIATION_RATING)
    assert rating[1] == pytest.approx(0.30 / 0.55)
    assert "re-normalised" in rating[2]


def test_no_evidence_is_unrated_not_a_default_score() -> None:
    nothing = assess_credit(CreditInputs(uscc="X"), today=TODAY)

    assert (nothing.status, nothing.score, nothing.grade) == (CreditStatus.UNRATED, None, None)
    assert all(f.value is None and f.weight == 0 for f in nothing.factors)
    events = next(f for f in nothing.factors if f.name == FactorName.CREDIT_EVENTS)
    assert "an empty credit file alone is no evidence" in events.evidence
    assert explain(nothing).startswith("UNRATED: no evidence yet")


@pytest.mark.parametrize(
    "evidence",
    [
        {"rating": RATING},
        {"events": (DatedCreditEvent(CreditEventKind.SPOT_CHECK, TODAY, 5.0),)},
        {"complaints": ComplaintCounts(1, 1)},
        {"certificates_issued": 3},
        {"best_service_stars": 4},
        {"satisfaction": 77.0},
    ],
    ids=["rating", "event", "complaint", "certificates", "stars", "satisfaction"],
)
def test_any_one_piece_of_evidence_rates(evidence: dict[str, object]) -> None:
    assessment = assess_credit(CreditInputs(uscc="X", **evidence), today=TODAY)  # type: ignore[arg-type]

    assert assessment.status is CreditStatus.RATED
    assert assessment.score is not None


def test_a_complaint_not_substantiated_is_no_evidence() -> None:
    """Anyone may file a complaint: one filed (or rejected) against a lab that issues no
    certificates turned its missing complaints factor into 100, raising its grade from B to
    A, and rated the unrated. Until one is substantiated it is no evidence."""
    filed = ComplaintCounts(3, 0)
    unrated = assess_credit(CreditInputs(uscc="X", complaints=filed), today=TODAY)
    with_filed = CreditInputs(uscc="X", rating=RATING, complaints=filed)
    alone = assess_credit(CreditInputs(uscc="X", rating=RATING), today=TODAY)

    assert unrated.status is CreditStatus.UNRATED
    assert _factor(with_filed, FactorName.COMPLAINTS)[0] is None
    assert assess_credit(with_filed, today=TODAY).score == alone.score


@pytest.mark.parametrize(
    "events",
    [
        (_penalty(TODAY - timedelta(days=400), public_until=TODAY - timedelta(days=1)),),
        (DatedCreditEvent(CreditEventKind.COMMENDATION, TODAY + timedelta(days=1), 10.0),),
        (DatedCreditEvent(CreditEventKind.SATISFACTION_SURVEY, TODAY, 5.0),),
    ],
    ids=["past-publicity", "dated-ahead", "survey-summary"],
)
def test_records_that_do_not_count_are_no_evidence(events: tuple[DatedCreditEvent, ...]) -> None:
    assert assess_credit(CreditInputs(uscc="X", events=events), today=TODAY).score is None


def test_mediocre_evidence_is_ranked_above_none_at_all() -> None:
    """The issue's 浑南 station: real but mediocre evidence once scored below an empty file."""
    mediocre = assess_credit(CreditInputs(uscc="X", satisfaction=71.0), today=TODAY)
    nothing = assess_credit(CreditInputs(uscc="Y"), today=TODAY)

    assert mediocre.status is CreditStatus.RATED
    assert nothing.status is CreditStatus.UNRATED


def test_an_expired_rating_is_missing() -> None:
    stale = replace(FULL, rating=replace(RATING, valid_until=TODAY - timedelta(days=1)))
    value, weight, evidence = _factor(stale, FactorName.ASSOCIATION_RATING)
    assert (value, weight) == (None, 0.0)
    assert "not valid" in evidence


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (85, "A"), (84.9, "B"), (70, "B"), (69.9, "C"), (55, "C"), (54.9, "D"), (0, "D")],
)
def test_grade_cutoffs(score: float, grade: str) -> None:
    assert grade_for(score) == grade


def test_a_fresh_serious_violation_drags_the_grade_down() -> None:
    serious = DatedCreditEvent(CreditEventKind.SERIOUS_VIOLATION, TODAY, -100.0)
    assessment = assess_credit(replace(FULL, events=(serious,)), today=TODAY)
    assert assess_credit(FULL, today=TODAY).grade == CreditGrade.A
    assert assessment.grade == CreditGrade.C  # the supervision class's hard rule then makes it D


@pytest.mark.parametrize(
    "inputs",
    [
        replace(FULL, events=(DatedCreditEvent(CreditEventKind.COMMENDATION, TODAY, 101),)),
        replace(FULL, complaints=ComplaintCounts(1, 2)),
        replace(FULL, certificates_withdrawn=401),
        replace(FULL, best_service_stars=6),
    ],
)
def test_impossible_inputs_are_refused(inputs: CreditInputs) -> None:
    with pytest.raises(ValueError, match=r"."):
        assess_credit(inputs, today=TODAY)


def _form(level: SurveyAnswer, solved: SurveyAnswer = SurveyAnswer.YES) -> list[SurveyAnswer]:
    """Every rated question at ``level``, and question 5 (problem solved) answered ``solved``."""
    return [level] * 4 + [solved] + [level] * 5


def test_satisfaction_index_bounds() -> None:
    assert satisfaction_index([_form(V), _form(V)]) == 100.0
    assert satisfaction_index([_form(D, SurveyAnswer.NO)]) == 0.0
    assert satisfaction_index([]) is None


def test_satisfaction_index_follows_the_annex_c_form() -> None:
    answered = [V, S, A, D, SurveyAnswer.YES, V, S, A, None, V]  # question 9 unanswered
    assert satisfaction_index([answered]) == pytest.approx(
        (100 + 80 + 60 + 0 + 100 + 100 + 80 + 60 + 100) / 9, abs=0.05
    )
    with pytest.raises(ValueError, match="yes/no"):
        satisfaction_index([[SurveyAnswer.NO] * 10])
    with pytest.raises(ValueError, match="YES or NO"):
        satisfaction_index([[V] * 10])
    with pytest.raises(ValueError, match="10 answers"):
        satisfaction_index([[V] * 9])


def test_mystery_customer_results_blend_in_at_thirty_percent() -> None:
    assert satisfaction_index([_form(V)], mystery=[True, False]) == 0.7 * 100 + 0.3 * 50
    assert satisfaction_index([[S] * 4 + [None] + [S] * 5], mystery=40.0) == 0.7 * 80 + 0.3 * 40
    assert satisfaction_index([], mystery=[True, True, True, False]) == 75.0


def test_the_worked_example_in_docs_credit_method_md() -> None:
    """Pins the numbers published in docs/credit-method.md."""
    surveys = [
        [V, V, S, V, SurveyAnswer.YES, V, S, V, V, V],
        [S, S, A, S, SurveyAnswer.YES, S, A, S, S, S],
    ]
    index = satisfaction_index(surveys, mystery=[True, True, True, False])
    assert index == 83.4
    inputs = CreditInputs(
        uscc="91210200MA0QC0001X",
        rating=AssociationRating(CreditGrade.B, 82.0, date(2026, 1, 15), date(2027, 1, 14)),
        events=(
            DatedCreditEvent(
                CreditEventKind.ADMINISTRATIVE_PENALTY, date(2025, 6, 30), -30.0, date(2027, 6, 30)
            ),
            DatedCreditEvent(CreditEventKind.COMMENDATION, date(2026, 3, 1), 10.0),
            DatedCreditEvent(
                CreditEventKind.ABNORMAL_OPERATION, date(2023, 5, 1), -20.0, date(2024, 5, 1)
            ),
        ),
        complaints=ComplaintCounts(total=9, substantiated=3),
        certificates_issued=1200,
        certificates_withdrawn=18,
        satisfaction=index,
    )
    assessment = assess_credit(inputs, today=TODAY)
    assert (assessment.score, assessment.grade) == (82.1, CreditGrade.B)
    assert [f.contribution for f in assessment.factors] == [27.3, 20.3, 15.8, 9.4, 0.0, 9.3, 0.0]


def test_a_stations_time_limit_compliance_is_a_factor_of_its_own() -> None:
    station = CreditInputs(uscc="S", satisfaction=90.0, time_limit_compliance=60.0)
    assessment = assess_credit(station, today=TODAY)
    factor = next(f for f in assessment.factors if f.name is FactorName.TIME_LIMITS)

    # With a clean credit file (80) and satisfaction: 0.10 of 0.45 each.
    assert factor.value == 60.0
    assert factor.weight == pytest.approx(0.10 / 0.45)
    assert assessment.score == pytest.approx((0.25 * 80 + 0.10 * 90 + 0.10 * 60) / 0.45, abs=0.05)
