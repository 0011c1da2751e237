"""Service evaluation (DB2101/T 0050-2022 Annex C forms, mystery customers) and its index."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph import models
from registry.domain.satisfaction import SurveyAnswer
from registry.domain.vocabulary import ServiceCategory, ServiceEvaluationKind
from registry.operations.credit import satisfaction_of

__all__ = ["SatisfactionIndex", "ServiceEvaluation"]


@strawberry.type(
    description="A satisfaction form (answers to the ten Annex C questions, null where left "
    "blank) or a mystery customer's visit (checks passed of checks made)."
)
class ServiceEvaluation:
    id: str
    kind: ServiceEvaluationKind
    date: dt.date
    service_category: ServiceCategory
    evaluator: str = strawberry.field(
        description="The enterprise that answered the form, or who made the visit."
    )
    answers: list[SurveyAnswer | None] | None
    checks_passed: int | None
    checks_total: int | None
    comment: str | None
    version: int = strawberry.field(description="Counts the writes of this record.")

    @classmethod
    def of(cls, m: models.ServiceEvaluation) -> ServiceEvaluation:
        survey = m.kind == ServiceEvaluationKind.SURVEY
        return cls(
            id=m.id,
            kind=ServiceEvaluationKind(m.kind),
            date=m.date,
            service_category=ServiceCategory(m.service_category),
            evaluator=m.evaluator,
            answers=[SurveyAnswer(a) if a else None for a in m.answers] if survey else None,
            checks_passed=m.checks_passed,
            checks_total=m.checks_total,
            comment=m.comment,
            version=m.version,
        )


@strawberry.type(description="The satisfaction index of one institution over one period.")
class SatisfactionIndex:
    period: str
    first_day: dt.date
    last_day: dt.date
    index: float | None = strawberry.field(
        description="0-100, or null without any evaluation (docs/credit-method.md)."
    )
    surveys: int
    mystery_visits: int
    mystery_checks_passed: int
    mystery_checks_total: int

    @classmethod
    def of(
        cls, period: str, bounds: tuple[dt.date, dt.date], found: list[models.ServiceEvaluation]
    ) -> SatisfactionIndex:
        visits = [v for v in found if v.kind == ServiceEvaluationKind.MYSTERY_CUSTOMER]
        return cls(
            period=period,
            first_day=bounds[0],
            last_day=bounds[1],
            index=satisfaction_of(found),
            surveys=len(found) - len(visits),
            mystery_visits=len(visits),
            mystery_checks_passed=sum(v.checks_passed or 0 for v in visits),
            mystery_checks_total=sum(v.checks_total or 0 for v in visits),
        )
