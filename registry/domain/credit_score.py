"""The explainable credit score: one documented, versioned formula (docs/credit-method.md).

Every factor is reported with its value, weight, contribution and evidence, so an institution
can see why it got its score; missing inputs are left out and their weight re-distributed,
never counted as zero. An institution with no evidence at all is UNRATED, not given the
baseline of an empty credit file: nothing known is not the same as a clean record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from registry.domain.satisfaction import SATISFACTION_WINDOW_DAYS
from registry.domain.vocabulary import CreditEventKind, CreditGrade

__all__ = [
    "BASE_WEIGHTS",
    "EVENTS_BASELINE",
    "EVENT_HALF_LIFE_DAYS",
    "GRADE_CUTOFFS",
    "METHOD_VERSION",
    "AssociationRating",
    "ComplaintCounts",
    "CreditAssessment",
    "CreditInputs",
    "CreditStatus",
    "DatedCreditEvent",
    "Factor",
    "FactorName",
    "assess_credit",
    "explain",
    "grade_for",
    "last_public_day",
]

# 2026.3: time-limit compliance of stations. 2026.4: a complaint that is not substantiated
# is no evidence, so it neither scores 100 nor rates the unrated. 2026.5: stars count only
# from a certificate whose assessment is recorded. 2026.6: and from the day the holder's
# regulator confirmed it.
METHOD_VERSION = "2026.6"


class CreditStatus(StrEnum):
    """RATED: the score rests on evidence. UNRATED: there is none yet, so there is no score."""

    RATED = "RATED"
    UNRATED = "UNRATED"


class FactorName(StrEnum):
    ASSOCIATION_RATING = "association_rating"
    CREDIT_EVENTS = "credit_events"
    COMPLAINTS = "complaints"
    WITHDRAWN_CERTIFICATES = "withdrawn_certificates"
    SERVICE_STARS = "service_stars"
    SATISFACTION = "satisfaction"
    TIME_LIMITS = "time_limits"


BASE_WEIGHTS: dict[FactorName, float] = {
    FactorName.ASSOCIATION_RATING: 0.30,
    FactorName.CREDIT_EVENTS: 0.25,
    FactorName.COMPLAINTS: 0.15,
    FactorName.WITHDRAWN_CERTIFICATES: 0.10,
    FactorName.SERVICE_STARS: 0.10,
    FactorName.SATISFACTION: 0.10,
    FactorName.TIME_LIMITS: 0.10,  # only stations have requests; elsewhere it is missing
}
# Lowest score of each grade, best first; below the last cut-off is D.
GRADE_CUTOFFS: tuple[tuple[CreditGrade, float], ...] = (
    (CreditGrade.A, 85.0),
    (CreditGrade.B, 70.0),
    (CreditGrade.C, 55.0),
)
EVENT_HALF_LIFE_DAYS = 365.25
EVENTS_BASELINE = 80.0  # a clean credit file; commendations lift it, penalties lower it
COMPLAINTS_PER_100_AT_ZERO = 5.0  # substantiated complaints per 100 certificates worth 0 points
COMPLAINT_VOLUME_FLOOR = 100  # small bodies are judged as if they had issued 100 certificates
WITHDRAWN_RATIO_AT_ZERO = 0.10  # a tenth of certificates withdrawn for cause is worth 0 points


@dataclass(frozen=True, slots=True)
class AssociationRating:
    grade: CreditGrade
    score: float
    published_on: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class DatedCreditEvent:
    kind: CreditEventKind
    on: date
    weight: float  # -100..100, negative for penalties, positive for commendations
    public_until: date | None = None


@dataclass(frozen=True, slots=True)
class ComplaintCounts:
    total: int
    substantiated: int


@dataclass(frozen=True, slots=True)
class CreditInputs:
    """Everything the score reads about one institution; None means 'not known'."""

    uscc: str
    rating: AssociationRating | None = None
    events: tuple[DatedCreditEvent, ...] = ()
    complaints: ComplaintCounts = ComplaintCounts(0, 0)
    certificates_issued: int = 0
    certificates_withdrawn: int = 0
    best_service_stars: int | None = None
    satisfaction: float | None = None
    time_limit_compliance: float | None = None  # percent of due stages within their limit


@dataclass(frozen=True, slots=True)
class Factor:
    name: FactorName
    value: float | None  # 0-100, None when the input is missing
    weight: float  # effective weight after re-normalisation; 0 when missing
    contribution: float  # points of the score, one decimal
    evidence: str


@dataclass(frozen=True, slots=True)
class CreditAssessment:
    uscc: str
    score: float | None  # None when UNRATED
    grade: CreditGrade | None  # None when UNRATED
    method_version: str
    computed_on: date
    factors: tuple[Factor, ...]

    @property
    def status(self) -> CreditStatus:
        return CreditStatus.UNRATED if self.score is None else CreditStatus.RATED


def last_public_day(public_until: date | None, repaired_on: date | None) -> date | None:
    """The last day a credit-file record counts: the end of its publicity period, or the day
    before its credit repair, whichever comes first (None: no end)."""
    if repaired_on is None:
        return public_until
    last = repaired_on - timedelta(days=1)
    return last if public_until is None else min(public_until, last)


def public_on(public_until: date | None, repaired_on: date | None, day: date) -> bool:
    """Whether a credit-file record is still shown to the public on ``day`` (it may not
    have started yet): within its publicity period and not repaired."""
    last = last_public_day(public_until, repaired_on)
    return last is None or day <= last


def grade_for(score: float) -> CreditGrade:
    """The grade whose cut-off the score reaches."""
    for grade, cutoff in GRADE_CUTOFFS:
        if score >= cutoff:
            return grade
    return CreditGrade.D


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _rating(rating: AssociationRating | None, today: date) -> tuple[float | None, str]:
    if rating is None:
        return None, "no association rating"
    if not rating.published_on <= today <= rating.valid_until:
        return None, f"association rating {rating.grade} not valid on {today.isoformat()}"
    return _clamp(rating.score), (
        f"grade {rating.grade}, score {rating.score:g}, valid until {rating.valid_until}"
    )


def _events(events: Sequence[DatedCreditEvent], today: date) -> tuple[float, str, int]:
    """A clean file counts as evidence once there is other evidence: the value, its evidence
    and how many events were counted. The evidence is public: it does not count the records
    past their publicity period, which the public no longer sees."""
    total, counted, pending = 0.0, 0, 0
    for event in events:
        if not -100.0 <= event.weight <= 100.0:
            raise ValueError(f"credit event weight {event.weight} outside -100..100")
        if event.kind == CreditEventKind.SATISFACTION_SURVEY:
            continue  # counted by the satisfaction factor
        if event.on > today:
            pending += 1
        elif event.public_until is not None and event.public_until < today:
            continue
        else:
            age = (today - event.on).days
            total += event.weight * 0.5 ** (age / EVENT_HALF_LIFE_DAYS)
            counted += 1
    evidence = (
        f"{counted} event(s) counted, decayed sum {total:+.1f} on baseline {EVENTS_BASELINE:g}"
        f" (half-life {EVENT_HALF_LIFE_DAYS:g} days)"
    )
    if pending:
        evidence += f"; {pending} dated after {today} not yet counted"
    return _clamp(EVENTS_BASELINE + total), evidence, counted


def _complaints(counts: ComplaintCounts, issued: int) -> tuple[float | None, str]:
    if counts.substantiated > counts.total or counts.substantiated < 0:
        raise ValueError("substantiated complaints must be between 0 and the total")
    if issued <= 0 and counts.substantiated == 0:  # filing one against a lab made it 100
        return None, "no certificates issued and no complaint substantiated"
    volume = max(issued, COMPLAINT_VOLUME_FLOOR)
    per_100 = 100.0 * counts.substantiated / volume
    value = _clamp(100.0 * (1.0 - per_100 / COMPLAINTS_PER_100_AT_ZERO))
    return value, (
        f"{counts.substantiated} of {counts.total} complaint(s) substantiated,"
        f" {per_100:.2f} per 100 certificates (volume {volume}; 0 points at"
        f" {COMPLAINTS_PER_100_AT_ZERO:g})"
    )


def _withdrawn(issued: int, withdrawn: int) -> tuple[float | None, str]:
    if not 0 <= withdrawn <= max(issued, 0):
        raise ValueError("withdrawn certificates must be between 0 and those issued")
    if issued <= 0:
        return None, "no certificates issued"
    ratio = withdrawn / issued
    value = _clamp(100.0 * (1.0 - ratio / WITHDRAWN_RATIO_AT_ZERO))
    return value, (
        f"{withdrawn} of {issued} certificates withdrawn ({ratio:.1%};"
        f" 0 points at {WITHDRAWN_RATIO_AT_ZERO:.0%})"
    )


def _stars(stars: int | None) -> tuple[float | None, str]:
    if stars is None:
        return None, "no valid service certificate with a star grade"
    if not 1 <= stars <= 5:
        raise ValueError(f"star grade {stars} outside 1..5")
    return 20.0 * stars, f"best valid service certificate: {stars} star(s) of 5"


def _satisfaction(index: float | None) -> tuple[float | None, str]:
    if index is None:
        return None, "no satisfaction survey or mystery-customer result"
    return _clamp(index), f"satisfaction index {index:.1f}"


def _time_limits(compliance: float | None) -> tuple[float | None, str]:
    if compliance is None:
        return None, "no service request stage due (DB2101/T 0050-2022 time limits)"
    return _clamp(compliance), f"{compliance:.1f}% of service request stages within their limit"


def _apportion(raw: Sequence[float]) -> tuple[int, list[int]]:
    """Round the score to tenths and split it into tenths per factor (largest remainder),
    so the published contributions add up exactly to the published score."""
    total = math.floor(sum(raw) * 10 + 0.5)
    floors = [math.floor(c * 10) for c in raw]
    left = max(0, min(total - sum(floors), len(raw)))
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] * 10 - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return sum(floors), floors


def assess_credit(inputs: CreditInputs, *, today: date) -> CreditAssessment:
    """Score one institution on ``today``: a weighted mean of the factors that are present,
    or UNRATED when nothing but an empty credit file is known."""
    events_value, events_evidence, counted = _events(inputs.events, today)
    measured = {
        FactorName.ASSOCIATION_RATING: _rating(inputs.rating, today),
        FactorName.CREDIT_EVENTS: (events_value, events_evidence),
        FactorName.COMPLAINTS: _complaints(inputs.complaints, inputs.certificates_issued),
        FactorName.WITHDRAWN_CERTIFICATES: _withdrawn(
            inputs.certificates_issued, inputs.certificates_withdrawn
        ),
        FactorName.SERVICE_STARS: _stars(inputs.best_service_stars),
        FactorName.SATISFACTION: _satisfaction(inputs.satisfaction),
        FactorName.TIME_LIMITS: _time_limits(inputs.time_limit_compliance),
    }
    present = [name for name, (value, _) in measured.items() if value is not None]
    if counted == 0 and present == [FactorName.CREDIT_EVENTS]:
        return _unrated(inputs.uscc, measured, today)
    missing = [name for name in measured if name not in present]
    present_weight = sum(BASE_WEIGHTS[name] for name in present)
    weights = {name: BASE_WEIGHTS[name] / present_weight for name in present}
    raw = [weights[name] * (measured[name][0] or 0.0) for name in present]
    total, tenths = _apportion(raw)
    share = dict(zip(present, tenths, strict=True))
    note = f"; re-normalised over present factors (missing: {', '.join(missing)})"
    factors = []
    for name, (value, evidence) in measured.items():
        base = BASE_WEIGHTS[name]
        if value is None:
            evidence += f"; base weight {base:.2f} re-distributed over the present factors"
            factors.append(Factor(name, None, 0.0, 0.0, evidence))
            continue
        if missing:
            evidence += f"; weight {base:.2f} -> {weights[name]:.4f}{note}"
        factors.append(Factor(name, value, weights[name], share[name] / 10, evidence))
    score = total / 10
    return CreditAssessment(
        inputs.uscc, score, grade_for(score), METHOD_VERSION, today, tuple(factors)
    )


def _unrated(
    uscc: str, measured: dict[FactorName, tuple[float | None, str]], today: date
) -> CreditAssessment:
    """No evidence: every factor is shown missing with why, and there is no score."""
    factors = []
    for name, (_, evidence) in measured.items():
        if name is FactorName.CREDIT_EVENTS:
            evidence += "; an empty credit file alone is no evidence"
        factors.append(Factor(name, None, 0.0, 0.0, evidence))
    return CreditAssessment(uscc, None, None, METHOD_VERSION, today, tuple(factors))


def explain(assessment: CreditAssessment) -> str:
    """One sentence on what the score rests on, or why there is none."""
    if assessment.score is None:
        return (
            "UNRATED: no evidence yet (no valid association rating, no credit event in force, "
            "no certificates issued or complaints substantiated, no starred service "
            "certificate, no satisfaction evaluation nor service request due in the last "
            f"{SATISFACTION_WINDOW_DAYS} days); ranked "
            "after every rated institution"
        )
    present = [f.name for f in assessment.factors if f.value is not None]
    return (
        f"score {assessment.score:.1f} (grade {assessment.grade}) from {len(present)} of "
        f"{len(assessment.factors)} factors: {', '.join(present)}"
    )
