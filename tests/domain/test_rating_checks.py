"""An association's grade against the registry's bands: more than one grade apart is flagged."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.credit_score import CreditAssessment, grade_for
from registry.domain.rating_checks import RatingFlag, check_rating, grades_apart
from registry.domain.vocabulary import CreditGrade

TODAY = date(2026, 11, 22)
G = CreditGrade
DIVERGES = (RatingFlag.DIVERGES_FROM_REGISTRY_SCORE,)


def _registry(score: float | None) -> CreditAssessment:
    grade = None if score is None else grade_for(score)
    return CreditAssessment("X", score, grade, "2026.2", TODAY, ())


def _check(
    grade: CreditGrade,
    score: float,
    registry: float | None = None,
    *,
    published_on: date = date(2026, 7, 1),
    valid_until: date = date(2027, 6, 30),
) -> tuple[CreditGrade | None, tuple[RatingFlag, ...], str | None]:
    found = check_rating(
        grade=grade,
        score=score,
        published_on=published_on,
        valid_until=valid_until,
        registry=None if registry is None else _registry(registry),
        today=TODAY,
    )
    return found.registry_grade, found.flags, found.divergence


def test_grade_a_with_score_12_is_flagged_whatever_the_registry_says() -> None:
    registry_grade, flags, why = _check(G.A, 12.0, registry=90.0)

    assert (registry_grade, flags) == (G.A, DIVERGES)
    assert why is not None
    assert "its score 12 is in the registry's band D" in why


def test_a_grade_far_from_the_registry_s_own_score_is_flagged() -> None:
    registry_grade, flags, why = _check(G.A, 92.0, registry=41.2)

    assert (registry_grade, flags) == (G.D, DIVERGES)
    assert why is not None
    assert "credit score of the institution is 41.2, grade D (method 2026.2)" in why


@pytest.mark.parametrize(
    ("grade", "score", "registry"),
    [(G.A, 92.0, 80.0), (G.B, 80.0, 60.0), (G.B, 86.0, 72.0), (G.C, 60.0, None)],
)
def test_one_grade_apart_or_unrated_is_not_flagged(
    grade: CreditGrade, score: float, registry: float | None
) -> None:
    assert _check(grade, score, registry)[1] == ()


def test_a_rating_out_of_force_is_not_compared_with_today_s_assessment() -> None:
    expired = _check(G.A, 92.0, registry=41.2, valid_until=date(2026, 6, 30))

    assert expired == (None, (), None)


def test_grades_apart() -> None:
    assert grades_apart(G.A, G.D) == grades_apart(G.D, G.A) == 3
    assert grades_apart(G.B, G.B) == 0
