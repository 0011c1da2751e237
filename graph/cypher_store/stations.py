"""Stations for the GraphStore port: catalogues, service requests, their tallies and the
service benchmarks, read and written through the change log."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.cypher import stations as station_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require, as_int
from graph.errors import Conflict
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, to_props
from graph.station_models import (
    CONFIDENTIAL_REQUEST_FIELDS,
    Benchmark,
    RequestTally,
    ServiceRequest,
    ServiceStation,
)

__all__ = ["StationQueries"]

_READ_ONLY = frozenset({"version", "name", "region"})  # counted or read from the institution
_REQUEST_READ_ONLY = frozenset({"version", "region"})
_BENCHMARK_READ = frozenset({"version", "stars", "cpsq"})  # evidence is read, never stored


class StationQueries(abc.ABC):
    """Mixed into CypherStore: station catalogues, service requests, benchmarks."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _logged(
        self,
        name: str,
        statement: str,
        rows: list[Row],
        drafts: list[ChangeDraft],
        *,
        actor: str,
        check: ReferenceCheck | None = None,
        guard: WriteGuard | None = None,
    ) -> WriteResult: ...

    # catalogues ----------------------------------------------------------------------------
    async def upsert_stations(
        self, stations: Sequence[ServiceStation], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        props = [to_props(s, exclude=_READ_ONLY) for s in stations]
        rows: list[Row] = [{"id": s.uscc, "props": p} for s, p in zip(stations, props, strict=True)]
        # Staff names are personal data: the feed carries the roles only.
        drafts = [
            ChangeDraft("ServiceStation", s.uscc, "UPSERT", _without(p, {"staffNames"}))
            for s, p in zip(stations, props, strict=True)
        ]
        providers = {p for s in stations for p in s.providers}

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {s.uscc for s in stations} | providers)

        return await self._logged(
            "upsert_stations",
            station_cypher.UPSERT_STATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def get_stations(self, usccs: Sequence[str]) -> list[ServiceStation]:
        rows = await self._query(
            "get_stations", station_cypher.STATIONS_BY_USCC, {"keys": list(usccs)}
        )
        return [_station(row) for row in rows]

    async def find_stations(
        self, region: str | None, *, service: str | None, limit: int
    ) -> list[ServiceStation]:
        rows = await self._query(
            "find_stations",
            station_cypher.STATIONS_IN,
            {"region": region, "service": service, "limit": limit},
        )
        return [_station(row) for row in rows]

    # service requests ----------------------------------------------------------------------
    async def put_service_requests(
        self, requests: Sequence[ServiceRequest], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Write whole requests. A confidential field left empty keeps what is stored (an
        import carries none of them), so a document without them never erases them."""
        props = [_request_props(r) for r in requests]
        rows: list[Row] = [{"id": r.id, "props": p} for r, p in zip(requests, props, strict=True)]
        drafts = [
            ChangeDraft("ServiceRequest", r.id, "UPSERT", _without(p, CONFIDENTIAL_REQUEST_FIELDS))
            for r, p in zip(requests, props, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {r.station for r in requests})
            stored = await read(station_cypher.REQUESTS_BY_ID, {"keys": [r.id for r in requests]})
            moved = sorted(
                str(row["id"])
                for row in stored
                for r in requests
                if r.id == row["id"] and r.station != row["station"]
            )
            if moved:
                raise Conflict(f"ids already name requests to another station: {moved}")

        return await self._logged(
            "put_service_requests",
            station_cypher.PUT_SERVICE_REQUESTS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def get_service_requests(self, ids: Sequence[str]) -> list[ServiceRequest]:
        rows = await self._query(
            "get_service_requests", station_cypher.REQUESTS_BY_ID, {"keys": list(ids)}
        )
        return [_request(row) for row in rows]

    async def get_station_requests(self, station: str, *, limit: int) -> list[ServiceRequest]:
        rows = await self._query(
            "get_station_requests",
            station_cypher.REQUESTS_OF_STATION,
            {"station": station, "limit": limit},
        )
        return [_request(row) for row in rows]

    async def get_request_tallies(
        self, usccs: Sequence[str], *, since: str, today: str
    ) -> list[RequestTally]:
        rows = await self._query(
            "get_request_tallies",
            station_cypher.REQUEST_TALLIES,
            {"keys": list(usccs), "since": since, "today": today},
        )
        return [
            RequestTally(
                str(row["uscc"]),
                *(as_int(row[c] or 0) for c in _TALLY_COLUMNS),
            )
            for row in rows
        ]

    # benchmarks ----------------------------------------------------------------------------
    async def designate_benchmarks(
        self, benchmarks: Sequence[Benchmark], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        props = [to_props(b, exclude=_BENCHMARK_READ) for b in benchmarks]
        rows: list[Row] = [{"id": b.id, "props": p} for b, p in zip(benchmarks, props, strict=True)]
        drafts = [
            ChangeDraft("Benchmark", b.id, "UPSERT", p)
            for b, p in zip(benchmarks, props, strict=True)
        ]

        async def check(read: Reader) -> None:
            stored = await read(
                station_cypher.BENCHMARK_OWNERS, {"keys": [b.id for b in benchmarks]}
            )
            wanted = {b.id: (b.uscc, b.category, b.year) for b in benchmarks}
            taken = sorted(
                str(row["id"])
                for row in stored
                if (row["uscc"], row["category"], row["year"]) != wanted[str(row["id"])]
            )
            if taken:
                raise Conflict(f"ids already name other benchmarks: {', '.join(taken)}")

        return await self._logged(
            "designate_benchmarks",
            station_cypher.DESIGNATE_BENCHMARKS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def get_benchmarks(
        self, category: str, *, region: str | None, today: str, limit: int
    ) -> list[Benchmark]:
        rows = await self._query(
            "get_benchmarks",
            station_cypher.BENCHMARKS,
            {"category": category, "region": region, "today": today, "limit": limit},
        )
        return [
            from_row(
                Benchmark,
                row,
                year=as_int(row["year"]),
                stars=None if row["stars"] is None else as_int(row["stars"]),
                cpsq=None if row["cpsq"] is None else float(str(row["cpsq"])),
            )
            for row in rows
        ]


_TALLY_COLUMNS = ("requests", "done", "met", "late", "overdue", "unconfirmed", "rejected")


def _without(props: Mapping[str, object], names: frozenset[str] | set[str]) -> dict[str, object]:
    return {k: v for k, v in props.items() if k not in names}


def _request_props(request: ServiceRequest) -> dict[str, object]:
    props = to_props(request, exclude=_REQUEST_READ_ONLY)
    return {
        k: v for k, v in props.items() if not (k in CONFIDENTIAL_REQUEST_FIELDS and v in ("", None))
    }


def _station(row: Row) -> ServiceStation:
    return from_row(
        ServiceStation,
        row,
        completion_days=None if row["completionDays"] is None else as_int(row["completionDays"]),
    )


def _request(row: Row) -> ServiceRequest:
    return from_row(
        ServiceRequest,
        row,
        stages_met=as_int(row["stagesMet"] or 0),
        stages_late=as_int(row["stagesLate"] or 0),
        demand=str(row["demand"] or ""),
        enterprise=str(row["enterprise"] or ""),
        contact=str(row["contact"] or ""),
        token_digest=str(row["tokenDigest"] or ""),
        committed_days=None if row["committedDays"] is None else as_int(row["committedDays"]),
    )
