"""The credit ranking resolver: supervised institutions, best first, pinned pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry

from graph import models
from registry.context import Context
from registry.domain.credit_score import CreditStatus
from registry.domain.ranking import continue_ranks
from registry.domain.service_categories import PROVIDERS
from registry.domain.vocabulary import InstitutionKind, ServiceCategory
from registry.resolvers.queries import region_code_checked
from registry.schema.errors import PublicError
from registry.schema.institutions import Institution
from registry.schema.pagination import PageInfo, page_size
from registry.schema.ranking import (
    RankCursor,
    RankingConnection,
    RankingEdge,
    cursor_expired,
    filter_digest,
)
from registry.schema.timelines import moment_of

__all__ = ["ranking"]

Info = strawberry.Info[Context, None]


def _query(
    region: str | None,
    kind: InstitutionKind | None,
    category: ServiceCategory | None,
    *,
    include_unrated: bool,
    as_of: int,
    today: date,
) -> models.RankingQuery:
    providers = None if category is None else PROVIDERS[category]
    return models.RankingQuery(
        region=region,
        kind=None if kind is None else kind.value,
        provider_kinds=() if providers is None else tuple(sorted(k.value for k in providers.kinds)),
        scope_standards=() if providers is None else tuple(sorted(providers.standards)),
        include_unrated=include_unrated,
        as_of=as_of,
        today=today,
    )


async def ranking(
    info: Info,
    region: str | None = None,
    kind: InstitutionKind | None = None,
    service_category: ServiceCategory | None = None,
    include_unrated: bool = True,
    first: int | None = 20,
    after: str | None = None,
) -> RankingConnection:
    context = info.context
    limit = page_size(first, maximum=context.settings.max_page_size)
    if region is not None:
        region_code_checked(region)
    now = datetime.now(UTC)
    digest = filter_digest(region, kind, service_category, include_unrated)
    cursor = RankCursor.decode(after, filter=digest, secret=context.settings.secret)
    head = (await context.store.change_head()).seq
    if cursor is None:
        as_of, pinned_at = head, now.timestamp()
    else:
        as_of, pinned_at = cursor.as_of, cursor.pinned_at
        if as_of > head or pinned_at > now.timestamp() + 60:
            raise PublicError("INVALID_CURSOR", "the cursor was not issued by this API")
        # Nothing written since the pin: the scores then are the scores now, kept or not.
        if cursor.outlived(now) and head != as_of:
            raise cursor_expired()
    query = _query(
        region,
        kind,
        service_category,
        include_unrated=include_unrated,
        as_of=as_of,
        today=context.today,
    )
    moment = moment_of(info)
    found = await context.store.rank_institutions(
        query, after=None if cursor is None else (cursor.key, cursor.uscc), limit=limit + 1
    )
    page = found[:limit]
    states = continue_ranks(
        [item.score for item in page], before=None if cursor is None else cursor.state
    )
    edges = []
    for item, state in zip(page, states, strict=True):
        uscc = item.institution.uscc
        context.loaders.institution.prime(uscc, item.institution)
        edges.append(
            RankingEdge(
                cursor=RankCursor(as_of, pinned_at, digest, uscc, item.sort, state).encode(
                    context.settings.secret
                ),
                rank=state.rank,
                score=item.score,
                status=CreditStatus.UNRATED if item.score is None else CreditStatus.RATED,
                node=Institution.of(item.institution, moment),
            )
        )
    return RankingConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > limit, end_cursor=edges[-1].cursor if edges else None
        ),
        as_of=as_of,
        counter=lambda: context.store.count_ranked(query),
    )
