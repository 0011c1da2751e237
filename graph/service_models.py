"""The service-certification assessment as stored (beside ``models``, which is full)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ServiceAssessment"]


@dataclass(frozen=True, slots=True)
class ServiceAssessment:
    """How a service certificate's stars were earned. The elements are parallel lists (a
    graph property holds no list of maps); ``element_dates`` are ISO dates like every stored
    date. ``scheme`` is the certificate's standard when the assessment was written. Its
    stars count for the holder from ``confirmed_on``: the day the holder's regulator
    confirmed the holder sought and holds the certificate (``confirmation`` says how)."""

    certificate: str
    scheme: str
    elements: tuple[str, ...]
    scores: tuple[float, ...]
    weights: tuple[float, ...]
    element_dates: tuple[str, ...]
    evidence: tuple[str, ...]
    cpsq: float
    cpsq_on: date
    stage1_on: date
    stage1_person_days: float
    stage2_on: date
    stage2_person_days: float
    version: int = 0
    confirmed_on: date | None = None
    confirmation: str | None = None
