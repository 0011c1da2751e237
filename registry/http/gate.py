"""The door to /graphql over HTTP: JSON POSTs only, a capped body, authentication, rate
limits, persisted operations, the public response cache and the per-request time limit."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from graph.errors import GraphError
from registry.auth import InvalidCredentials, Principal, authenticate
from registry.domain.vocabulary import Role
from registry.http.graphql_view import RegistryGraphQL
from registry.http.lookups import count_lookups
from registry.http.response_cache import (
    PERSISTED,
    ChangeWatcher,
    ResponseCache,
    is_query,
    operation_type,
    restamp_checked_at,
)
from registry.http.responses import error_response
from registry.http.runtime import Runtime, too_many

__all__ = ["GraphQLGate"]


class GraphQLGate:
    """Before GraphQL runs: accept JSON POSTs only (no CSRF-able form posts), cap the body,
    authenticate, apply the rate limits, and give the request an id."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.graphql = RegistryGraphQL(runtime)
        settings = runtime.settings
        self.cache = ResponseCache(max_entries=settings.response_cache_entries)
        self.watcher = ChangeWatcher(
            store=lambda: runtime.open_store, refresh=settings.response_cache_refresh_seconds
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Within the per-request time limit: past it, 503 REQUEST_TIMEOUT (when nothing was
        sent yet) and the work is cancelled, so a costly request cannot hold the server."""
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.runtime.settings.request_timeout_seconds):
                await self._serve(scope, receive, tracked)
        except TimeoutError:
            if started:
                raise
            message = "the request took too long and was stopped; try a smaller one"
            await error_response(503, "REQUEST_TIMEOUT", message)(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        refusal = self._refusal(request)
        payload: dict[str, Any] | None = None
        if refusal is None and request.method == "POST":
            try:
                body = await _read_capped(receive, self.runtime.settings.max_body_bytes)
            except BodyTooLarge:
                refusal = error_response(413, "BODY_TOO_LARGE", "the request body is too large")
            else:
                payload = _payload(body)
                refusal = _resolve_persisted(payload)
                if payload is not None and refusal is None:
                    body = orjson.dumps(payload)
                receive = _replay(body, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        try:
            principal: Principal = await authenticate(
                self.runtime.open_store, request.headers.get("authorization")
            )
        except InvalidCredentials as exc:
            await error_response(401, "UNAUTHENTICATED", str(exc))(scope, receive, send)
            return
        if request.method == "POST":
            limited = self._limit(request, principal, payload)
            if limited is not None:
                await limited(scope, receive, send)
                return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state.setdefault("request_id", uuid.uuid4().hex)  # set by RequestObservation
        query = _query_of(payload)
        if query is None:
            await self.graphql(scope, receive, send)
            return
        document, operation = query
        if operation_type(document, operation) is OperationType.SUBSCRIPTION:
            message = "subscriptions run over WebSocket (graphql-transport-ws) at /graphql"
            await error_response(400, "USE_WEBSOCKET", message)(scope, receive, send)
            return
        if principal.role is not Role.PUBLIC or not is_query(document, operation):
            await self.graphql(scope, receive, send)
            if not is_query(document, operation):
                with contextlib.suppress(GraphError):  # our own write: cached answers are stale
                    await self.watcher.update()
            return
        await self._cached(scope, receive, send, payload or {}, document, operation)

    async def _cached(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        payload: dict[str, Any],
        document: str,
        operation: str | None,
    ) -> None:
        """Public queries: answer from the cache while the change log has not moved."""
        key = ResponseCache.key(document, payload.get("variables"), operation, self.runtime.today())
        try:
            seq = await self.watcher.current()
        except GraphError:  # no cache without a head; GraphQL answers (and masks) the outage
            await self.graphql(scope, receive, send)
            return
        cached = self.cache.get(key, seq)
        if cached is not None:
            body = restamp_checked_at(cached, datetime.now(UTC))
            await Response(body, media_type="application/json")(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.graphql(scope, receive, capture)
        answer = b"".join(chunks)
        if status == 200 and b'"errors"' not in answer:
            self.cache.put(key, seq, answer)

    def _limit(
        self, request: Request, principal: Principal, payload: dict[str, Any] | None
    ) -> Response | None:
        """Requests per client or credential; public lookups per client, aliases counted."""
        client = request.client.host if request.client else None
        limited = self.runtime.over_limit(client, principal)
        if limited is not None or principal.role is not Role.PUBLIC:
            return limited
        query = _query_of(payload)
        lookups = count_lookups(*query) if query else 0
        wait = self.runtime.public_lookups.acquire(f"ip:{client or 'unknown'}", lookups)
        return too_many(wait) if lookups and wait else None

    def _refusal(self, request: Request) -> Response | None:
        settings = self.runtime.settings
        accepts_html = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and settings.env == "development" and accepts_html:
            return None  # GraphiQL, development only
        if request.method != "POST":
            return error_response(
                405, "METHOD_NOT_ALLOWED", "send operations as JSON POST requests"
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return error_response(
                415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"
            )
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > settings.max_body_bytes):
            return error_response(413, "BODY_TOO_LARGE", "the request body is too large")
        return None


class BodyTooLarge(Exception):
    """The body grew past the cap (whatever Content-Length said, if anything)."""


async def _read_capped(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the already-read body to the next app, then pass through (e.g. disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _payload(body: bytes) -> dict[str, Any] | None:
    """The JSON request, when it is one (otherwise GraphQL answers the error itself)."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


def _query_of(payload: dict[str, Any] | None) -> tuple[str, str | None] | None:
    if payload is None or not isinstance(payload.get("query"), str):
        return None
    name = payload.get("operationName")
    return payload["query"], name if isinstance(name, str) else None


def _resolve_persisted(payload: dict[str, Any] | None) -> Response | None:
    """Put the document of a persisted operation into ``payload`` (a hash the server ships
    with); a hash it does not know is an error, and so is a text that does not match it."""
    extensions = (payload or {}).get("extensions")
    if payload is None or not isinstance(extensions, dict):
        return None
    persisted = extensions.get("persistedQuery")
    if not isinstance(persisted, dict) or not isinstance(persisted.get("sha256Hash"), str):
        return None
    document = PERSISTED.get(persisted["sha256Hash"])
    if document is None:
        return error_response(200, "PERSISTED_QUERY_NOT_FOUND", "unknown persisted operation")
    if "query" in payload and payload["query"] != document:
        return error_response(400, "PERSISTED_QUERY_MISMATCH", "the query does not match its hash")
    payload["query"] = document
    return None
