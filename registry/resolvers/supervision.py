"""Supervision plans: draw one for a region (regulators), read the published plans (anyone)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Self

import strawberry
from pydantic import Field, model_validator

from graph import models
from graph.changelog import utc_now
from graph.errors import Conflict
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.context import Context
from registry.domain.supervision import (
    Inspector,
    PlanInstitution,
    SupervisionClass,
    draw_supervision_plan,
)
from registry.operations import writes
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.supervision import fair_draw, supervision_classes
from registry.operations.write_access import authorize_rows, region_claim
from registry.records import FieldProblem, Record
from registry.records.base import RegionCode, Uscc, refuse
from registry.resolvers.input_records import validated
from registry.resolvers.mutations import refusal_payload
from registry.resolvers.queries import region_code_checked
from registry.schema.pagination import page_size
from registry.schema.payloads import (
    DrawSupervisionPlanPayload,
    DrawSupervisionPlanSuccess,
    WriteReceipt,
)
from registry.schema.supervision import SupervisionPlan, SupervisionPlanInput

__all__ = ["MAX_PLANS", "draw_plan", "supervision_plans"]

Info = strawberry.Info[Context, None]
MAX_PLANS = 50

_Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class _InspectorRecord(Record):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
    employer: Uscc | None = None
    group: Uscc | None = None


class _RatesRecord(Record):
    a: _Rate | None = None
    b: _Rate | None = None
    c: _Rate | None = None
    d: _Rate | None = None
    unrated: _Rate | None = None

    def chosen(self) -> dict[SupervisionClass, float]:
        given = {
            SupervisionClass.A: self.a,
            SupervisionClass.B: self.b,
            SupervisionClass.C: self.c,
            SupervisionClass.D: self.d,
            SupervisionClass.UNRATED: self.unrated,
        }
        return {c: r for c, r in given.items() if r is not None}


class _PlanRecord(Record):
    region: RegionCode
    date: dt.date
    seed: int | None = None
    rates: _RatesRecord | None = None
    per_institution: Annotated[int, Field(ge=1, le=5)] = 2
    inspectors: Annotated[list[_InspectorRecord], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _unique_inspectors(self) -> Self:
        ids = [i.id for i in self.inspectors]
        if len(set(ids)) != len(ids):
            raise refuse("DUPLICATE_IN_BATCH", "each inspector may appear once", field="inspectors")
        return self


async def _plan_institutions(
    store: GraphStore, region: str, day: dt.date, *, today: dt.date
) -> list[PlanInstitution]:
    """Every supervised institution of ``region`` and its sub-regions, with its group and
    class on the plan's day (regulators, accreditation bodies, associations and groups are
    never drawn)."""
    listed: list[models.Institution] = []
    after: str | None = None
    query = models.InstitutionQuery(region=region)
    while True:
        page = await store.list_institutions(query, after=after, limit=MAX_WRITE_BATCH)
        listed += page
        if len(page) < MAX_WRITE_BATCH:
            break
        after = page[-1].uscc
    classes = await supervision_classes(store, [i.uscc for i in listed], day, today=today)
    return [PlanInstitution(i.uscc, classes[i.uscc], i.group) for i in listed if i.uscc in classes]


def _draws(plan: models.SupervisionPlan) -> list[dict[str, Any]]:
    draws: list[dict[str, Any]] = json.loads(plan.canonical)["draws"]
    return draws


def _previous(plans: Sequence[models.SupervisionPlan]) -> dict[str, frozenset[str]]:
    """Who was sent where by the latest earlier plan."""
    if not plans:
        return {}
    return {str(d["uscc"]): frozenset(str(i) for i in d["inspectors"]) for d in _draws(plans[0])}


async def _refuse_drawn(store: GraphStore, overlapping: Sequence[str], day: dt.date) -> None:
    """ALREADY_DRAWN before the classes are read, not only when the plan is stored: fifteen
    aliased draws of a region drawn that day classified the province fifteen times, 7.6 s
    of CPU a request, to be refused (twenty-fifth session's review). The store's check,
    made as the plan is written, still decides a race."""
    if not overlapping:  # ADMIN's archives: the store decides
        return
    province = f"{overlapping[0][:2]}0000"  # every overlapping region lies in one province
    for plan in await store.get_supervision_plans(province, limit=MAX_PLANS):
        if plan.date == day and plan.region in overlapping:
            message = f"{plan.region} was drawn on {day}"
            raise Refusal(
                RefusalKind.CONFLICT, [FieldProblem("ALREADY_DRAWN", message, "input.date")]
            )


async def _names(store: GraphStore, usccs: Iterable[str]) -> dict[str, str]:
    keys = sorted(set(usccs))
    return {i.uscc: i.name for i in await store.get_institutions(keys)} if keys else {}


async def draw_plan(info: Info, input: SupervisionPlanInput) -> DrawSupervisionPlanPayload:
    """Draw institutions per class at its rate and inspectors for each, publish the plan."""
    context = info.context
    store = context.store
    try:
        writes.authorize(context.principal, "drawSupervisionPlan")
        record = validated(_PlanRecord, input)
        if not await store.get_regions([record.region]):
            raise Refusal(
                RefusalKind.NOT_FOUND,
                [FieldProblem("NOT_FOUND", f"unknown region {record.region}", "input.region")],
            )
        await authorize_rows(
            store,
            context.principal,
            "drawSupervisionPlan",
            functools.partial(region_claim, "input.region", record.region),
        )
        rates = {} if record.rates is None else record.rates.chosen()
        fair = await fair_draw(
            store,
            context.principal,
            record.region,
            record.date,
            record.seed,
            rates=rates,
            today=context.today,
        )
        await _refuse_drawn(store, fair.alone_in, record.date)
        institutions = await _plan_institutions(
            store, record.region, record.date, today=context.today
        )
        earlier = await store.get_supervision_plans(record.region, before=record.date, limit=1)
        plan = draw_supervision_plan(
            institutions,
            [Inspector(i.id, i.employer, i.group) for i in record.inspectors],
            seed=fair.seed,
            rates=rates,
            per_institution=record.per_institution,
            previous=_previous(earlier),
        )
        stored = models.SupervisionPlan(
            id=plan.digest,
            region=record.region,
            date=record.date,
            seed=fair.seed,
            rates=json.dumps(
                {str(c): r for c, r in plan.rates}, sort_keys=True, separators=(",", ":")
            ),
            canonical=plan.canonical_json(),
            created_at=utc_now(),
        )
        try:
            result = await store.store_supervision_plan(
                stored, actor=context.principal.actor, alone_in=fair.alone_in
            )
        except Conflict as exc:  # another plan of the day, landed first
            raise Refusal(
                RefusalKind.CONFLICT, [FieldProblem("ALREADY_DRAWN", str(exc), "input.date")]
            ) from exc
    except Refusal as refusal:
        return refusal_payload(refusal)
    names = await _names(store, (d.uscc for d in plan.draws))
    return DrawSupervisionPlanSuccess(
        plan=SupervisionPlan.of(stored, names), receipt=WriteReceipt.of(result)
    )


async def supervision_plans(
    info: Info, region: str, first: int | None = 10
) -> list[SupervisionPlan]:
    """Published plans covering ``region``, newest first."""
    region_code_checked(region)
    limit = page_size(first, maximum=MAX_PLANS, default=10)
    store = info.context.store
    plans = await store.get_supervision_plans(region, limit=limit)
    names = await _names(store, (str(d["uscc"]) for p in plans for d in _draws(p)))
    return [SupervisionPlan.of(p, names) for p in plans]
