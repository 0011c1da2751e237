"""An institution's credit file: ratings and events (complaints: ``complaints``)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import strawberry

from graph import models
from registry.context import Context
from registry.domain.credit_score import public_on
from registry.domain.permissions import covers, may_see_withdrawn_credit_events
from registry.domain.rating_checks import RatingCheck, RatingFlag, check_rating
from registry.domain.vocabulary import (
    CreditEventKind,
    CreditGrade,
    RectificationOutcome,
)

__all__ = ["CreditEvent", "CreditRating", "sees_withdrawn", "visible_credit_events", "withheld"]


@strawberry.type(
    description="A credit grade an association published for an institution, with the "
    "method it declared and whether the grade diverges from the registry's own bands."
)
class CreditRating:
    id: str
    association_uscc: str
    grade: CreditGrade
    score: float
    period: str
    published_on: date
    valid_until: date
    method: str = strawberry.field(description="The association's declared grading method.")
    evidence: str | None

    version: int = strawberry.field(description="Counts the writes of this record.")
    institution_uscc: strawberry.Private[str]

    @classmethod
    def of(cls, m: models.CreditRating) -> CreditRating:
        return cls(
            version=m.version,
            id=m.id,
            association_uscc=m.association,
            institution_uscc=m.institution,
            grade=CreditGrade(m.grade),
            score=m.score,
            period=m.period,
            published_on=m.published_on,
            valid_until=m.valid_until,
            method=m.method,
            evidence=m.evidence,
        )

    async def _check(self, info: strawberry.Info[Context, None]) -> RatingCheck:
        return check_rating(
            grade=self.grade,
            score=self.score,
            published_on=self.published_on,
            valid_until=self.valid_until,
            registry=await info.context.loaders.credit.load(
                (self.institution_uscc, info.context.today, False)
            ),
            today=info.context.today,
        )

    @strawberry.field(
        description="DIVERGES_FROM_REGISTRY_SCORE when the grade is more than one grade from "
        "the registry's band for its score, or (while in force) from the registry's own "
        "credit grade of the institution; shown to everyone."
    )
    async def flags(self, info: strawberry.Info[Context, None]) -> list[RatingFlag]:
        return list((await self._check(info)).flags)

    @strawberry.field(
        description="The registry's own credit grade of the institution, while the rating is "
        "in force (null otherwise, or when the institution is unrated)."
    )
    async def registry_grade(self, info: strawberry.Info[Context, None]) -> CreditGrade | None:
        return (await self._check(info)).registry_grade

    @strawberry.field(description="Why the rating is flagged; null when it is not.")
    async def divergence(self, info: strawberry.Info[Context, None]) -> str | None:
        return (await self._check(info)).divergence


@strawberry.type(description="A record in the institution's quality-credit file.")
class CreditEvent:
    id: str
    institution_uscc: str
    kind: CreditEventKind
    date: dt.date
    authority: str
    weight: float
    description: str
    public_until: dt.date | None
    deadline: dt.date | None = strawberry.field(
        description="Rectification orders: the deadline to rectify."
    )
    outcome: RectificationOutcome | None
    repaired_on: dt.date | None = strawberry.field(
        description="Credit repair: the record stays on file but is public only until then."
    )
    repair_note: str | None
    plan: str | None = strawberry.field(
        description="Spot checks: the supervision plan (its digest) this is a result of."
    )

    version: int = strawberry.field(description="Counts the writes of this record.")

    @classmethod
    def of(cls, m: models.CreditEvent) -> CreditEvent:
        return cls(
            version=m.version,
            id=m.id,
            institution_uscc=m.institution,
            kind=CreditEventKind(m.kind),
            date=m.date,
            authority=m.authority,
            weight=m.weight,
            description=m.description,
            public_until=m.public_until,
            deadline=m.deadline,
            outcome=None if m.outcome is None else RectificationOutcome(m.outcome),
            repaired_on=m.repaired_on,
            repair_note=m.repair_note,
            plan=m.plan,
        )


async def visible_credit_events(
    info: strawberry.Info[Context, None], events: list[models.CreditEvent], *, region: str
) -> list[CreditEvent]:
    """What the caller may see of ``events`` about institutions in ``region``: what is still
    public today, and the rest for oversight (a regulator within its jurisdiction)."""
    if not await sees_withdrawn(info, region):
        today = info.context.today
        events = [e for e in events if public_on(e.public_until, e.repaired_on, today)]
    return [CreditEvent.of(e) for e in events]


async def withheld(info: strawberry.Info[Context, None], region: str, day: dt.date) -> bool:
    """Whether a past ``day``'s score and class shown to the caller leave out the records
    the public no longer sees: a record no longer public is not published again, and a
    past day's score counted it (stepping ``asOf`` day by day gave its day and weight)."""
    return day < info.context.today and not await sees_withdrawn(info, region)


async def sees_withdrawn(info: strawberry.Info[Context, None], region: str) -> bool:
    if not may_see_withdrawn_credit_events(info.context.principal.role):
        return False
    return covers(await info.context.access(), region)
