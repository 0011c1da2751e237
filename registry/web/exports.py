"""``GET /export/changes.ndjson?after=SEQ``: the change log as one JSON object a line.

Should the log be pruned past the stream while it runs, the stream ends with one line
``{"error": {..., "extensions": {"code": "CURSOR_EXPIRED"}}}`` instead of skipping changes.

The bulk way to catch up: one streamed response instead of a thousand GraphQL pages, with
the same authorisation, scopes, filters and CURSOR_EXPIRED as the ``changes`` feed. It ends
at the head as it was when the request arrived, so it is one consistent delta; the last
line's ``seq`` is where to resume.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from graph.models import Change, ChangeFilter
from graph.port import GraphStore
from registry.auth import InvalidCredentials, authenticate
from registry.resolvers.changes import feed_filter, feed_start, still_kept
from registry.web.responses import error_response

if TYPE_CHECKING:
    from registry.app import Runtime

__all__ = ["EXPORT_PAGE", "routes"]

EXPORT_PAGE = 1000
_STATUS = {"NOT_AUTHORIZED": 403, "CURSOR_EXPIRED": 410, "OUT_OF_SCOPE": 403}


def routes() -> list[Route]:
    return [Route("/export/changes.ndjson", export_changes, methods=["GET"])]


def _listed(request: Request, name: str) -> list[str] | None:
    value = request.query_params.get(name)
    return None if value is None else [item for item in value.split(",") if item]


async def export_changes(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    store = runtime.open_store
    try:
        principal = await authenticate(store, request.headers.get("authorization"))
    except InvalidCredentials as exc:
        return error_response(401, "UNAUTHENTICATED", str(exc))
    after = request.query_params.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        return error_response(400, "INVALID_CURSOR", "after is a change seq (a whole number)")
    try:
        start = await feed_start(store, principal, int(after))
        narrow = await feed_filter(
            store, principal, _listed(request, "entities"), _listed(request, "regions")
        )
    except GraphQLError as refusal:
        code = str((refusal.extensions or {}).get("code", "BAD_REQUEST"))
        return error_response(_STATUS.get(code, 400), code, refusal.message)
    head = (await store.change_head()).seq
    return StreamingResponse(
        _lines(store, start, head, narrow),
        media_type="application/x-ndjson",
        headers={"X-Registry-Head-Seq": str(head)},
    )


async def _lines(
    store: GraphStore, start: int, head: int, narrow: ChangeFilter | None
) -> AsyncIterator[bytes]:
    """Pages of the log up to ``head`` (gap-free seq ranges, or filtered windows of them); the
    next page is fetched while this one is encoded, so the database and Python overlap."""

    def fetch(cursor: int) -> asyncio.Task[list[Change]]:
        end = min(head, cursor + EXPORT_PAGE)
        window = ChangeFilter(up_to=end) if narrow is None else replace(narrow, up_to=end)
        return asyncio.ensure_future(
            store.get_changes(after=cursor, limit=EXPORT_PAGE, narrow=window)
        )

    cursor = start
    pending = fetch(cursor) if cursor < head else None
    try:
        while pending is not None:
            found = await pending
            try:
                await still_kept(store, cursor)
            except GraphQLError as expired:  # pruned mid-stream: say so rather than skip
                yield orjson.dumps({"error": expired.formatted}) + b"\n"
                return
            cursor = min(head, cursor + EXPORT_PAGE)
            pending = fetch(cursor) if cursor < head else None
            if found:
                yield b"".join(orjson.dumps(change) + b"\n" for change in found)
    finally:
        if pending is not None:
            pending.cancel()
