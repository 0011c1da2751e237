"""Certificate holders: enterprises named after their city and industry."""

from __future__ import annotations

from collections.abc import Iterator

from graph.models import Organization
from registry.synthetic.catalogue import INDUSTRIES
from registry.synthetic.common import BATCH, draw_brand, random_stream
from registry.synthetic.places import PLACE_BY_CODE
from registry.synthetic.roster import Roster

__all__ = ["iter_organization_batches"]


def iter_organization_batches(roster: Roster) -> Iterator[list[Organization]]:
    """Certificate holders: enterprises named after their city and industry."""
    for number, start in enumerate(range(0, roster.organizations, BATCH)):
        rng = random_stream(roster.seed, "organizations", number)
        batch: list[Organization] = []
        for index in range(start, min(start + BATCH, roster.organizations)):
            region = roster.organization_regions[index]
            industry = INDUSTRIES[roster.organization_industries[index]].name
            suffix = rng.choice(("有限公司", "有限公司", "股份有限公司", "集团有限公司"))
            name = f"{PLACE_BY_CODE[region].short}{draw_brand(rng)}{industry}{suffix}"
            batch.append(
                Organization(uscc=roster.organization_usccs[index], name=name, region=region)
            )
        yield batch
