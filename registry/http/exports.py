"""Bulk NDJSON for partners, with the same authorisation, scopes and CURSOR_EXPIRED as the
``changes`` feed.

- ``GET /export/changes.ndjson?after=SEQ``: the change log, one change a line, up to the head
  as it was when the request arrived; the last line's ``seq`` is where to resume. One
  streamed response instead of a thousand GraphQL pages.
- ``GET /export/{Entity}.ndjson?asOf=SEQ``: a snapshot, one document a line, exact at
  ``asOf`` (default: the head, sent as ``X-Registry-As-Of``); with ``changedAfter=SEQ``
  only the entities changed in between (a delta of documents).

Should the log be pruned past a stream while it runs, the stream ends with one line
``{"error": {..., "extensions": {"code": "CURSOR_EXPIRED"}}}`` instead of skipping anything;
should the store become unavailable, with ``STORE_UNAVAILABLE`` (before the stream starts,
the answer is a 503).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from graph.cypher.exports import EXPORTED
from graph.errors import BackendUnavailable
from graph.export_lines import LinePage
from graph.log_models import Change, ChangeFilter
from graph.port import GraphStore
from registry.auth import InvalidCredentials, Principal, authenticate
from registry.domain.regions import regions_below
from registry.domain.vocabulary import ChangeEntity, change_entity
from registry.http.responses import error_response
from registry.http.runtime import client_address
from registry.operations.snapshots import SnapshotExpired, snapshot
from registry.resolvers.changes import (
    credit_events_hidden,
    feed_filter,
    feed_start,
    shown,
    still_kept,
)
from registry.schema.errors import STORE_UNAVAILABLE_MESSAGE
from registry.schema.pagination import seq_from_text

if TYPE_CHECKING:
    from registry.http.runtime import Runtime

__all__ = ["EXPORT_PAGE", "routes"]

EXPORT_PAGE = 1000
_STATUS = {"NOT_AUTHORIZED": 403, "CURSOR_EXPIRED": 410, "OUT_OF_SCOPE": 403}


def routes() -> list[Route]:
    return [
        Route("/export/changes.ndjson", export_changes, methods=["GET"]),
        Route("/export/{entity}.ndjson", export_snapshot, methods=["GET"]),
    ]


def _listed(request: Request, name: str) -> list[str] | None:
    value = request.query_params.get(name)
    return None if value is None else [item for item in value.split(",") if item]


def _seq(request: Request, name: str) -> int | None:
    """A whole-number query parameter, None when absent; ValueError when malformed."""
    value = request.query_params.get(name)
    if value is None:
        return None
    seq = seq_from_text(value)
    if seq is None:
        raise ValueError(f"{name} is a change seq (a whole number)")
    return seq


def _refused(refusal: GraphQLError) -> Response:
    code = str((refusal.extensions or {}).get("code", "BAD_REQUEST"))
    return error_response(_STATUS.get(code, 400), code, refusal.message)


async def _caller(request: Request) -> Principal | Response:
    """The authenticated caller within its request allowance, or the refusal to send."""
    runtime: Runtime = request.app.state.runtime
    try:
        principal = await authenticate(runtime.open_store, request.headers.get("authorization"))
    except InvalidCredentials as exc:
        return error_response(401, "UNAUTHENTICATED", str(exc))
    limited = runtime.over_limit(client_address(request), principal)
    return principal if limited is None else limited


async def export_changes(request: Request) -> Response:
    store = request.app.state.runtime.open_store
    principal = await _caller(request)
    if isinstance(principal, Response):
        return principal
    try:
        after = _seq(request, "after") or 0
    except ValueError as exc:
        return error_response(400, "INVALID_CURSOR", str(exc))
    try:
        start = await feed_start(store, principal, after)
        narrow = await feed_filter(
            store, principal, _listed(request, "entities"), _listed(request, "regions")
        )
    except GraphQLError as refusal:
        return _refused(refusal)
    head = (await store.change_head()).seq
    visible = functools.partial(shown, store, principal, request.app.state.runtime.today())
    return StreamingResponse(
        _lines(store, start, head, narrow, visible),
        media_type="application/x-ndjson",
        headers={"X-Registry-Head-Seq": str(head)},
    )


async def _lines(
    store: GraphStore,
    start: int,
    head: int,
    narrow: ChangeFilter,
    visible: Callable[[list[Change]], Awaitable[list[Change]]],
) -> AsyncIterator[bytes]:
    """Pages of the log up to ``head`` (gap-free seq ranges, or filtered windows of them); the
    next page is fetched while this one is encoded, so the database and Python overlap."""

    def fetch(cursor: int) -> asyncio.Task[list[Change]]:
        end = min(head, cursor + EXPORT_PAGE)
        return asyncio.ensure_future(
            store.get_changes(after=cursor, limit=EXPORT_PAGE, narrow=replace(narrow, up_to=end))
        )

    cursor = start
    pending = fetch(cursor) if cursor < head else None
    try:
        while pending is not None:
            try:
                found = await pending
                await still_kept(store, cursor)
            except GraphQLError as expired:  # pruned mid-stream: say so rather than skip
                yield orjson.dumps({"error": expired.formatted}) + b"\n"
                return
            except BackendUnavailable:
                yield _unavailable_line()
                return
            cursor = min(head, cursor + EXPORT_PAGE)
            pending = fetch(cursor) if cursor < head else None
            found = await visible(found)
            if found:
                yield b"".join(orjson.dumps(change) + b"\n" for change in found)
    finally:
        if pending is not None:
            pending.cancel()


async def export_snapshot(request: Request) -> Response:
    store = request.app.state.runtime.open_store
    named = change_entity(request.path_params["entity"])  # Certificate (or CERTIFICATE)
    entity = "" if named is None else named.value
    if entity not in EXPORTED:
        exported = ", ".join(EXPORTED)
        return error_response(404, "NOT_FOUND", f"snapshots are exported for {exported}")
    principal = await _caller(request)
    if isinstance(principal, Response):
        return principal
    try:
        as_of = _seq(request, "asOf")
        changed_after = _seq(request, "changedAfter")
    except ValueError as exc:
        return error_response(400, "INVALID_CURSOR", str(exc))
    head = (await store.change_head()).seq
    as_of = head if as_of is None else as_of
    try:
        await feed_start(store, principal, as_of if changed_after is None else changed_after)
        narrow = await feed_filter(store, principal, [entity], _listed(request, "regions"))
    except GraphQLError as refusal:
        return _refused(refusal)
    if as_of > head or (changed_after is not None and changed_after > as_of):
        return error_response(400, "INVALID_CURSOR", f"asOf is at most the head ({head})")
    within = None
    if narrow.regions is not None:
        within = regions_below(await store.get_regions(), narrow.regions)
    pages = snapshot(store, entity, as_of=as_of, regions=within, changed_after=changed_after)
    day = request.app.state.runtime.today().isoformat()

    async def hidden(docs: list[dict[str, object]]) -> frozenset[str]:
        """Credit events no longer public, as the snapshot has them or as they stand now."""
        if entity != ChangeEntity.CREDIT_EVENT.value:
            return frozenset()
        ids = [str(d.get("id")) for d in docs]
        written = list(zip(ids, docs, strict=True))
        flags = await credit_events_hidden(store, principal.role, written, day)
        return frozenset(i for i, flag in zip(ids, flags, strict=True) if flag)

    return StreamingResponse(
        _document_lines(pages, hidden),
        media_type="application/x-ndjson",
        headers={"X-Registry-As-Of": str(as_of)},
    )


async def _document_lines(
    pages: AsyncIterator[LinePage],
    hidden: Callable[[list[dict[str, object]]], Awaitable[frozenset[str]]],
) -> AsyncIterator[bytes]:
    """The snapshot's documents but the ``hidden`` ones (credit events no longer public,
    for all but oversight); the next page is read while this one is sent."""
    pending = asyncio.ensure_future(anext(pages, None))
    try:
        while True:
            try:
                page = await pending
            except SnapshotExpired as expired:
                error = {"message": str(expired), "extensions": {"code": "CURSOR_EXPIRED"}}
                yield orjson.dumps({"error": error}) + b"\n"
                return
            except BackendUnavailable:
                yield _unavailable_line()
                return
            if page is None:
                return
            pending = asyncio.ensure_future(anext(pages, None))
            text = await _without(page.text, hidden)
            if text:
                yield text
    finally:
        pending.cancel()


async def _without(
    text: bytes, hidden: Callable[[list[dict[str, object]]], Awaitable[frozenset[str]]]
) -> bytes:
    """The page's lines but those of the ``hidden`` ids; parsed only when they are credit
    events (no other document has a publicity period)."""
    if b'"publicUntil"' not in text:
        return text
    lines = text.splitlines(keepends=True)
    docs = [orjson.loads(line) for line in lines]
    drop = await hidden(docs)
    return b"".join(
        line for line, doc in zip(lines, docs, strict=True) if str(doc.get("id")) not in drop
    )


def _unavailable_line() -> bytes:
    """The last line of a stream the store stopped serving: resume from the line before."""
    error = {"message": STORE_UNAVAILABLE_MESSAGE, "extensions": {"code": BackendUnavailable.code}}
    return orjson.dumps({"error": error}) + b"\n"
