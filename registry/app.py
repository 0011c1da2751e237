"""The ASGI application: GraphQL at /graphql, health probes, store lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from graphql import OperationType
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.temporal_response import TemporalResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult

from graph.changelog import utc_now
from graph.cypher_store import CypherStore
from graph.errors import GraphError
from graph.open import open_store
from graph.port import GraphStore
from registry.auth import ANONYMOUS, InvalidCredentials, Principal, authenticate
from registry.context import Context, registry_today
from registry.domain.vocabulary import Role
from registry.loaders import Loaders
from registry.lookups import count_lookups
from registry.operations_cache import (
    PERSISTED,
    ChangeWatcher,
    ResponseCache,
    is_query,
    operation_type,
    restamp_checked_at,
)
from registry.ratelimit import RateLimiter
from registry.schema.errors import PublicError, code_for_message
from registry.schema.root import build_schema
from registry.seeding import load_seeds_and_score, store_is_empty
from registry.settings import Settings
from registry.trust_routes import routes as trust_routes
from registry.web.exports import routes as export_routes
from registry.web.network_svg import routes as network_routes
from registry.web.observability import Metrics, RequestObservation
from registry.web.responses import error_response
from registry.web.verify_page import routes as web_routes

__all__ = ["create_app"]

log = logging.getLogger("registry")


@dataclass(slots=True)
class Runtime:
    """What the app holds between requests: settings, and the store once it is open."""

    settings: Settings
    store: GraphStore | None = None
    today: Callable[[], date] = field(default=registry_today)
    public_lookups: RateLimiter = field(init=False)

    metrics: Metrics = field(default_factory=Metrics)
    requests: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        # One allowance per client or credential for GraphQL, its WebSocket and the exports.
        self.requests = RateLimiter(per_minute=self.settings.requests_per_minute)
        # One allowance per client for every public lookup surface: GraphQL, page, QR image.
        self.public_lookups = RateLimiter(per_minute=self.settings.public_lookups_per_minute)

    def over_limit(self, client: str | None, principal: Principal) -> Response | None:
        """A 429 when the credential (or, without one, the client address) used up its
        requests for the minute."""
        identity = f"key:{principal.key_id}" if principal.key_id else f"ip:{client or 'unknown'}"
        wait = self.requests.acquire(identity)
        return _too_many(wait) if wait else None

    @property
    def open_store(self) -> GraphStore:
        if self.store is None:
            raise RuntimeError("the store is not open (the app's lifespan has not run)")
        return self.store


class SubscriptionsOnly(BaseGraphQLTransportWSHandler[Context, None]):
    """Over WebSocket only subscriptions run: queries and mutations go through the HTTP gate,
    which rate-limits, caps bodies and keeps the response cache honest."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message["payload"]
        kind = operation_type(payload["query"], payload.get("operationName"))
        if kind is not None and kind is not OperationType.SUBSCRIPTION:
            refusal = PublicError(
                "USE_HTTP", "only subscriptions run over WebSocket; POST queries and mutations"
            )
            reply: ErrorMessage = {
                "id": message["id"],
                "type": "error",
                "payload": [refusal.formatted],
            }
            await self.send_message(reply)
            return
        await super().handle_subscribe(message)


class RegistryGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, orjson encoding and no GET operations."""

    def __init__(self, runtime: Runtime, *, subscriptions: bool = False) -> None:
        settings = runtime.settings
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.env == "development" and not subscriptions else None,
            allow_queries_via_get=False,
            # Only the current protocol: it refuses operations before connection_init.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,) if subscriptions else (),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            connection_init_wait_timeout=timedelta(seconds=10),  # a silent socket is dropped
        )
        self.runtime = runtime
        self.graphql_transport_ws_handler_class = SubscriptionsOnly

    async def get_context(self, request: Any, response: TemporalResponse | Any) -> Context:
        """HTTP requests come authenticated by the gate; a WebSocket starts anonymous and
        authenticates with its connection_init payload (``on_ws_connect``)."""
        state = request.scope.get("state", {})
        store = self.runtime.open_store
        today = self.runtime.today()
        return Context(
            store=store,
            settings=self.runtime.settings,
            principal=state.get("principal", ANONYMOUS),
            loaders=Loaders.for_request(store, today),
            request_id=state.get("request_id") or uuid.uuid4().hex,
            today=today,
            metrics=self.runtime.metrics,
        )

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        if not isinstance(header, str):
            raise ConnectionRejectionError({"code": "NOT_AUTHORIZED", "message": "no API key"})
        try:
            context.principal = await authenticate(self.runtime.open_store, header)
        except InvalidCredentials as exc:
            raise ConnectionRejectionError({"code": "NOT_AUTHORIZED", "message": str(exc)}) from exc
        if self.runtime.over_limit(None, context.principal) is not None:  # a connection counts
            raise ConnectionRejectionError({"code": "RATE_LIMITED", "message": "retry later"})
        return None  # acknowledged, without a payload

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error leaves with an ``extensions.code``, GraphQL's own ones included, and
        the request's id (``requestId``) that its log lines carry too."""
        response = await super().process_result(request, result)
        request_id = request.scope.get("state", {}).get("request_id")
        for error in response.get("errors") or []:
            if not isinstance(error, dict):
                continue
            extensions = error.setdefault("extensions", {})
            if isinstance(extensions, dict):
                if "code" not in extensions:
                    extensions["code"] = code_for_message(str(error.get("message", "")))
                if request_id is not None:
                    extensions["requestId"] = request_id
        return response


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
        return _too_many(wait) if lookups and wait else None

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


def _too_many(wait: float) -> Response:
    response = error_response(429, "RATE_LIMITED", "too many requests; retry later")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


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


IDEMPOTENCY_PURGE_SECONDS = 3600.0


async def _purge_idempotency_keys(store: GraphStore) -> None:
    """Hourly, drop idempotency records past their 24 hours (they are kept at least that)."""
    while True:
        await asyncio.sleep(IDEMPOTENCY_PURGE_SECONDS)
        try:
            purged = await store.purge_idempotency_keys(now=utc_now())
            log.info("purged %d expired idempotency keys", purged)
        except GraphError:
            log.exception("purging idempotency keys failed; trying again in an hour")


def _observe(runtime: Runtime, store: GraphStore) -> None:
    """Time the store's calls into the app's metrics."""
    if isinstance(store, CypherStore):
        store.observer = runtime.metrics.observe_store_call


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    *,
    today: Callable[[], date] = registry_today,
) -> Starlette:
    """Build the app; without ``store`` it opens the configured one (and seeds it when empty).

    ``today`` is the calendar the app judges expiry by (tests pin it to a date)."""
    runtime = Runtime(settings=settings or Settings(), store=store, today=today)
    if store is not None:
        _observe(runtime, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store is not None:
            yield
            return
        config = runtime.settings
        runtime.store = await open_store(config.resolved_store_url)
        _observe(runtime, runtime.store)
        try:
            if config.load_seeds_when_empty and await store_is_empty(runtime.store):
                counts = await load_seeds_and_score(
                    runtime.store, config.seeds_dir, secret=config.secret, today=registry_today()
                )
                log.info("loaded seeds: %s", counts)
            purging = asyncio.create_task(_purge_idempotency_keys(runtime.store))
            try:
                yield
            finally:
                purging.cancel()
        finally:
            await runtime.store.close()
            runtime.store = None

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def metrics(request: Request) -> Response:
        """Prometheus text; for ADMIN keys only (a scraper sends one as a bearer token)."""
        try:
            principal = await authenticate(runtime.open_store, request.headers.get("authorization"))
        except InvalidCredentials as exc:
            return error_response(401, "UNAUTHENTICATED", str(exc))
        if principal.role is not Role.ADMIN:
            return error_response(403, "NOT_AUTHORIZED", "metrics are for ADMIN keys")
        return runtime.metrics.exposition()

    async def readyz(request: Request) -> Response:
        if runtime.store is not None and await runtime.store.ping():
            return PlainTextResponse("ready")
        return PlainTextResponse("store unavailable", status_code=503)

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLGate(runtime)),
            WebSocketRoute("/graphql", RegistryGraphQL(runtime, subscriptions=True)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *web_routes(),
            *trust_routes(),
            *network_routes(),
            *export_routes(),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestObservation, metrics=runtime.metrics)],
    )
    app.state.runtime = runtime
    return app
