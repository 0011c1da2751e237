"""Disputes and data quality as GraphQL types: the dispute (its contact for its handlers
only), the inputs to file and answer one, and an issuer's explained data-quality score."""

from __future__ import annotations

from datetime import date

import strawberry

from graph.dispute_models import Dispute as DisputeModel
from registry.context import Context
from registry.domain import data_quality as quality
from registry.domain.disputes import (
    ANSWER_WITHIN_DAYS,
    DisputeEntity,
    DisputeOutcome,
    DisputeStatus,
    is_overdue,
    may_handle,
)
from registry.domain.vocabulary import Role

__all__ = [
    "DataQuality",
    "Dispute",
    "DisputeInput",
    "QualityFactor",
    "ResolveDisputeInput",
    "disputes_of",
    "load_data_quality",
]

Info = strawberry.Info[Context, None]


@strawberry.type(
    description="Someone says a field of a record is wrong; the record's issuer or the "
    f"regulator of its region answers within {ANSWER_WITHIN_DAYS} days. An upheld dispute "
    "states the correction, which the issuer makes through the ordinary writes."
)
class Dispute:
    id: str
    entity: DisputeEntity
    key: str = strawberry.field(description="The record's number, or the institution's USCC.")
    field: str = strawberry.field(description="The disputed field, as GraphQL names it.")
    claim: str
    institution: str = strawberry.field(
        description="Whose record it is: the certificate's issuer, the accreditation's "
        "granting body, or the institution itself."
    )
    status: DisputeStatus
    filed_on: date
    due_by: date
    answer: str | None = strawberry.field(
        description="Upheld: the correction; rejected: the reason."
    )
    answered_by: str | None = strawberry.field(
        description="The issuer's USCC, or REGULATOR / ADMIN."
    )
    answered_on: date | None
    version: int
    model: strawberry.Private[DisputeModel]

    @strawberry.field(description="Still open after dueBy (on the day the request is about).")
    def overdue(self, info: Info) -> bool:
        return is_overdue(self.model, today=info.context.today)

    @strawberry.field(
        description="How to reach the filer: shown to the record's issuer and the regulator "
        "of its region only; null for everyone else."
    )
    async def contact(self, info: Info) -> str | None:
        if info.context.principal.role is Role.PUBLIC:
            return None
        return self.model.contact if may_handle(await info.context.access(), self.model) else None

    @classmethod
    def of(cls, m: DisputeModel) -> Dispute:
        return cls(
            id=m.id,
            entity=DisputeEntity(m.entity),
            key=m.key,
            field=m.field,
            claim=m.claim,
            institution=m.institution,
            status=DisputeStatus(m.status),
            filed_on=m.filed_on,
            due_by=m.due_by,
            answer=m.answer,
            answered_by=m.answered_by,
            answered_on=m.answered_on,
            version=m.version,
            model=m,
        )


@strawberry.input(description="A dispute about one field of one record (anyone may file).")
class DisputeInput:
    entity: DisputeEntity
    key: str
    field: str
    claim: str
    contact: str = strawberry.field(
        description="How the issuer or regulator may reach you; never published."
    )


@strawberry.input(description="The answer to an open dispute.")
class ResolveDisputeInput:
    id: str
    outcome: DisputeOutcome
    answer: str = strawberry.field(
        description="Upheld: the correction the issuer makes; rejected: why the record stands."
    )


@strawberry.type(description="One factor of the data-quality score, with its evidence.")
class QualityFactor:
    name: quality.QualityFactorName
    value: float = strawberry.field(description="The measured share: count / outOf.")
    count: int
    out_of: int
    weight: float
    points: float = strawberry.field(
        description="What the factor adds to the score (weights of the factors that apply "
        "are scaled to 100)."
    )
    applies: bool = strawberry.field(description="False when there is nothing to measure.")
    explanation: str

    @classmethod
    def of(cls, f: quality.QualityFactor) -> QualityFactor:
        return cls(
            name=f.name,
            value=f.value,
            count=f.count,
            out_of=f.out_of,
            weight=f.weight,
            points=f.points,
            applies=f.applies,
            explanation=f.explanation,
        )


@strawberry.type(description="How well an issuer keeps its records, 0-100 (docs/data-quality.md).")
class DataQuality:
    score: int
    factors: list[QualityFactor]

    @classmethod
    def of(cls, q: quality.DataQuality) -> DataQuality:
        return cls(score=q.score, factors=[QualityFactor.of(f) for f in q.factors])


async def load_data_quality(info: Info, uscc: str) -> DataQuality | None:
    found = await info.context.loaders.data_quality.load(uscc)
    return None if found is None else DataQuality.of(found)


async def disputes_of(info: Info, uscc: str, status: DisputeStatus | None) -> list[Dispute] | None:
    """The disputes about the institution's records that the caller may answer (null for
    the public, who see a dispute by its id only)."""
    if info.context.principal.role is Role.PUBLIC:
        return None
    access = await info.context.access()
    found = await info.context.loaders.disputes.load(uscc)
    return [
        Dispute.of(d)
        for d in found
        if may_handle(access, d) and (status is None or d.status == status.value)
    ]
