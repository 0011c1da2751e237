"""Supervision plans ('double random, one public'): the input to draw one, the plan published."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import strawberry

from graph import models
from registry.context import Context
from registry.domain.supervision import SupervisionClass
from registry.schema.credit import CreditEvent, visible_credit_events

__all__ = [
    "InspectorInput",
    "SupervisionDraw",
    "SupervisionPlan",
    "SupervisionPlanInput",
    "SupervisionRate",
    "SupervisionRatesInput",
]


@strawberry.input(description="Sampling rates per class, each within 0..1; omitted: defaults.")
class SupervisionRatesInput:
    a: float | None = None
    b: float | None = None
    c: float | None = None
    d: float | None = None
    unrated: float | None = None


@strawberry.input(description="An inspector by internal id; no personal data.")
class InspectorInput:
    id: str
    employer: str | None = strawberry.field(
        default=None, description="USCC of the employing institution (never sent there)."
    )
    group: str | None = strawberry.field(
        default=None, description="USCC of the employer's group (never sent to its members)."
    )


@strawberry.input(description="A spot-check plan for a region and its sub-regions.")
class SupervisionPlanInput:
    region: str
    date: dt.date = strawberry.field(description="Today, unless ADMIN records an archive.")
    inspectors: list[InspectorInput]
    seed: int | None = strawberry.field(
        default=None,
        description="Drawn by the registry (kept with the plan, so anyone can redraw it); "
        "only ADMIN gives one, to record an archive.",
    )
    rates: SupervisionRatesInput | None = None
    per_institution: int = 2


@strawberry.type(description="The sampling rate of one supervision class.")
class SupervisionRate:
    class_: SupervisionClass = strawberry.field(name="class")
    rate: float


@strawberry.type(description="One drawn institution and the inspectors sent there.")
class SupervisionDraw:
    uscc: str
    institution_name: str | None
    class_: SupervisionClass = strawberry.field(name="class")
    inspectors: list[str] = strawberry.field(description="Internal inspector ids.")
    shortfall: int = strawberry.field(description="Inspectors missing: too few were eligible.")


@strawberry.type(
    description="A published plan: anyone can redraw it from the seed and check the digest "
    "(SHA-256 of the canonical JSON)."
)
class SupervisionPlan:
    id: str
    digest: str
    region: str
    date: dt.date
    seed: int
    per_institution: int
    rates: list[SupervisionRate]
    draws: list[SupervisionDraw]
    canonical_json: str
    created_at: str

    @classmethod
    def of(cls, plan: models.SupervisionPlan, names: Mapping[str, str]) -> SupervisionPlan:
        body = json.loads(plan.canonical)
        return cls(
            id=plan.id,
            digest=plan.id,
            region=plan.region,
            date=plan.date,
            seed=plan.seed,
            per_institution=int(body["per_institution"]),
            rates=[
                SupervisionRate(class_=SupervisionClass(c), rate=float(r))
                for c, r in sorted(json.loads(plan.rates).items())
            ],
            draws=[
                SupervisionDraw(
                    uscc=d["uscc"],
                    institution_name=names.get(d["uscc"]),
                    class_=SupervisionClass(d["class"]),
                    inspectors=[str(i) for i in d["inspectors"]],
                    shortfall=int(d["shortfall"]),
                )
                for d in body["draws"]
            ],
            canonical_json=plan.canonical,
            created_at=plan.created_at,
        )

    @strawberry.field(
        description="The spot-check results entered for this plan ('one public'), newest "
        "first; like any credit record, the public sees a negative one during its publicity "
        "period."
    )
    async def results(self, info: strawberry.Info[Context, None]) -> list[CreditEvent]:
        results = await info.context.loaders.plan_results.load(self.id)
        return await visible_credit_events(info, results, region=self.region)
