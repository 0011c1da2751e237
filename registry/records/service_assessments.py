"""A service certificate's assessment: its four elements, the CPSQ and the two audit stages.

The rules checked here need nothing but the record; those that need the certificate and its
scheme (the scheme's elements, its CPSQ target, the stars) are checked when it is written.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.satisfaction import Confirmation
from registry.domain.service_standards import SCORE_MAX
from registry.domain.vocabulary import AssessmentElement
from registry.records.base import CertificateNumber, Record, VersionedRecord, refuse

__all__ = ["AssessedElementRecord", "AssessmentConfirmationRecord", "ServiceAssessmentRecord"]

Score = Annotated[float, Field(ge=0, le=SCORE_MAX, allow_inf_nan=False)]
PersonDays = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
_WEIGHT_TOLERANCE = 1e-6


class AssessedElementRecord(Record):
    element: AssessmentElement
    score: Score
    weight: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    assessed_on: date
    # Public: what was looked at, never who looked (auditors are not named).
    evidence: Annotated[str, Field(min_length=1, max_length=500)]


class ServiceAssessmentRecord(VersionedRecord):
    certificate: CertificateNumber
    elements: Annotated[list[AssessedElementRecord], Field(min_length=1, max_length=8)]
    cpsq: Score
    cpsq_measured_on: date
    stage1_on: date
    stage1_person_days: PersonDays
    stage2_on: date
    stage2_person_days: PersonDays

    @model_validator(mode="after")
    def _elements_once_weighted_to_one(self) -> ServiceAssessmentRecord:
        seen: set[AssessmentElement] = set()
        for index, part in enumerate(self.elements):
            if part.element in seen:
                raise refuse(
                    "DUPLICATE_ELEMENT",
                    f"{part.element.value} is assessed once",
                    field=f"elements[{index}].element",
                )
            seen.add(part.element)
        total = math.fsum(part.weight for part in self.elements)
        if abs(total - 1) > _WEIGHT_TOLERANCE:
            raise refuse(
                "WEIGHTS_DO_NOT_SUM_TO_ONE",
                f"the elements' weights add up to {total:g}, not 1",
                field="elements",
            )
        return self

    @model_validator(mode="after")
    def _stages_in_order(self) -> ServiceAssessmentRecord:
        # Seed 004: the CPSQ is computed from what stage 1 gathered, and stage 2 waits for it.
        if self.stage2_on <= self.stage1_on:
            raise refuse("INVALID_DATE_RANGE", "stage 2 comes after stage 1", field="stage2On")
        if not self.stage1_on <= self.cpsq_measured_on <= self.stage2_on:
            raise refuse(
                "INVALID_DATE_RANGE",
                "the CPSQ is measured after stage 1 and before stage 2",
                field="cpsqMeasuredOn",
            )
        return self


class AssessmentConfirmationRecord(Record):
    """The holder's regulator confirms the holder sought and holds a service certificate;
    ``confirmed_on`` is for archives (seeds), which ADMIN records on their day: the API
    takes no day, a confirmation counts from the day it is made."""

    certificate: CertificateNumber
    confirmation: Confirmation
    confirmed_on: date | None = None
