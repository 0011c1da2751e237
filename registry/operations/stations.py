"""Station catalogues, station performance and service benchmarks, for GraphQL, the seeds
and the CLI alike (DB2101/T 0050-2022; the SAMR service-benchmark programme)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from graph.log_models import IdempotencyClaim, WriteResult
from graph.port import GraphStore
from graph.station_models import Benchmark, ServiceStation
from registry.auth import Principal
from registry.domain.satisfaction import SATISFACTION_WINDOW_DAYS
from registry.domain.stations import StageTally
from registry.domain.vocabulary import InstitutionKind
from registry.operations.credit import counted, satisfaction_of
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.write_access import authorize_rows, region_claim, station_claims
from registry.operations.writes import write_batch
from registry.records import FieldProblem
from registry.records.stations import BenchmarkRecord, StationRecord

__all__ = [
    "StationPerformance",
    "benchmark_id",
    "designate_benchmark",
    "station_model",
    "station_performance",
    "upsert_stations",
]


def station_model(record: StationRecord) -> ServiceStation:
    return ServiceStation(
        uscc=record.uscc,
        services=tuple(s.category.value for s in record.services),
        routes=tuple(f"{s.category.value}:{p}" for s in record.services for p in s.providers),
        staff_roles=tuple(s.role.value for s in record.staff),
        staff_names=tuple(s.name or "" for s in record.staff),
        completion_days=record.completion_days,
    )


async def _require_stations(store: GraphStore, records: Sequence[StationRecord]) -> None:
    """A catalogue belongs to an institution registered as a station (unknown ones are left
    to the store, which reports them NOT_FOUND)."""
    kinds = {i.uscc: i.kinds for i in await store.get_institutions([r.uscc for r in records])}
    problems = [
        FieldProblem(
            "INVALID_VALUE",
            f"{r.uscc} is not a one-stop quality service station",
            f"input[{n}].uscc",
        )
        for n, r in enumerate(records)
        if r.uscc in kinds and InstitutionKind.QUALITY_SERVICE_STATION not in kinds[r.uscc]
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def upsert_stations(
    store: GraphStore,
    principal: Principal,
    records: Sequence[StationRecord],
    *,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    """Write catalogues and staff; a station writes its own, a regulator those it covers."""
    await authorize_rows(
        store, principal, "upsertStations", functools.partial(station_claims, store, records)
    )
    await _require_stations(store, records)
    models = [station_model(r) for r in records]
    return await write_batch(
        records,
        lambda guard: store.upsert_stations(models, actor=principal.actor, guard=guard),
        key=lambda r: r.uscc,
        idempotency=idempotency,
        references={"uscc": ("Institution", lambda r: r.uscc)},
    )


@dataclass(frozen=True, slots=True)
class StationPerformance:
    """A station's record over a window: its request tally and its satisfaction index."""

    first_day: date
    last_day: date
    tally: StageTally
    satisfaction: float | None
    surveys: int
    awaiting_confirmation: int  # requesters' forms the regulator has not confirmed yet
    requests_awaiting_confirmation: int  # requests whose stages do not count yet


async def station_performance(
    store: GraphStore, usccs: Sequence[str], today: date, *, days: int = SATISFACTION_WINDOW_DAYS
) -> dict[str, StationPerformance]:
    """Time-limit compliance and satisfaction over the ``days`` up to ``today``: the same
    window and figures the credit score reads."""
    since = date.fromordinal(max(1, today.toordinal() - (days - 1)))  # asOf may be year one
    tallies = await store.get_request_tallies(
        list(usccs), since=since.isoformat(), today=today.isoformat()
    )
    evaluations = await store.get_service_evaluations_of(
        list(usccs), since=since.isoformat(), until=today.isoformat()
    )
    found: dict[str, StationPerformance] = {}
    for t in tallies:
        own = [v for v in evaluations if v.institution == t.uscc]
        counting = counted(own, today)
        found[t.uscc] = StationPerformance(
            since,
            today,
            StageTally(t.requests, t.done, t.met, t.late, t.overdue, t.rejected),
            satisfaction_of(counting),
            sum(1 for v in counting if v.kind == "SURVEY"),
            len(own) - len(counting),
            t.unconfirmed,
        )
    return found


def benchmark_id(record: BenchmarkRecord) -> str:
    return f"BM-{record.year}-{record.category.value}-{record.uscc}"


async def designate_benchmark(
    store: GraphStore, principal: Principal, record: BenchmarkRecord, *, today: date
) -> tuple[Benchmark, WriteResult]:
    """A regulator marks a service benchmark in its jurisdiction (the subject: a certified
    enterprise or an institution, as registered)."""
    organizations = await store.get_organizations([record.uscc])
    institutions = [] if organizations else await store.get_institutions([record.uscc])
    subject = (organizations or institutions or [None])[0]
    if subject is None:
        raise Refusal(
            RefusalKind.NOT_FOUND,
            [
                FieldProblem(
                    "NOT_FOUND", f"no organization or institution {record.uscc}", "input.uscc"
                )
            ],
        )
    await authorize_rows(
        store,
        principal,
        "designateBenchmark",
        functools.partial(region_claim, "input.uscc", subject.region),
    )
    benchmark = Benchmark(
        id=benchmark_id(record),
        uscc=record.uscc,
        category=record.category.value,
        year=record.year,
        criteria=record.criteria,
        designated_on=today,
        designated_by=principal.actor,
        name=subject.name,
        region=subject.region,
    )
    result = await store.designate_benchmarks([benchmark], actor=principal.actor)
    return benchmark, result
