"""The credit ranking resolver."""

from __future__ import annotations

import strawberry

from graph import models
from registry.context import Context
from registry.domain.vocabulary import InstitutionKind
from registry.resolvers.queries import region_code_checked
from registry.schema.institutions import Institution
from registry.schema.pagination import PageInfo, page_size
from registry.schema.ranking import (
    RankingConnection,
    RankingEdge,
    decode_rank_cursor,
    rank_cursor,
    ranks,
)
from registry.schema.timelines import moment_of

__all__ = ["ranking"]

Info = strawberry.Info[Context, None]


async def ranking(
    info: Info,
    region: str | None = None,
    kind: InstitutionKind | None = None,
    service_category: str | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> RankingConnection:
    context = info.context
    limit = page_size(first, maximum=context.settings.max_page_size)
    if region is not None:
        region_code_checked(region)
    query = models.RankingQuery(
        region=region,
        kind=None if kind is None else kind.value,
        service_category=service_category,
        today=context.today,
    )
    moment = moment_of(info)
    found = await context.store.rank_institutions(
        query, after=decode_rank_cursor(after), limit=limit + 1
    )
    page = found[:limit]
    numbers: list[int] = []
    if page:
        above, tied = await context.store.count_ranked_before(
            query, score=page[0].score, uscc=page[0].institution.uscc
        )
        numbers = ranks(page, above=above, tied_before=tied)
    edges = []
    for item, number in zip(page, numbers, strict=True):
        context.loaders.institution.prime(item.institution.uscc, item.institution)
        edges.append(
            RankingEdge(
                cursor=rank_cursor(item),
                rank=number,
                score=item.score,
                node=Institution.of(item.institution, moment),
            )
        )
    return RankingConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > limit, end_cursor=edges[-1].cursor if edges else None
        ),
    )
