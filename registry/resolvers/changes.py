"""The change feed for partners: keyset on seq, narrowed by entity and region, and a clear
CURSOR_EXPIRED once the log no longer holds what a cursor needs."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

import orjson
import strawberry

from graph import log_models
from graph.log_models import ChangeFilter
from graph.port import GraphStore
from registry.auth import InvalidCredentials, Principal, authenticate, connection_authorization
from registry.context import Context
from registry.domain.permissions import (
    feed_hidden_entities,
    lapsed_credit_hidden,
    may_read_changes,
    may_see_withdrawn_credit_events,
)
from registry.domain.vocabulary import ChangeEntity, Role, change_entity
from registry.schema.changes import Change, ChangeEntityName
from registry.schema.errors import PublicError
from registry.schema.pagination import (
    Connection,
    PageInfo,
    decode_seq_cursor,
    encode_cursor,
    page_size,
)

__all__ = [
    "FOLLOW_BATCH",
    "KEY_RECHECK_SECONDS",
    "SCAN_WINDOW",
    "changes",
    "credit_events_hidden",
    "feed_filter",
    "feed_start",
    "follow_changes",
    "shown",
    "still_kept",
]

Info = strawberry.Info[Context, None]
# A filtered page looks at most this many changes, then ends with a cursor where it stopped,
# so a narrow filter over a long log answers in bounded time.
SCAN_WINDOW = 100_000
MAX_FILTER_ITEMS = 50
# Changes read per store call while a subscription catches up: each batch is decoded in one
# piece of the event loop's time, and a hundred subscriptions catching up at 500 a batch
# held other clients 1.3-1.9 s (twenty-fourth session's review).
FOLLOW_BATCH = 100
KEY_RECHECK_SECONDS = 1.0  # how soon a live subscription notices its key was revoked
_REGION = re.compile(r"^[1-8]\d{5}$")
_ENTITIES = ", ".join(e.value for e in ChangeEntity)


async def feed_filter(
    store: GraphStore,
    principal: Principal,
    entities: Sequence[str] | None,
    regions: Sequence[str] | None,
) -> ChangeFilter:
    """The caller's filter, within its key's scope: a scoped key gets its scope when it asks
    for everything, and OUT_OF_SCOPE when it asks for more. Entities may be named in either
    spelling (``Certificate``, ``CERTIFICATE``). API keys are never in it, nor complaints for
    a caller who may not read them: asked for by name, they are OUT_OF_SCOPE, as an empty
    list is refused, never answered with an empty feed (twenty-fifth session's review)."""
    if len(regions or ()) > MAX_FILTER_ITEMS or len(entities or ()) > MAX_FILTER_ITEMS:
        raise PublicError("TOO_MANY", f"at most {MAX_FILTER_ITEMS} regions and entities")
    if regions is not None and (not regions or not all(_REGION.fullmatch(c) for c in regions)):
        raise PublicError(
            "INVALID_REGION", "regions are six-digit GB/T 2260 codes (leave it out for all)"
        )
    named = None if entities is None else [change_entity(name) for name in entities]
    if named is not None and (not named or None in named):
        raise PublicError(
            "INVALID_ENTITY", f"entities are among {_ENTITIES} (leave it out for all)"
        )
    wanted = None if named is None else tuple(dict.fromkeys(e.value for e in named if e))
    hidden = feed_hidden_entities(principal.role)
    if wanted is not None and (kept := [e for e in wanted if e in hidden]):
        raise PublicError("OUT_OF_SCOPE", f"this key's feed does not carry {', '.join(kept)}")
    if principal.entities is not None:
        if wanted is not None and not set(wanted) <= set(principal.entities):
            covered = ", ".join(principal.entities)
            raise PublicError("OUT_OF_SCOPE", f"this key's feed covers {covered} only")
        wanted = wanted or principal.entities
        if set(wanted) <= set(hidden):  # a key scoped to what its role never reads
            raise PublicError("OUT_OF_SCOPE", "this key's feed carries none of its entities")
    within = None if regions is None else tuple(regions)
    if principal.regions is not None:
        if within is not None and not await _inside(store, within, principal.regions):
            covered = ", ".join(principal.regions)
            raise PublicError("OUT_OF_SCOPE", f"this key's feed covers regions {covered} only")
        within = within or principal.regions
    return ChangeFilter(entities=wanted, regions=within, hidden=hidden)


async def shown(
    store: GraphStore, principal: Principal, today: date, found: Sequence[log_models.Change]
) -> list[log_models.Change]:
    """The changes of ``found`` the caller may see: a credit event no longer public is left
    out for all but oversight, as GraphQL leaves it out (its seq is still passed over)."""
    credit = ChangeEntity.CREDIT_EVENT.value
    events = [c for c in found if c.entity == credit]
    if not events:
        return list(found)
    written = [(c.key, orjson.loads(c.data)) for c in events]
    flags = await credit_events_hidden(store, principal.role, written, today.isoformat())
    hidden = {c.seq for c, flag in zip(events, flags, strict=True) if flag}
    return [change for change in found if change.seq not in hidden]


async def credit_events_hidden(
    store: GraphStore, role: Role, written: Sequence[tuple[str, Mapping[str, object]]], day: str
) -> list[bool]:
    """For each credit event of ``written`` (its id, and its document as a change or a
    snapshot has it), whether ``role`` may not see it on ``day``: past its publicity period
    or repaired, as written or as it stands now (a repair recorded since hides the entries
    written before it too). Never for oversight."""
    if may_see_withdrawn_credit_events(role) or not written:
        return [False] * len(written)
    credit = ChangeEntity.CREDIT_EVENT.value
    found = await store.export_docs(credit, sorted({key for key, _ in written}))
    now = {d.key for d in found if lapsed_credit_hidden(role, credit, d.doc, day)}
    return [key in now or lapsed_credit_hidden(role, credit, doc, day) for key, doc in written]


def _window(narrow: ChangeFilter, page: int) -> int:
    """How many seqs one read looks at: a page's worth when only hidden entities are left
    out (the log is gap-free, so that is a bounded index range), else a scan window."""
    return page if narrow.entities is None and narrow.regions is None else SCAN_WINDOW


async def _inside(store: GraphStore, codes: tuple[str, ...], roots: tuple[str, ...]) -> bool:
    """Whether every code is one of ``roots`` or below one (the tree has three levels)."""
    for code in codes:
        current: str | None = code
        for _ in range(3):
            if current is None or current in roots:
                break
            found = await store.get_regions([current])
            current = found[0].parent if found else None
        if current not in roots:
            return False
    return True


async def feed_start(store: GraphStore, principal: Principal, start: int) -> int:
    """The seq a feed resumes after; refused when the caller may not read the feed, or when
    changes it would need were pruned."""
    if not may_read_changes(principal.role):
        raise PublicError("NOT_AUTHORIZED", "the change feed is for partners and operators")
    await still_kept(store, start)
    return start


async def still_kept(store: GraphStore, cursor: int) -> None:
    """CURSOR_EXPIRED when changes after ``cursor`` were pruned. Checked again after every
    read, since a prune may run while a page, a stream or a subscription is under way."""
    kept_from = (await store.change_log_start()).seq
    if cursor < kept_from:
        raise PublicError(
            "CURSOR_EXPIRED",
            f"changes up to seq {kept_from} are no longer kept: take a fresh snapshot "
            "(GET /export/…) and follow the feed from the seq it was taken at",
        )


async def changes(
    info: Info,
    after: str | None = None,
    first: int | None = 100,
    entities: list[ChangeEntityName] | None = None,
    regions: list[str] | None = None,
) -> Connection[Change]:
    context = info.context
    store, principal = context.store, context.principal
    start = await feed_start(store, principal, decode_seq_cursor(after))
    limit = page_size(first, maximum=context.settings.max_feed_page_size, default=100)
    narrow = await feed_filter(store, principal, _values(entities), regions)
    head = (await store.change_head()).seq
    scan_end = max(start, min(head, start + _window(narrow, limit)))
    found = await store.get_changes(
        after=start, limit=limit + 1, narrow=replace(narrow, up_to=scan_end)
    )
    await still_kept(store, start)
    page = Connection.of(
        found,
        limit=limit,
        key=lambda c: str(c.seq),
        node=Change.of,
        counter=_counter(store, narrow, principal, context.today),
    )
    kept = {c.seq for c in await shown(store, principal, context.today, found)}
    page.edges = [e for e in page.edges if e.node.seq in kept]  # the end cursor stays
    if len(found) <= limit:  # the window ran out first: resume where it ended
        page.page_info = PageInfo(
            has_next_page=scan_end < head, end_cursor=encode_cursor(str(scan_end))
        )
    return page


async def follow_changes(
    info: Info,
    after: str | None = None,
    entities: list[ChangeEntityName] | None = None,
    regions: list[str] | None = None,
) -> AsyncGenerator[Change, None]:
    """Every change after the cursor, then each new one as it is written; a client that
    reconnects with the last ``cursor`` it saw misses nothing and sees nothing twice."""
    store, principal = info.context.store, info.context.principal
    start = await feed_start(store, principal, decode_seq_cursor(after))
    narrow = await feed_filter(store, principal, _values(entities), regions)
    poll = info.context.settings.change_poll_seconds
    cursor = start
    # At once, then every KEY_RECHECK_SECONDS: the principal was read when the socket
    # opened, and a key revoked since must not start another subscription on it.
    checked = time.monotonic() - KEY_RECHECK_SECONDS
    while True:
        if time.monotonic() - checked >= KEY_RECHECK_SECONDS:
            await _key_still_valid(store, info.context.connection_params)
            checked = time.monotonic()
        head = (await store.change_head()).seq
        if head <= cursor:
            await asyncio.sleep(poll)
            continue
        scan_end = min(head, cursor + _window(narrow, FOLLOW_BATCH))
        found = await store.get_changes(
            after=cursor, limit=FOLLOW_BATCH, narrow=replace(narrow, up_to=scan_end)
        )
        next_cursor = found[-1].seq if len(found) == FOLLOW_BATCH else scan_end
        await still_kept(store, cursor)  # a prune under way would leave a silent gap
        for change in await shown(store, principal, info.context.day_now(), found):
            yield Change.of(change)
            # A turn for everyone else between two changes: a batch of 500 went out in one
            # go, and a few subscriptions catching up held other clients over a second.
            await asyncio.sleep(0)
        cursor = next_cursor


async def _key_still_valid(store: GraphStore, params: dict[str, object] | None) -> None:
    """A live subscription ends (UNAUTHENTICATED) once its key is revoked or expires, as the
    key's next request would be refused."""
    try:
        await authenticate(store, connection_authorization(params))
    except InvalidCredentials as exc:
        raise PublicError("UNAUTHENTICATED", str(exc)) from exc


def _values(entities: list[ChangeEntityName] | None) -> list[str] | None:
    return None if entities is None else [e.value for e in entities]


def _counter(
    store: GraphStore, narrow: ChangeFilter, principal: Principal, today: date
) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        """The kept changes that match and are shown, the same on every page (credit
        events are few: those no longer public are read and taken off)."""
        kept_from = (await store.change_log_start()).seq
        matching = await store.count_changes(after=kept_from, narrow=narrow)
        credit = ChangeEntity.CREDIT_EVENT.value
        if narrow.entities is not None and credit not in narrow.entities:
            return matching
        events = await store.get_changes(
            after=kept_from,
            limit=matching,
            narrow=replace(narrow, entities=(credit,)),
        )
        return matching - (len(events) - len(await shown(store, principal, today, events)))

    return count
