"""The ASGI application: GraphQL at /graphql, the pages, the other routes, health probes,
and the store's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from graph.changelog import utc_now
from graph.clock import registry_today
from graph.cypher_store import CypherStore
from graph.errors import BackendUnavailable, GraphError
from graph.open import open_store
from graph.port import GraphStore
from registry.auth import InvalidCredentials, authenticate
from registry.domain.vocabulary import Role
from registry.http.cached_lookups import CachedLookups
from registry.http.exports import routes as export_routes
from registry.http.gate import GraphQLGate
from registry.http.graphiql import graphiql_routes
from registry.http.graphql_view import RegistryGraphQL
from registry.http.heap import freeze_startup_heap
from registry.http.observability import RequestObservation
from registry.http.responses import STORE_RETRY_AFTER, error_response, store_unavailable
from registry.http.runtime import Runtime
from registry.http.trust_routes import routes as trust_routes
from registry.http.url_text import UncarriableUrls
from registry.operations.new_day import new_day
from registry.operations.seeding import load_seeds_and_score, store_is_empty
from registry.settings import Settings
from registry.trust.signing_keys import keyring_for
from registry.web.institution_page import routes as institution_routes
from registry.web.network_svg import routes as network_routes
from registry.web.page import store_unavailable_page
from registry.web.ranking_page import routes as ranking_routes
from registry.web.region_page import routes as region_routes
from registry.web.verify_page import routes as web_routes

__all__ = ["create_app"]

# How long /readyz waits for the store to answer: a hung store is not ready (a stopped server
# held the probe 45 s, then said ready; twenty-third session's review).
READY_SECONDS = 2.0

log = logging.getLogger("registry")


IDEMPOTENCY_PURGE_SECONDS = 3600.0
_ROUTE_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


async def _purge_idempotency_keys(store: GraphStore) -> None:
    """Hourly, drop idempotency records past their 24 hours (they are kept at least that)."""
    while True:
        await asyncio.sleep(IDEMPOTENCY_PURGE_SECONDS)
        try:
            purged = await store.purge_idempotency_keys(now=utc_now())
            log.info("purged %d expired idempotency keys", purged)
        except GraphError:
            log.exception("purging idempotency keys failed; trying again in an hour")


NEW_DAY_CHECK_SECONDS = 600.0


async def _day_work(store: GraphStore, today: Callable[[], date]) -> None:
    """Every ten minutes (the first time ten minutes after the start, so that a restart
    serves before it works), write the steps that took effect, and once a new registry day
    has come its rescore: one process of those sharing the store does that (operations.new_day)."""
    while True:
        await asyncio.sleep(NEW_DAY_CHECK_SECONDS)
        try:
            done = await new_day(store, today())
            if done.steps or done.scores is not None:
                rescored = "already rescored" if done.scores is None else f"{done.scores} moved"
                log.info("day %s: %d steps took effect; scores %s", today(), done.steps, rescored)
        except GraphError:
            log.exception("the day's work failed: the steps are tried again in ten minutes")


async def _prepare_exports(store: GraphStore) -> None:
    """In the background once the app has started: what a large export needs, so that the
    first partner to ask does not wait for it."""
    try:
        await store.prepare_exports()
    except GraphError:
        log.exception("preparing exports failed; the first export prepares them")


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
        # The signing keys exist once the service has started, as operators expect (to back
        # them up, to publish them); an unusable key directory stops the start.
        await keyring_for(config.resolved_signing_keys_dir)
        runtime.store = await open_store(config.resolved_store_url)
        _observe(runtime, runtime.store)
        try:
            if config.load_seeds_when_empty and await store_is_empty(runtime.store):
                counts = await load_seeds_and_score(
                    runtime.store, config.seeds_dir, secret=config.secret, today=registry_today()
                )
                log.info("loaded seeds: %s", counts)
            log.debug("froze %d objects of the started app", freeze_startup_heap())
            purging = asyncio.create_task(_purge_idempotency_keys(runtime.store))
            preparing = asyncio.create_task(_prepare_exports(runtime.store))
            new_days = asyncio.create_task(_day_work(runtime.store, runtime.today))
            try:
                yield
            finally:
                purging.cancel()
                preparing.cancel()
                new_days.cancel()
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
        """Ready while the store answers and can make writes durable (not while its server
        is down, being started again, or failing to write its append-only file), and
        answers within ``READY_SECONDS``: a store that hangs held the probe for as long."""
        ready = False
        if runtime.store is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(READY_SECONDS):
                    ready = await runtime.store.ping()
        if ready:
            return PlainTextResponse("ready")
        unready = PlainTextResponse("store unavailable", status_code=503)
        unready.headers["Retry-After"] = STORE_RETRY_AFTER
        return unready

    async def unavailable(request: Request, exc: Exception) -> Response:
        """Any route, before its answer started: 503 STORE_UNAVAILABLE with Retry-After."""
        log.warning("store unavailable: %s", exc)
        if "text/html" in request.headers.get("accept", ""):
            return store_unavailable_page(STORE_RETRY_AFTER)
        return store_unavailable()

    async def refused_route(request: Request, exc: Exception) -> Response:
        """No such route, or not with that method: coded, as every other refusal."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = _ROUTE_CODES.get(status, "HTTP_ERROR")
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        response = error_response(status, code, detail)
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    development = runtime.settings.env == "development"
    gate = GraphQLGate(runtime)
    app = Starlette(
        routes=[
            *(graphiql_routes() if development else []),
            Route("/graphql", gate),
            WebSocketRoute("/graphql", RegistryGraphQL(runtime, subscriptions=True)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *web_routes(),
            *trust_routes(),
            *network_routes(),
            *institution_routes(),
            *ranking_routes(),
            *region_routes(),
            *export_routes(),
        ],
        lifespan=lifespan,
        middleware=[
            # Outermost: cached public answers skip the rest, keeping what it does for them.
            Middleware(CachedLookups, gate=gate),
            Middleware(RequestObservation, metrics=runtime.metrics),
            Middleware(UncarriableUrls),
        ],
        exception_handlers={BackendUnavailable: unavailable, HTTPException: refused_route},
    )
    app.state.runtime = runtime
    return app
