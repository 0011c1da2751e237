"""The door to /graphql over HTTP: JSON POSTs only, a capped body, authentication, rate
limits, persisted operations (answered by their direct plans when they have one), the
public response cache and the per-request time limit."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime

import orjson
import strawberry
from graphql import GraphQLError, OperationType, parse, validate
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from graph.errors import GraphError
from graph.log_models import APPLIED, WriteResult
from registry.auth import InvalidCredentials, Principal, authenticate
from registry.domain.vocabulary import Role
from registry.http.graphql_view import RegistryGraphQL
from registry.http.lookups import count_lookups
from registry.http.request_body import GraphQLRequest, read_request
from registry.http.response_cache import (
    PERSISTED,
    ChangeWatcher,
    ResponseCache,
    restamp_checked_at,
)
from registry.http.responses import error_response
from registry.http.runtime import Runtime, client_address, too_many
from registry.operations.scans import scan_for_key_holder
from registry.resolvers.direct import DirectPlan, plan_for
from registry.schema.document_cache import OperationFacts, ParsedDocument
from registry.schema.documents import operation_and_fragments, operation_type

__all__ = ["TIMEOUT_MESSAGE", "GraphQLGate", "length_within", "operation_facts"]

TIMEOUT_MESSAGE = "the request took too long and was stopped; try a smaller one"


# How long an answer past the time limit waits for a write already under way to end.
LANDING_WAIT_SECONDS = 10.0


async def _landed(started: list[asyncio.Future[WriteResult]], wait: float) -> Response:
    """The answer once the writes the request started have ended (each runs to its end):
    those that landed are reported; one still under way after ``wait`` is OUTCOME_UNKNOWN,
    never "stopped"."""
    if started:
        _, pending = await asyncio.wait(started, timeout=wait)
        if pending:
            message = (
                "a write was under way when time ran out and has not ended yet; read the "
                "records back (or retry with the same Idempotency-Key) before sending it again"
            )
            return error_response(503, "OUTCOME_UNKNOWN", message)
    return _timed_out([f.result() for f in started if not f.cancelled() and not f.exception()])


def _timed_out(applied: list[WriteResult]) -> Response:
    """503 REQUEST_TIMEOUT; or, when writes were applied before time ran out, 200
    ANSWER_TIMED_OUT with where they landed: a write that is durable is never said to be
    stopped (the client would send it again)."""
    if not applied:
        return error_response(503, "REQUEST_TIMEOUT", TIMEOUT_MESSAGE)
    receipts = [
        {"written": r.written, "firstSeq": r.first_seq, "lastSeq": r.last_seq} for r in applied
    ]
    message = (
        "the write was applied (see receipts) but its answer took too long and was not sent; "
        "read the records back, asking for less"
    )
    error = {"message": message, "extensions": {"code": "ANSWER_TIMED_OUT", "receipts": receipts}}
    return JSONResponse({"data": None, "errors": [error]})


class GraphQLGate:
    """Before GraphQL runs: accept JSON POSTs only (no CSRF-able form posts), cap the body,
    authenticate, apply the rate limits, and give the request an id."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.graphql = RegistryGraphQL(runtime)
        settings = runtime.settings
        self.cache = ResponseCache(
            max_entries=settings.response_cache_entries, max_bytes=settings.response_cache_bytes
        )
        self.watcher = ChangeWatcher(
            store=lambda: runtime.open_store, refresh=settings.response_cache_refresh_seconds
        )
        self.plans = _plans(self.graphql, runtime)
        self.timeout = settings.request_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Within the per-request time limit: past it, 503 REQUEST_TIMEOUT (when nothing was
        sent yet) and the work is cancelled, so a costly request cannot hold the server. A
        request that has started writing gets one more time limit to finish what it began
        (a service request's token, the second write of a two-step mutation): cut short, it
        would be half applied, or applied with its answer lost."""
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        loop = asyncio.get_running_loop()
        # A layer before this one (``CachedLookups``) may have started the clock already.
        deadline = scope.get("state", {}).get("deadline")
        if deadline is None:
            deadline = loop.time() + self.timeout
        writes: list[asyncio.Future[WriteResult]] = []
        opened = APPLIED.set(writes)
        serving = asyncio.ensure_future(self._serve(scope, receive, tracked))
        try:
            await asyncio.wait({serving}, timeout=max(0.0, deadline - loop.time()))
            if not serving.done() and writes:
                await asyncio.wait({serving}, timeout=self.timeout)
            if serving.done():
                serving.result()  # its own outcome, an exception included
                return
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await serving
            if started:
                raise TimeoutError("the answer ran out of time while it was being sent")
            wait = max(self.timeout, LANDING_WAIT_SECONDS)
            await (await _landed(writes, wait))(scope, receive, send)
        except asyncio.CancelledError:
            serving.cancel()  # the client or the server went away
            raise
        finally:
            APPLIED.reset(opened)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if request.method != "POST":  # GraphiQL, development only
            await self.graphql(scope, receive, send)
            return
        read = await read_request(receive, self.runtime.settings.max_body_bytes)
        if isinstance(read, Response):
            await read(scope, receive, send)
            return
        operation, encoded = read
        client = receive  # past the body, it says only that the client went away
        receive = _replay(encoded, receive)
        try:
            principal: Principal = await authenticate(
                self.runtime.open_store, request.headers.get("authorization")
            )
        except InvalidCredentials as exc:
            await error_response(401, "UNAUTHENTICATED", str(exc))(scope, receive, send)
            return
        parsed = await self._parsed(operation)
        found, kind, lookups = operation_facts(parsed, operation.operation_name)
        limited = self.limit(client_address(request), principal, lookups)
        if limited is not None:
            await limited(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        scan_for_key_holder(principal.role is not Role.PUBLIC)
        if "request_id" not in state:  # set by RequestObservation
            state["request_id"] = uuid.uuid4().hex
        if parsed is None:  # GraphQL answers the syntax error
            await self.graphql(scope, receive, send)
            return
        if not found:
            await _no_such_operation(operation.operation_name)(scope, receive, send)
            return
        if kind is OperationType.SUBSCRIPTION:
            message = "subscriptions run over WebSocket (graphql-transport-ws) at /graphql"
            await error_response(400, "USE_WEBSOCKET", message)(scope, receive, send)
            return
        if principal.role is not Role.PUBLIC and kind is OperationType.QUERY:
            await _while_connected(scope, self._execute(scope, receive, send, operation), client)
            return
        if kind is OperationType.MUTATION:
            await self.graphql(scope, receive, self._after_write(send))
            return
        if principal.role is not Role.PUBLIC or kind is not OperationType.QUERY:
            await self.graphql(scope, receive, send)
            return
        await _while_connected(scope, self._cached(scope, receive, send, operation, parsed), client)

    def _after_write(self, send: Send) -> Send:
        """A write's answer goes out once the cache knows the change log moved: sent first,
        a public read made as soon as it arrived was answered from before the write."""

        async def forward(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                with contextlib.suppress(GraphError):  # our own write: cached answers are stale
                    await self.watcher.update()
            await send(message)

        return forward

    async def _parsed(self, operation: GraphQLRequest) -> ParsedDocument | None:
        """The document, parsed in a worker (None when it does not parse)."""
        try:
            return await self.runtime.documents.parsed(operation.query or "")
        except GraphQLError:
            return None

    async def _cached(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        operation: GraphQLRequest,
        parsed: ParsedDocument,
    ) -> None:
        """Public queries: answer from the cache while the change log has not moved."""
        key = ResponseCache.key(
            parsed.normal_form, operation.variables, operation.operation_name, self.runtime.today()
        )
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

        await self._execute(scope, receive, capture, operation)
        answer = b"".join(chunks)
        if status == 200 and b'"errors"' not in answer:
            self.cache.put(key, seq, answer)

    async def _execute(
        self, scope: Scope, receive: Receive, send: Send, operation: GraphQLRequest
    ) -> None:
        """A query: by its document's direct plan when it has one and the plan is sure of
        the answer, else through GraphQL."""
        plan = self.plans.get(operation.query or "")
        if plan is not None:
            started = time.perf_counter()
            context = await self.graphql.get_context(Request(scope), None)
            answer = await plan.run(context, operation.variables)
            if answer is not None:
                seconds = time.perf_counter() - started
                self.runtime.metrics.observe_operation(plan.name, "query", "ok", seconds)
                body = orjson.dumps(answer)
                await Response(body, media_type="application/json")(scope, receive, send)
                return
        await self.graphql(scope, receive, send)

    def limit(self, client: str | None, principal: Principal, lookups: int) -> Response | None:
        """Requests per client or credential; public lookups per client, aliases counted."""
        limited = self.runtime.over_limit(client, principal)
        if limited is not None or principal.role is not Role.PUBLIC:
            return limited
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
        if length is not None and not length_within(length, settings.max_body_bytes):
            return error_response(413, "BODY_TOO_LARGE", "the request body is too large")
        return None


def _plans(view: RegistryGraphQL, runtime: Runtime) -> dict[str, DirectPlan]:
    """Direct plans for the persisted documents that can have one, by their text."""
    plans: dict[str, DirectPlan] = {}
    schema = view.schema
    if not isinstance(schema, strawberry.Schema):
        return plans
    for text in PERSISTED.values():
        document = parse(text, max_tokens=runtime.settings.max_tokens)
        if validate(schema._schema, document):
            continue
        plan = plan_for(schema, document, runtime.settings)
        if plan is not None:
            plans[text] = plan
    return plans


_OPERATIONS_KEPT = 16  # operation names remembered per document (callers choose them)


def operation_facts(parsed: ParsedDocument | None, name: str | None) -> OperationFacts:
    """Whether the operation that would run exists, its type, and the lookups it asks for;
    read once per document and operation name."""
    if parsed is None:
        return False, None, 0
    known = parsed.operations.get(name)
    if known is None:
        document = parsed.document
        known = (
            operation_and_fragments(document, name)[0] is not None,
            operation_type(document, name),
            count_lookups(document, name),
        )
        if len(parsed.operations) < _OPERATIONS_KEPT:
            parsed.operations[name] = known
    return known


def _no_such_operation(name: str | None) -> Response:
    """What GraphQL would have said in plain text, in the coded body of every refusal."""
    if name is None:
        return error_response(400, "OPERATION_NOT_FOUND", "the document defines no operation")
    return error_response(400, "OPERATION_NOT_FOUND", f'Unknown operation named "{name}".')


def length_within(length: str, limit: int) -> bool:
    """Whether a Content-Length is a whole number no larger than ``limit``."""
    digits = length.isascii() and length.isdigit()
    return digits and len(length) <= len(str(limit)) and int(length) <= limit


async def _while_connected(
    scope: Scope, read: Coroutine[object, object, None], client: Receive
) -> None:
    """Run a query while its client is there: one abandoned is stopped, rather than holding
    the store and a core until the time limit (ten anomaly scans sent and dropped kept both
    cores busy for 30 s, every other answer slower). Past the body a server's ``receive``
    answers only a disconnect; anything else ends the watch. Writes are never stopped so:
    they finish what they began."""
    serving = asyncio.ensure_future(read)
    watching = asyncio.ensure_future(client())
    try:
        await asyncio.wait({serving, watching}, return_when=asyncio.FIRST_COMPLETED)
        said = watching.result() if watching.done() and not watching.exception() else {}
        if said.get("type") == "http.disconnect" and not serving.done():
            scope.setdefault("state", {})["abandoned"] = True  # logged as 499
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
            return
        await serving
    finally:
        watching.cancel()
        serving.cancel()


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
