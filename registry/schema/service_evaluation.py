"""Service evaluation (DB2101/T 0050-2022 Annex C forms, mystery customers) and its index."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph import models
from registry.domain.satisfaction import Confirmation, SurveyAnswer
from registry.domain.vocabulary import ServiceCategory, ServiceEvaluationKind
from registry.operations.credit import counted, satisfaction_of

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
    confirmed_on: dt.date | None = strawberry.field(
        description="A requester's form: the day the station's regulator confirmed who "
        "filled it in, from which it counts; null until then (and for other evaluations, "
        "which count as recorded)."
    )
    confirmation: Confirmation | None
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
            confirmed_on=m.confirmed_on,
            confirmation=None if m.confirmation is None else Confirmation(m.confirmation),
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
    surveys: int = strawberry.field(description="Satisfaction forms counted.")
    awaiting_confirmation: int = strawberry.field(
        description="Requesters' Annex C forms of the period that do not count yet: the "
        "station's regulator has not confirmed who filled them in."
    )
    mystery_visits: int
    mystery_checks_passed: int
    mystery_checks_total: int

    @classmethod
    def of(
        cls,
        period: str,
        bounds: tuple[dt.date, dt.date],
        found: list[models.ServiceEvaluation],
        day: dt.date,
    ) -> SatisfactionIndex:
        """``found`` over the period (dated by ``day``), counted as they stand on ``day``."""
        counting = counted(found, day)
        visits = [v for v in counting if v.kind == ServiceEvaluationKind.MYSTERY_CUSTOMER]
        return cls(
            period=period,
            first_day=bounds[0],
            last_day=bounds[1],
            index=satisfaction_of(counting),
            surveys=len(counting) - len(visits),
            awaiting_confirmation=len(found) - len(counting),
            mystery_visits=len(visits),
            mystery_checks_passed=sum(v.checks_passed or 0 for v in visits),
            mystery_checks_total=sum(v.checks_total or 0 for v in visits),
        )
