"""The explainable credit score and the supervision class, as the API shows them."""

from __future__ import annotations

from datetime import date

import strawberry

from registry.domain import credit_score
from registry.domain.supervision import ClassDecision, SupervisionClass
from registry.domain.vocabulary import CreditGrade

__all__ = ["CreditAssessment", "CreditFactor", "SupervisionClassDecision"]


@strawberry.type(description="One factor of a credit score and why it has its value.")
class CreditFactor:
    name: str
    value: float | None = strawberry.field(description="0-100; null when the input is missing.")
    weight: float = strawberry.field(description="Effective weight; 0 when missing.")
    contribution: float = strawberry.field(description="Points of the score (one decimal).")
    evidence: str

    @classmethod
    def of(cls, f: credit_score.Factor) -> CreditFactor:
        return cls(
            name=str(f.name),
            value=f.value,
            weight=f.weight,
            contribution=f.contribution,
            evidence=f.evidence,
        )


@strawberry.type(
    description="An explainable credit score (docs/credit-method.md); contributions add up to "
    "the score. Recomputed when its inputs change."
)
class CreditAssessment:
    score: float
    grade: CreditGrade
    method_version: str
    computed_on: date
    factors: list[CreditFactor]

    @classmethod
    def of(cls, a: credit_score.CreditAssessment) -> CreditAssessment:
        return cls(
            score=a.score,
            grade=a.grade,
            method_version=a.method_version,
            computed_on=a.computed_on,
            factors=[CreditFactor.of(f) for f in a.factors],
        )


@strawberry.type(description="The classified-supervision class and the reasons for it.")
class SupervisionClassDecision:
    class_: SupervisionClass = strawberry.field(name="class", description="A low risk, D high.")
    reasons: list[str]

    @classmethod
    def of(cls, d: ClassDecision) -> SupervisionClassDecision:
        return cls(class_=d.class_, reasons=list(d.reasons))
