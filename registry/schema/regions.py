"""Regions (GB/T 2260) and their statistics."""

from __future__ import annotations

import asyncio

import strawberry

from graph import models
from registry.context import Context
from registry.domain.region_trends import YearFigures, year_over_year
from registry.domain.vocabulary import RegionLevel

__all__ = ["Region", "RegionStatistics", "YearOverYear"]


@strawberry.type(
    description="A calendar year of a region, its sub-regions included: stocks at the "
    "year's end (on the day asked about for the current year), flows within it."
)
class YearOverYear:
    year: int
    institutions: int = strawberry.field(
        description="Institutions registered (founded, else first recorded) by the year's "
        "end and not revoked or closed then."
    )
    valid_certificates: int = strawberry.field(
        description="Certificates valid on 31 December (issued, not expired, status VALID "
        "as in force on that day)."
    )
    certificates_issued: int = strawberry.field(description="Certificates issued in the year.")
    growth: float | None = strawberry.field(
        description="Relative change of validCertificates on the year before (0.153 is "
        "+15.3 %); null for the first year or from zero."
    )
    institution_growth: float | None = strawberry.field(
        description="Relative change of institutions on the year before; null likewise."
    )

    @classmethod
    def of(cls, figures: YearFigures) -> YearOverYear:
        return cls(
            year=figures.year,
            institutions=figures.institutions,
            valid_certificates=figures.valid_certificates,
            certificates_issued=figures.certificates_issued,
            growth=figures.growth,
            institution_growth=figures.institution_growth,
        )


@strawberry.type(description="Counts for a region, its sub-regions included.")
class RegionStatistics:
    code: strawberry.Private[str]
    # Today's counts scan the region's certificates: read once, and only when asked for.
    counts: strawberry.Private[asyncio.Task[models.RegionStatistics] | None] = None

    async def _counts(self, info: strawberry.Info[Context, None]) -> models.RegionStatistics:
        if self.counts is None:
            self.counts = asyncio.ensure_future(_region_counts(info.context, self.code))
        return await self.counts

    @strawberry.field
    async def institutions(self, info: strawberry.Info[Context, None]) -> int:
        return (await self._counts(info)).institutions

    @strawberry.field
    async def valid_certificates(self, info: strawberry.Info[Context, None]) -> int:
        return (await self._counts(info)).valid_certificates

    @strawberry.field
    async def certified_organizations(self, info: strawberry.Info[Context, None]) -> int:
        return (await self._counts(info)).certified_organizations

    @strawberry.field(
        description="A row per calendar year, from the first with data to the year asked "
        "about, from counters kept on write (not a scan)."
    )
    async def year_over_year(self, info: strawberry.Info[Context, None]) -> list[YearOverYear]:
        today = info.context.today
        months = await info.context.store.region_months(self.code, today=today.isoformat())
        return [YearOverYear.of(row) for row in year_over_year(months, today)]


async def _region_counts(context: Context, code: str) -> models.RegionStatistics:
    rows = await context.store.region_statistics([code], today=context.today.isoformat())
    return rows[0] if rows else models.RegionStatistics(code, 0, 0, 0)


@strawberry.type(description="An administrative division (GB/T 2260 code).")
class Region:
    code: str
    name: str
    level: RegionLevel
    parent_code: strawberry.Private[str | None]

    @classmethod
    def of(cls, model: models.Region) -> Region:
        return cls(
            code=model.code,
            name=model.name,
            level=RegionLevel(model.level),
            parent_code=model.parent,
        )

    @strawberry.field
    async def parent(self, info: strawberry.Info[Context, None]) -> Region | None:
        if self.parent_code is None:
            return None
        found = await info.context.loaders.region.load(self.parent_code)
        return None if found is None else Region.of(found)

    @strawberry.field
    def statistics(self) -> RegionStatistics:
        return RegionStatistics(code=self.code)


async def load_region(info: strawberry.Info[Context, None], code: str) -> Region | None:
    found = await info.context.loaders.region.load(code)
    return None if found is None else Region.of(found)
