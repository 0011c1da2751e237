"""Complaints, credit ratings and credit events: the inputs of an institution's credit file."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.periods import PERIOD_PATTERN
from registry.domain.satisfaction import SURVEY_QUESTIONS, SurveyAnswer, misfitting_answer
from registry.domain.service_categories import ANNEX_C_CATEGORIES
from registry.domain.vocabulary import (
    ComplaintChannel,
    ComplaintStatus,
    CreditEventKind,
    CreditGrade,
    RectificationOutcome,
    ServiceCategory,
    ServiceEvaluationKind,
)
from registry.records.base import (
    CertificateNumber,
    ShortText,
    Text,
    Uscc,
    VersionedRecord,
    refuse,
)

__all__ = [
    "ComplaintRecord",
    "CreditEventRecord",
    "CreditRatingRecord",
    "ServiceEvaluationRecord",
]

RecordId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")]

# Negative records are public for at least three months and at most three years.
MIN_PUBLICITY_MONTHS = 3
MAX_PUBLICITY_MONTHS = 36


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return date(year, month, min(day.day, last))


class ComplaintRecord(VersionedRecord):
    id: RecordId
    against: Uscc
    certificate: CertificateNumber | None = None
    channel: ComplaintChannel
    category: ShortText
    status: ComplaintStatus
    substantiated: bool | None = None
    filed_on: date
    closed_on: date | None = None
    details: Text
    resolution: Text | None = None
    contact: ShortText | None = None
    accepted_on: date | None = None

    @model_validator(mode="after")
    def _closed_after_filed(self) -> ComplaintRecord:
        if self.closed_on is not None and self.closed_on < self.filed_on:
            raise refuse(
                "INVALID_DATE_RANGE", "closedOn must not precede filedOn", field="closedOn"
            )
        return self


class CreditRatingRecord(VersionedRecord):
    id: RecordId
    association: Uscc
    institution: Uscc
    grade: CreditGrade
    score: Annotated[float, Field(ge=0, le=100)]
    period: Annotated[str, Field(pattern=PERIOD_PATTERN)]
    published_on: date
    valid_until: date
    method: ShortText
    evidence: Text | None = None

    @model_validator(mode="after")
    def _valid_after_published(self) -> CreditRatingRecord:
        if self.valid_until <= self.published_on:
            raise refuse(
                "INVALID_DATE_RANGE", "validUntil must be after publishedOn", field="validUntil"
            )
        return self


class CreditEventRecord(VersionedRecord):
    id: RecordId
    institution: Uscc
    kind: CreditEventKind
    date: dt.date
    authority: ShortText
    weight: Annotated[float, Field(ge=-100, le=100)]
    description: Text
    public_until: dt.date | None = None
    deadline: dt.date | None = None
    outcome: RectificationOutcome | None = None
    repaired_on: dt.date | None = None
    repair_note: Text | None = None
    plan: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _plan_results_are_spot_checks(self) -> CreditEventRecord:
        if self.plan is not None and self.kind is not CreditEventKind.SPOT_CHECK:
            raise refuse(
                "INVALID_VALUE",
                "only a spot check is the result of a supervision plan",
                field="plan",
            )
        return self

    @model_validator(mode="after")
    def _publicity_period(self) -> CreditEventRecord:
        if self.public_until is None:
            if self.weight < 0:
                raise refuse(
                    "REQUIRED",
                    "a negative record needs a publicity period (publicUntil)",
                    field="publicUntil",
                )
            return self
        earliest = add_months(self.date, MIN_PUBLICITY_MONTHS)
        latest = add_months(self.date, MAX_PUBLICITY_MONTHS)
        if not earliest <= self.public_until <= latest:
            raise refuse(
                "INVALID_PUBLICITY_PERIOD",
                f"publicUntil must be between {earliest} and {latest} "
                "(three months to three years after date)",
                field="publicUntil",
            )
        return self

    @model_validator(mode="after")
    def _rectification(self) -> CreditEventRecord:
        if self.kind is CreditEventKind.RECTIFICATION_ORDER:
            if self.deadline is None:
                raise refuse("REQUIRED", "a rectification order needs a deadline", field="deadline")
            if self.outcome is None:
                raise refuse("REQUIRED", "a rectification order needs an outcome", field="outcome")
            if self.deadline < self.date:
                raise refuse(
                    "INVALID_DATE_RANGE", "deadline must not precede date", field="deadline"
                )
        elif self.deadline is not None or self.outcome is not None:
            field = "deadline" if self.deadline is not None else "outcome"
            raise refuse(
                "INVALID_VALUE",
                "only rectification orders carry a deadline and outcome",
                field=field,
            )
        return self

    @model_validator(mode="after")
    def _repair(self) -> CreditEventRecord:
        if self.repaired_on is None:
            if self.repair_note is not None:
                raise refuse("REQUIRED", "a repair note needs repairedOn", field="repairedOn")
            return self
        if self.weight >= 0:
            raise refuse(
                "INVALID_VALUE", "only negative records can be repaired", field="repairedOn"
            )
        if self.repaired_on < self.date:
            raise refuse(
                "INVALID_DATE_RANGE", "repairedOn must not precede date", field="repairedOn"
            )
        if not self.repair_note:
            raise refuse("REQUIRED", "a credit repair needs a repairNote", field="repairNote")
        return self


class ServiceEvaluationRecord(VersionedRecord):
    """One evaluation of a service: an Annex C satisfaction form (ten answers) or a mystery
    customer's visit (checks passed out of checks made)."""

    id: RecordId
    institution: Uscc
    kind: ServiceEvaluationKind
    date: date
    service_category: ServiceCategory
    evaluator: ShortText
    answers: list[SurveyAnswer | None] | None = None
    checks_passed: Annotated[int, Field(ge=0, le=1000)] | None = None
    checks_total: Annotated[int, Field(ge=1, le=1000)] | None = None
    comment: Text | None = None

    @model_validator(mode="after")
    def _annex_c_category(self) -> ServiceEvaluationRecord:
        if self.service_category not in ANNEX_C_CATEGORIES:
            raise refuse(
                "INVALID_VALUE",
                "the Annex C form evaluates one of its eight service categories",
                field="serviceCategory",
            )
        return self

    @model_validator(mode="after")
    def _fits_its_kind(self) -> ServiceEvaluationRecord:
        if self.kind is ServiceEvaluationKind.SURVEY:
            self._check_survey()
        elif self.checks_passed is None or self.checks_total is None:
            field = "checksPassed" if self.checks_passed is None else "checksTotal"
            raise refuse("REQUIRED", "a mystery-customer visit counts its checks", field=field)
        elif self.checks_passed > self.checks_total:
            raise refuse(
                "INVALID_VALUE", "checksPassed must not exceed checksTotal", field="checksPassed"
            )
        elif self.answers is not None:
            raise refuse("INVALID_VALUE", "only a survey carries answers", field="answers")
        return self

    def _check_survey(self) -> None:
        if self.checks_passed is not None or self.checks_total is not None:
            field = "checksPassed" if self.checks_passed is not None else "checksTotal"
            raise refuse(
                "INVALID_VALUE", "only a mystery-customer visit counts checks", field=field
            )
        if self.answers is None or len(self.answers) != SURVEY_QUESTIONS:
            raise refuse(
                "INVALID_VALUE",
                f"a survey answers the {SURVEY_QUESTIONS} questions of the form "
                "(null for one left blank)",
                field="answers",
            )
        for number, answer in enumerate(self.answers, start=1):
            if (problem := misfitting_answer(number, answer)) is not None:
                raise refuse("INVALID_VALUE", problem, field=f"answers[{number - 1}]")
        if all(answer is None for answer in self.answers):
            raise refuse("REQUIRED", "a survey answers at least one question", field="answers")
