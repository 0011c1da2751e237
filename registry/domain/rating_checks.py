"""An association's grade against the registry's own band, so the public sees when they differ.

A grade more than one grade away from the registry's band is flagged, whichever way: from the
band the registry's cut-offs give the association's own score (grade A with score 12), or
from the grade of the registry's credit assessment of the institution (only while the rating
is in force: the registry keeps today's assessment, not those of past periods). One grade
apart is tolerated: an association's declared method may draw its lines elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from registry.domain.credit_score import CreditAssessment, grade_for
from registry.domain.vocabulary import CreditGrade

__all__ = ["MAX_GRADES_APART", "RatingCheck", "RatingFlag", "check_rating", "grades_apart"]

MAX_GRADES_APART = 1
_ORDER = (CreditGrade.A, CreditGrade.B, CreditGrade.C, CreditGrade.D)


class RatingFlag(StrEnum):
    DIVERGES_FROM_REGISTRY_SCORE = "DIVERGES_FROM_REGISTRY_SCORE"


@dataclass(frozen=True, slots=True)
class RatingCheck:
    registry_grade: CreditGrade | None  # the registry's assessment, while the rating is in force
    flags: tuple[RatingFlag, ...]
    divergence: str | None  # why it is flagged


def grades_apart(one: CreditGrade, other: CreditGrade) -> int:
    return abs(_ORDER.index(one) - _ORDER.index(other))


def check_rating(
    *,
    grade: CreditGrade,
    score: float,
    published_on: date,
    valid_until: date,
    registry: CreditAssessment | None,
    today: date,
) -> RatingCheck:
    """Compare a published grade with the registry's bands for it."""
    in_force = published_on <= today <= valid_until
    scored = registry if registry is not None and in_force else None
    registry_grade = None if scored is None else scored.grade
    found: list[str] = []
    banded = grade_for(score)
    if grades_apart(grade, banded) > MAX_GRADES_APART:
        found.append(f"its score {score:g} is in the registry's band {banded}")
    if (
        scored is not None
        and registry_grade is not None
        and grades_apart(grade, registry_grade) > MAX_GRADES_APART
    ):
        found.append(
            f"the registry's credit score of the institution is {scored.score}, "
            f"grade {registry_grade} (method {scored.method_version})"
        )
    if not found:
        return RatingCheck(registry_grade, (), None)
    return RatingCheck(
        registry_grade,
        (RatingFlag.DIVERGES_FROM_REGISTRY_SCORE,),
        f"grade {grade} differs by more than {MAX_GRADES_APART} grade: {'; '.join(found)}",
    )
