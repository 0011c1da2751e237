"""Regions (GB/T 2260) and their statistics."""

from __future__ import annotations

import strawberry

from graph import models
from registry.context import Context
from registry.domain.vocabulary import RegionLevel

__all__ = ["Region", "RegionStatistics"]


@strawberry.type(description="Counts for a region, its sub-regions included.")
class RegionStatistics:
    institutions: int
    valid_certificates: int
    certified_organizations: int


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
    async def statistics(self, info: strawberry.Info[Context, None]) -> RegionStatistics:
        rows = await info.context.store.region_statistics(
            [self.code], today=info.context.today.isoformat()
        )
        counts = rows[0] if rows else models.RegionStatistics(self.code, 0, 0, 0)
        return RegionStatistics(
            institutions=counts.institutions,
            valid_certificates=counts.valid_certificates,
            certified_organizations=counts.certified_organizations,
        )


async def load_region(info: strawberry.Info[Context, None], code: str) -> Region | None:
    found = await info.context.loaders.region.load(code)
    return None if found is None else Region.of(found)
