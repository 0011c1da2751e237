"""Per-request DataLoaders: every edge that can fan out costs one store call per batch."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from strawberry.dataloader import DataLoader

from graph import models
from graph.clock import registry_today
from graph.dispute_models import Dispute
from graph.port import GraphStore
from graph.service_models import ServiceAssessment
from registry.domain.credit_score import CreditAssessment
from registry.domain.data_quality import DataQuality
from registry.domain.supervision import ClassDecision
from registry.operations.complaints import ComplaintSummary, complaint_summaries
from registry.operations.credit import assessments
from registry.operations.disputes import data_qualities
from registry.operations.supervision import supervision_decisions

__all__ = ["Loaders"]

T = TypeVar("T")


def _by_key(
    fetch: Callable[[Sequence[str]], Awaitable[list[T]]], key: Callable[[T], str]
) -> DataLoader[str, T | None]:
    async def load(keys: list[str]) -> list[T | None]:
        found = {key(item): item for item in await fetch(keys)}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _grouped(
    fetch: Callable[[Sequence[str]], Awaitable[list[T]]], group: Callable[[T], str]
) -> DataLoader[str, list[T]]:
    async def load(keys: list[str]) -> list[list[T]]:
        groups: dict[str, list[T]] = defaultdict(list)
        for item in await fetch(keys):
            groups[group(item)].append(item)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


@dataclass(frozen=True, slots=True)
class Loaders:
    institution: DataLoader[str, models.Institution | None]
    organization: DataLoader[str, models.Organization | None]
    certificate: DataLoader[str, models.Certificate | None]
    region: DataLoader[str, models.Region | None]
    members: DataLoader[str, list[models.Institution]]
    accreditations: DataLoader[str, list[models.Accreditation]]
    complaints: DataLoader[str, list[models.Complaint]]
    credit_ratings: DataLoader[str, list[models.CreditRating]]
    credit_events: DataLoader[str, list[models.CreditEvent]]
    # (institution, day, withheld: without the records the public no longer sees)
    credit: DataLoader[tuple[str, date, bool], CreditAssessment | None]
    supervision: DataLoader[tuple[str, date, bool], ClassDecision | None]
    complaint_summaries: DataLoader[tuple[str, date], ComplaintSummary]
    plan_results: DataLoader[str, list[models.CreditEvent]]
    evaluations: DataLoader[tuple[str, date, date], list[models.ServiceEvaluation]]
    service_assessment: DataLoader[str, ServiceAssessment | None]
    disputes: DataLoader[str, list[Dispute]]
    data_quality: DataLoader[str, DataQuality | None]

    @classmethod
    def for_request(cls, store: GraphStore, today: date | None = None) -> Loaders:
        day = today or registry_today()

        async def credit(keys: list[tuple[str, date, bool]]) -> list[CreditAssessment | None]:
            found: dict[tuple[str, date, bool], CreditAssessment] = {}
            for (on, held), usccs in _by_view(keys).items():
                scored = await assessments(store, usccs, day, on=on, withheld=held)
                found |= {(u, on, held): a for u, a in scored.items()}
            return [found.get(k) for k in keys]

        async def supervision(keys: list[tuple[str, date, bool]]) -> list[ClassDecision | None]:
            found: dict[tuple[str, date, bool], ClassDecision] = {}
            for (on, held), usccs in _by_view(keys).items():
                decided = await supervision_decisions(store, usccs, on, today=day, withheld=held)
                found |= {(u, on, held): d for u, d in decided.items()}
            return [found.get(k) for k in keys]

        async def data_quality(keys: list[str]) -> list[DataQuality | None]:
            found = await data_qualities(store, keys, day)
            return [found.get(k) for k in keys]

        async def complaint_summary(keys: list[tuple[str, date]]) -> list[ComplaintSummary]:
            found: dict[tuple[str, date], ComplaintSummary] = {}
            for on, usccs in _by_day(keys).items():
                found |= {
                    (u, on): s for u, s in (await complaint_summaries(store, usccs, on)).items()
                }
            return [found[k] for k in keys]

        return cls(
            institution=_by_key(store.get_institutions, lambda i: i.uscc),
            organization=_by_key(store.get_organizations, lambda o: o.uscc),
            certificate=_by_key(store.get_certificates, lambda c: c.number),
            region=_by_key(store.get_regions, lambda r: r.code),
            members=_grouped(store.get_group_members, lambda i: i.group or ""),
            accreditations=_grouped(store.get_accreditations_held, lambda a: a.holder),
            complaints=_grouped(store.get_complaints_against, lambda c: c.against),
            credit_ratings=_grouped(store.get_credit_ratings_of, lambda r: r.institution),
            credit_events=_grouped(store.get_credit_events_of, lambda e: e.institution),
            credit=DataLoader(load_fn=credit),
            supervision=DataLoader(load_fn=supervision),
            complaint_summaries=DataLoader(load_fn=complaint_summary),
            plan_results=_grouped(store.get_plan_results, lambda e: e.plan or ""),
            evaluations=DataLoader(load_fn=functools.partial(_evaluations, store)),
            service_assessment=_by_key(store.get_service_assessments, lambda a: a.certificate),
            disputes=_grouped(store.get_disputes_of, lambda d: d.institution),
            data_quality=DataLoader(load_fn=data_quality),
        )


def _by_view(keys: list[tuple[str, date, bool]]) -> dict[tuple[date, bool], list[str]]:
    """The institutions asked about on each day and view, for one store call each."""
    views: dict[tuple[date, bool], list[str]] = defaultdict(list)
    for uscc, on, held in dict.fromkeys(keys):
        views[(on, held)].append(uscc)
    return views


def _by_day(keys: list[tuple[str, date]]) -> dict[date, list[str]]:
    """The institutions asked about on each day, for one store call per day."""
    days: dict[date, list[str]] = defaultdict(list)
    for uscc, on in dict.fromkeys(keys):
        days[on].append(uscc)
    return days


async def _evaluations(
    store: GraphStore, keys: list[tuple[str, date, date]]
) -> list[list[models.ServiceEvaluation]]:
    """One store call per distinct period asked for in the request."""
    found: dict[tuple[str, date, date], list[models.ServiceEvaluation]] = defaultdict(list)
    for first, last in sorted({(k[1], k[2]) for k in keys}):
        usccs = sorted({k[0] for k in keys if (k[1], k[2]) == (first, last)})
        fetched = await store.get_service_evaluations_of(
            usccs, since=first.isoformat(), until=last.isoformat()
        )
        for evaluation in fetched:
            found[(evaluation.institution, first, last)].append(evaluation)
    return [found.get(k, []) for k in keys]
