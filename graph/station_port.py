"""The stations' part of the GraphStore port: one-stop quality service stations
(DB2101/T 0050-2022), the service requests they route and the benchmarks designated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from graph.log_models import WriteGuard, WriteResult
from graph.station_models import Benchmark, RequestTally, ServiceRequest, ServiceStation

__all__ = ["StationStore"]


class StationStore(Protocol):
    """Stations' catalogues, their requests and the benchmarks."""

    async def upsert_stations(
        self, stations: Sequence[ServiceStation], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Write stations' catalogues and staff (their institutions and the providers they
        route to must exist: NotFound)."""

    async def get_stations(self, usccs: Sequence[str]) -> list[ServiceStation]:
        """The named stations' catalogues (those that have one)."""

    async def find_stations(
        self, region: str | None, *, service: str | None, limit: int
    ) -> list[ServiceStation]:
        """Stations in ``region`` or its sub-regions (anywhere when None) offering ``service``
        (any when None)."""

    async def put_service_requests(
        self, requests: Sequence[ServiceRequest], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Write whole service requests; the feed carries them without confidential fields."""

    async def get_service_requests(self, ids: Sequence[str]) -> list[ServiceRequest]:
        """The named requests (those that exist)."""

    async def get_station_requests(self, station: str, *, limit: int) -> list[ServiceRequest]:
        """A station's requests, newest first."""

    async def get_request_tallies(
        self, usccs: Sequence[str], *, since: str, today: str
    ) -> list[RequestTally]:
        """Each named institution's requests submitted in ``[since, today]``, counted."""

    async def designate_benchmarks(
        self, benchmarks: Sequence[Benchmark], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Keep designated service benchmarks (an id keeps its subject, category and year)."""

    async def get_benchmarks(
        self, category: str, *, region: str | None, today: str, limit: int
    ) -> list[Benchmark]:
        """Benchmarks of ``category`` (in ``region`` and below, when given), newest year
        first, with the best service certificate stars their subject holds on ``today``."""
