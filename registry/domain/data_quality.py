"""An issuer's data quality: a 0-100 score from four factors, each a measured share with
its weight, so that anyone can see why (docs/data-quality.md).

Like GLEIF's data quality reports, but per issuer and explained: status changes recorded
late, disputes upheld, certificates its accreditation did not cover (the verification
page's chain of trust, ``domain.anomalies``), and certificates lacking an expected field.
A factor with nothing to measure (no status change yet, no recent certificate) does not
apply, and the weights of the others are scaled up to make 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from graph.dispute_models import DataQualityCounts
from registry.domain.hard_rules import FINDINGS_YEARS

__all__ = [
    "LATE_AFTER_DAYS",
    "UPHELD_RATE_AT_ZERO",
    "WEIGHTS",
    "DataQuality",
    "QualityFactor",
    "QualityFactorName",
    "data_quality",
]

# A status change counts as late when recorded more than a working week (seven calendar
# days) after it took effect: time to record an audit's decision, short of weeks of wrong
# answers to verifiers.
LATE_AFTER_DAYS = 7
# Upheld disputes per certificate at which that factor reaches zero (5 per 100 certificates).
UPHELD_RATE_AT_ZERO = 0.05


class QualityFactorName(StrEnum):
    LATE_STATUS_RECORDING = "LATE_STATUS_RECORDING"
    DISPUTES_UPHELD = "DISPUTES_UPHELD"
    ANOMALIES = "ANOMALIES"
    MISSING_FIELDS = "MISSING_FIELDS"


WEIGHTS: Mapping[QualityFactorName, float] = {
    QualityFactorName.LATE_STATUS_RECORDING: 0.30,
    QualityFactorName.DISPUTES_UPHELD: 0.30,
    QualityFactorName.ANOMALIES: 0.25,
    QualityFactorName.MISSING_FIELDS: 0.15,
}


@dataclass(frozen=True, slots=True)
class QualityFactor:
    """``value``: the measured share (``count`` of ``out_of``); ``quality``: 1 is perfect,
    0 the worst; ``points``: what it adds to the score (0 when it does not apply)."""

    name: QualityFactorName
    value: float
    count: int
    out_of: int
    weight: float
    quality: float
    points: float
    applies: bool
    explanation: str


@dataclass(frozen=True, slots=True)
class DataQuality:
    score: int
    factors: tuple[QualityFactor, ...]


@dataclass(frozen=True, slots=True)
class _Measure:
    name: QualityFactorName
    count: int
    out_of: int
    quality: float
    explanation: str


def _share(count: int, out_of: int) -> float:
    return count / out_of if out_of else 0.0


def _measures(counts: DataQualityCounts, anomalies: int) -> list[_Measure]:
    late = _share(counts.late_status_changes, counts.status_changes)
    upheld = _share(counts.disputes_upheld, counts.certificates)
    anomalous = _share(anomalies, counts.recent_certificates)
    incomplete = _share(counts.incomplete, counts.certificates)
    return [
        _Measure(
            QualityFactorName.LATE_STATUS_RECORDING,
            counts.late_status_changes,
            counts.status_changes,
            1.0 - late,
            f"{counts.late_status_changes} of {counts.status_changes} status changes after "
            f"issue were recorded more than {LATE_AFTER_DAYS} days after they took effect",
        ),
        _Measure(
            QualityFactorName.DISPUTES_UPHELD,
            counts.disputes_upheld,
            counts.certificates,
            max(0.0, 1.0 - upheld / UPHELD_RATE_AT_ZERO),
            f"{counts.disputes_upheld} disputes about its {counts.certificates} certificates "
            f"were upheld ({counts.disputes_answered} answered); "
            f"{UPHELD_RATE_AT_ZERO:.0%} upheld scores 0",
        ),
        _Measure(
            QualityFactorName.ANOMALIES,
            anomalies,
            counts.recent_certificates,
            1.0 - anomalous,
            f"{anomalies} of {counts.recent_certificates} certificates issued in the last "
            f"{FINDINGS_YEARS} years were not covered by an accreditation in force and its "
            "scope on their issue date",
        ),
        _Measure(
            QualityFactorName.MISSING_FIELDS,
            counts.incomplete,
            counts.certificates,
            1.0 - incomplete,
            f"{counts.incomplete} of {counts.certificates} certificates lack an expected "
            f"field ({counts.missing_stars} service certificates without their star grade)",
        ),
    ]


def data_quality(counts: DataQualityCounts, *, anomalies: int) -> DataQuality | None:
    """The score of an issuer from what the store counted and the anomalies found among its
    recent certificates; None for an institution that has issued no certificate."""
    if counts.certificates == 0:
        return None
    measures = _measures(counts, min(anomalies, counts.recent_certificates))
    applying = sum(WEIGHTS[m.name] for m in measures if m.out_of > 0)
    factors = tuple(
        QualityFactor(
            name=m.name,
            value=round(_share(m.count, m.out_of), 4),
            count=m.count,
            out_of=m.out_of,
            weight=WEIGHTS[m.name],
            quality=round(m.quality, 4) if m.out_of else 1.0,
            points=round(100 * WEIGHTS[m.name] * m.quality / applying, 2) if m.out_of else 0.0,
            applies=m.out_of > 0,
            explanation=m.explanation,
        )
        for m in measures
    )
    score = round(sum(100 * WEIGHTS[m.name] * m.quality for m in measures if m.out_of) / applying)
    return DataQuality(score=score, factors=factors)
