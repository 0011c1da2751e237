"""The explainable credit score and the supervision class, as the API shows them."""

from __future__ import annotations

from datetime import date

import strawberry

from registry.domain import credit_score
from registry.domain.credit_score import CreditStatus
from registry.domain.supervision import (
    ClassDecision,
    Reason,
    SupervisionClass,
    SupervisionReasonCode,
)
from registry.domain.vocabulary import CreditGrade

__all__ = [
    "CreditAssessment",
    "CreditFactor",
    "SupervisionClassDecision",
    "SupervisionReason",
]


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
    "the score. Recomputed when its inputs change. UNRATED when there is no evidence yet: no "
    "score, no grade, and every factor says what is missing."
)
class CreditAssessment:
    status: CreditStatus
    score: float | None = strawberry.field(description="0-100; null when UNRATED.")
    grade: CreditGrade | None = strawberry.field(description="Null when UNRATED.")
    method_version: str
    computed_on: date
    explanation: str = strawberry.field(description="What the score rests on, or why none.")
    factors: list[CreditFactor]

    @classmethod
    def of(cls, a: credit_score.CreditAssessment) -> CreditAssessment:
        return cls(
            status=a.status,
            score=a.score,
            grade=a.grade,
            method_version=a.method_version,
            computed_on=a.computed_on,
            explanation=credit_score.explain(a),
            factors=[CreditFactor.of(f) for f in a.factors],
        )


@strawberry.type(description="Why an institution is in its supervision class.")
class SupervisionReason:
    code: SupervisionReasonCode
    text: str
    evidence: list[str] = strawberry.field(
        description="The records the reason rests on, as Entity:key (Certificate:…, "
        "Accreditation:…, Complaint:…, CreditEvent:…), the names the change feed uses."
    )

    @classmethod
    def of(cls, r: Reason) -> SupervisionReason:
        return cls(code=r.code, text=r.text, evidence=[str(e) for e in r.evidence])


@strawberry.type(
    description="The classified-supervision class and every reason for it: the hard rules "
    "that force D, each with its evidence, then the class the credit score gives."
)
class SupervisionClassDecision:
    class_: SupervisionClass = strawberry.field(
        name="class", description="A low risk, D high; UNRATED without evidence."
    )
    reasons: list[SupervisionReason]

    @classmethod
    def of(cls, d: ClassDecision) -> SupervisionClassDecision:
        return cls(class_=d.class_, reasons=[SupervisionReason.of(r) for r in d.reasons])
