"""The change feed for partners: keyset on seq, narrowed by entity and region, and a clear
CURSOR_EXPIRED once the log no longer holds what a cursor needs."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import replace
from enum import StrEnum

import strawberry

from graph.models import ChangeFilter
from graph.port import GraphStore
from registry.context import Context
from registry.domain.permissions import may_read_changes
from registry.schema.changes import Change
from registry.schema.errors import PublicError
from registry.schema.pagination import Connection, PageInfo, decode_cursor, encode_cursor, page_size

__all__ = [
    "FOLLOW_BATCH",
    "SCAN_WINDOW",
    "ChangeEntity",
    "changes",
    "feed_filter",
    "feed_start",
    "follow_changes",
]

Info = strawberry.Info[Context, None]
# A filtered page looks at most this many changes, then ends with a cursor where it stopped,
# so a narrow filter over a long log answers in bounded time.
SCAN_WINDOW = 100_000
FOLLOW_BATCH = 500  # changes read per store call while a subscription catches up
_REGION = re.compile(r"^[1-8]\d{5}$")


@strawberry.enum(description="What a change is about.")
class ChangeEntity(StrEnum):
    REGION = "Region"
    INSTITUTION = "Institution"
    ORGANIZATION = "Organization"
    ACCREDITATION = "Accreditation"
    CERTIFICATE = "Certificate"
    COMPLAINT = "Complaint"
    CREDIT_RATING = "CreditRating"
    CREDIT_EVENT = "CreditEvent"
    SERVICE_EVALUATION = "ServiceEvaluation"
    SUPERVISION_PLAN = "SupervisionPlan"
    API_KEY = "ApiKey"


def feed_filter(
    entities: list[ChangeEntity] | None, regions: list[str] | None
) -> ChangeFilter | None:
    if regions is not None and not all(_REGION.fullmatch(code) for code in regions):
        raise PublicError("INVALID_REGION", "regions are six-digit GB/T 2260 codes")
    if entities is None and regions is None:
        return None
    return ChangeFilter(
        entities=None if entities is None else tuple(e.value for e in entities),
        regions=None if regions is None else tuple(regions),
    )


async def feed_start(info: Info, after: str | None) -> int:
    """The seq a feed resumes after; refused when the caller may not read the feed, or when
    changes it would need were pruned."""
    if not may_read_changes(info.context.principal.role):
        raise PublicError("NOT_AUTHORIZED", "the change feed is for partners and operators")
    cursor = decode_cursor(after)
    if cursor is not None and not cursor.isdigit():
        raise PublicError("INVALID_CURSOR", "not a change-feed cursor")
    start = int(cursor or 0)
    kept_from = (await info.context.store.change_log_start()).seq
    if start < kept_from:
        raise PublicError(
            "CURSOR_EXPIRED",
            f"changes up to seq {kept_from} are no longer kept: take a fresh snapshot "
            "(GET /export/…) and follow the feed from the seq it was taken at",
        )
    return start


async def changes(
    info: Info,
    after: str | None = None,
    first: int | None = 100,
    entities: list[ChangeEntity] | None = None,
    regions: list[str] | None = None,
) -> Connection[Change]:
    context = info.context
    start = await feed_start(info, after)
    limit = page_size(first, maximum=context.settings.max_page_size, default=100)
    narrow = feed_filter(entities, regions)
    store = context.store
    if narrow is None:
        found = await store.get_changes(after=start, limit=limit + 1)
        return Connection.of(
            found, limit=limit, key=lambda c: str(c.seq), node=Change.of, counter=_counter(store)
        )
    head = (await store.change_head()).seq
    scan_end = min(head, start + SCAN_WINDOW)
    found = await store.get_changes(
        after=start, limit=limit + 1, narrow=replace(narrow, up_to=scan_end)
    )
    counter = _counter(store, narrow)
    if len(found) > limit:
        return Connection.of(
            found, limit=limit, key=lambda c: str(c.seq), node=Change.of, counter=counter
        )
    page = Connection.of(
        found, limit=limit, key=lambda c: str(c.seq), node=Change.of, counter=counter
    )
    page.page_info = PageInfo(
        has_next_page=scan_end < head, end_cursor=encode_cursor(str(scan_end))
    )
    return page


async def follow_changes(
    info: Info,
    after: str | None = None,
    entities: list[ChangeEntity] | None = None,
    regions: list[str] | None = None,
) -> AsyncGenerator[Change, None]:
    """Every change after the cursor, then each new one as it is written; a client that
    reconnects with the last ``cursor`` it saw misses nothing and sees nothing twice."""
    start = await feed_start(info, after)
    narrow = feed_filter(entities, regions) or ChangeFilter()
    store = info.context.store
    poll = info.context.settings.change_poll_seconds
    cursor = start
    while True:
        head = (await store.change_head()).seq
        if head <= cursor:
            await asyncio.sleep(poll)
            continue
        scan_end = min(head, cursor + SCAN_WINDOW)
        found = await store.get_changes(
            after=cursor, limit=FOLLOW_BATCH, narrow=replace(narrow, up_to=scan_end)
        )
        for change in found:
            yield Change.of(change)
        cursor = found[-1].seq if len(found) == FOLLOW_BATCH else scan_end


def _counter(store: GraphStore, narrow: ChangeFilter | None = None) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        """The kept changes that match, the same on every page."""
        kept_from = (await store.change_log_start()).seq
        if narrow is None:
            return (await store.change_head()).seq - kept_from
        return await store.count_changes(after=kept_from, narrow=narrow)

    return count
