"""Service satisfaction as DB2101/T 0050-2022 Annex C measures it: the ten-question survey
form, its points, and the index that blends surveys with mystery-customer checks, one
input of the credit score (registry.domain.credit_score)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

__all__ = [
    "MYSTERY_WEIGHT",
    "REQUESTER",
    "SATISFACTION_WINDOW_DAYS",
    "SURVEY_POINTS",
    "SURVEY_QUESTIONS",
    "YES_NO_QUESTION",
    "Confirmation",
    "SurveyAnswer",
    "counts_on",
    "misfitting_answer",
    "satisfaction_index",
]

MYSTERY_WEIGHT = 0.3  # share of mystery-customer results in the satisfaction index
SATISFACTION_WINDOW_DAYS = 365  # the score reads the evaluations of the last year
REQUESTER = "REQUESTER"  # who recorded an Annex C form a requester filled in with its token


class Confirmation(StrEnum):
    """How a regulator made sure a request, or its form, came from the enterprise served
    (§8.2.1: the station's superior evaluates its service), or that a service certificate's
    holder sought and holds it."""

    CALL_BACK = "CALL_BACK"  # 回访: the regulator reached the enterprise and it confirmed
    SIGNED_FORM = "SIGNED_FORM"  # the form (Annex A or C) signed or sealed by its head


def counts_on(recorded_by: str, confirmed_on: date | None, day: date) -> bool:
    """Whether an evaluation counts on ``day``. Anyone may submit a request, so a station
    could ask itself and answer its own form; a requester's form therefore counts only from
    the day the regulator confirmed who filled it in. Forms recorded by regulators and
    associations count as they are."""
    if recorded_by != REQUESTER:
        return True
    return confirmed_on is not None and confirmed_on <= day


class SurveyAnswer(StrEnum):
    """DB2101/T 0050-2022 Annex C: four levels, and yes/no for question 5 (problem solved)."""

    VERY_SATISFIED = "VERY_SATISFIED"
    SATISFIED = "SATISFIED"
    AVERAGE = "AVERAGE"
    DISSATISFIED = "DISSATISFIED"
    YES = "YES"
    NO = "NO"


# "Average" is a pass, "dissatisfied" a failure: it scores nothing, as a complaint would.
SURVEY_POINTS: dict[SurveyAnswer, float] = {
    SurveyAnswer.VERY_SATISFIED: 100.0,
    SurveyAnswer.SATISFIED: 80.0,
    SurveyAnswer.AVERAGE: 60.0,
    SurveyAnswer.DISSATISFIED: 0.0,
    SurveyAnswer.YES: 100.0,
    SurveyAnswer.NO: 0.0,
}
SURVEY_QUESTIONS = 10
YES_NO_QUESTION = 5  # "was your problem solved?"
_YES_NO = frozenset({SurveyAnswer.YES, SurveyAnswer.NO})


def misfitting_answer(number: int, answer: SurveyAnswer | None) -> str | None:
    """Why ``answer`` does not fit question ``number`` of the form, or None when it does."""
    if answer is None:
        return None
    if number == YES_NO_QUESTION and answer not in _YES_NO:
        return f"question {YES_NO_QUESTION} (problem solved) is answered YES or NO"
    if number != YES_NO_QUESTION and answer in _YES_NO:
        return f"question {number} is rated on the four-level scale, not yes/no"
    return None


def _survey_mean(response: Sequence[SurveyAnswer | None]) -> float | None:
    if len(response) != SURVEY_QUESTIONS:
        raise ValueError(f"a survey has {SURVEY_QUESTIONS} answers, got {len(response)}")
    points = []
    for number, answer in enumerate(response, start=1):
        if (problem := misfitting_answer(number, answer)) is not None:
            raise ValueError(problem)
        if answer is not None:
            points.append(SURVEY_POINTS[answer])
    return sum(points) / len(points) if points else None


def satisfaction_index(
    responses: Sequence[Sequence[SurveyAnswer | None]],
    *,
    mystery: Sequence[bool] | float | None = None,
) -> float | None:
    """Annex C surveys (mean of the answered questions, then of the surveys) blended with
    mystery-customer results (pass/fail checks, or a 0-100 score) at ``MYSTERY_WEIGHT``.

    Either part alone is the index; with neither, the index is None (not zero).
    """
    means = [m for m in (_survey_mean(r) for r in responses) if m is not None]
    survey = sum(means) / len(means) if means else None
    if isinstance(mystery, (int, float)):
        if not 0.0 <= mystery <= 100.0:
            raise ValueError(f"mystery-customer score {mystery} outside 0..100")
        shopped: float | None = float(mystery)
    elif mystery:
        shopped = 100.0 * sum(mystery) / len(mystery)
    else:
        shopped = None
    if survey is None or shopped is None:
        alone = survey if shopped is None else shopped
        return None if alone is None else round(alone, 1)
    return round((1 - MYSTERY_WEIGHT) * survey + MYSTERY_WEIGHT * shopped, 1)
