"""What operators watch: Prometheus metrics at /metrics, and a request id on every request.

- Every HTTP request gets an id: the caller's ``X-Request-ID`` when it is a sane token, a new
  one otherwise. It is echoed in the response header, put on every log line written while
  the request runs (``registry.http.logs``), and in every GraphQL error's extensions.
- ``/metrics`` (Prometheus text format) counts requests by route, method and status with
  latency histograms; GraphQL operations by name, type and outcome (the first error code,
  or ``ok``) with their latency; and store calls by name with their timings.

Metric labels never carry what a caller chose freely beyond a bounded set: routes are the
app's own templates, and operation names past the first ``MAX_OPERATION_NAMES`` are counted
as ``other``.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from contextvars import ContextVar
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "MAX_OPERATION_NAMES",
    "Metrics",
    "RequestObservation",
    "current_request_id",
    "record_request",
    "request_id_for",
]

MAX_OPERATION_NAMES = 200
# A query its client abandoned, stopped before it was answered (nginx's code for it).
CLIENT_GONE = 499
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_KEPT_CHILDREN = 1_000
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access = logging.getLogger("registry.access")


class Metrics:
    """The app's own metric registry (not the process-global one, so apps in tests and
    several workers' apps never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "registry_http_requests_total",
            "HTTP requests by route, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "registry_http_request_seconds",
            "HTTP request latency by route.",
            ("route",),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.operations = Counter(
            "registry_graphql_operations_total",
            "GraphQL operations by name, type and outcome (ok, or the first error code).",
            ("operation", "type", "outcome"),
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "registry_graphql_operation_seconds",
            "GraphQL operation latency by name and type.",
            ("operation", "type"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_seconds = Histogram(
            "registry_store_call_seconds",
            "Graph store calls by name.",
            ("call",),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._operation_names: set[str] = set()
        self._request_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def observe_request(self, route: str, method: str, status: str, seconds: float) -> None:
        """Count a request and its latency. The labelled children are kept by their labels
        (prometheus_client looks them up under a lock each time); routes are the app's own
        templates, but methods are what callers send, so at most ``_KEPT_CHILDREN`` kept."""
        children = self._request_children.get((route, method, status))
        if children is None:
            children = (
                self.requests.labels(route, method, status),
                self.request_seconds.labels(route),
            )
            if len(self._request_children) < _KEPT_CHILDREN:
                self._request_children[(route, method, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def operation_label(self, name: str | None, *, admit: bool = True) -> str:
        """The operation's name as a label: bounded in number and shape. Only operations
        that ran (``admit``) earn a label of their own, so refused junk cannot use up the
        names."""
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.fullmatch(name):
            return "other"
        if name not in self._operation_names:
            if not admit or len(self._operation_names) >= MAX_OPERATION_NAMES:
                return "other"
            self._operation_names.add(name)
        return name

    def observe_operation(self, name: str | None, kind: str, outcome: str, seconds: float) -> None:
        label = self.operation_label(name, admit=outcome == "ok")
        self.operations.labels(label, kind, outcome).inc()
        self.operation_seconds.labels(label, kind).observe(seconds)

    def observe_store_call(self, name: str, seconds: float) -> None:
        self.store_seconds.labels(name).observe(seconds)

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class RequestObservation:
    """ASGI middleware: the request id, and the request's count and latency by route."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(Headers(scope=scope).get("x-request-id", ""))
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                route, seconds = _route(scope), time.perf_counter() - started
                if scope.get("state", {}).get("abandoned"):
                    status = CLIENT_GONE
                record_request(self.metrics, scope["method"], route, status, seconds)
            current_request_id.reset(token)


def request_id_for(offered: str) -> str:
    """The caller's ``X-Request-ID`` when it is a sane token, else a new one."""
    return offered if _REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)


def record_request(metrics: Metrics, method: str, route: str, status: int, seconds: float) -> None:
    """Count a finished HTTP request and write its access line (within its request id)."""
    metrics.observe_request(route, method, str(status), seconds)
    fields = {
        "method": method,
        "route": route,
        "status": status,
        "durationMs": round(seconds * 1000, 1),
    }
    access.info("request", extra={"fields": fields})


def _route(scope: Scope) -> str:
    """The route template that served the request (``/export/{entity}.ndjson``), or
    ``unmatched``: never the raw path, which callers choose. The router leaves the route
    whose path matched in the scope; it served the request when it takes the method."""
    route: Any = scope.get("route")
    if route is not None:
        methods = getattr(route, "methods", None)
        if methods is None or scope["method"] in methods:
            return str(getattr(route, "path", "unmatched"))
        return "unmatched"
    app: Any = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return str(getattr(candidate, "path", "unmatched"))
    return "unmatched"
