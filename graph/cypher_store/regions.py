"""Regions for the GraphStore port: read them, their statistics, and upsert them."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.cypher import regions as region_cypher
from graph.cypher_store.base import Row
from graph.dialects import Dialect
from graph.log_models import WriteResult
from graph.mapping import from_row, to_props
from graph.models import Region, RegionStatistics

__all__ = ["RegionQueries"]


class RegionQueries(abc.ABC):
    """Mixed into CypherStore: regions and their statistics."""

    dialect: Dialect

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
    ) -> WriteResult: ...

    async def get_regions(self, codes: Sequence[str] | None = None) -> list[Region]:
        if codes is None:
            rows = await self._query("get_regions", region_cypher.ALL_REGIONS, {})
        else:
            rows = await self._query("get_regions", region_cypher.GET_REGIONS, {"keys": codes})
        return [from_row(Region, row) for row in rows]

    async def region_statistics(
        self, codes: Sequence[str], *, today: str
    ) -> list[RegionStatistics]:
        rows = await self._query(
            "region_statistics",
            self.dialect.region_statistics,
            {"keys": list(codes), "today": today},
        )
        return [from_row(RegionStatistics, row) for row in rows]

    async def upsert_regions(self, regions: Sequence[Region], *, actor: str) -> WriteResult:
        rows = [to_props(region) for region in regions]
        drafts = [ChangeDraft("Region", r.code, "UPSERT", to_props(r)) for r in regions]
        return await self._logged(
            "upsert_regions", region_cypher.UPSERT_REGIONS, rows, drafts, actor=actor
        )
