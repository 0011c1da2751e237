"""What the app holds between requests, shared by the GraphQL gate and every other route:
settings, the store once it is open, the calendar, the limits and the metrics."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from starlette.requests import HTTPConnection
from starlette.responses import Response

from graph.clock import registry_today
from graph.port import GraphStore
from registry.auth import Principal
from registry.http.observability import Metrics
from registry.http.ratelimit import RateLimiter
from registry.http.responses import error_response
from registry.schema.document_cache import DocumentCache
from registry.settings import Settings

__all__ = ["Runtime", "client_address", "public_base_url", "too_many"]


@dataclass(slots=True)
class Runtime:
    """What the app holds between requests: settings, and the store once it is open."""

    settings: Settings
    store: GraphStore | None = None
    today: Callable[[], date] = field(default=registry_today)
    public_lookups: RateLimiter = field(init=False)

    metrics: Metrics = field(default_factory=Metrics)
    requests: RateLimiter = field(init=False)
    # Parsed documents, shared by the gate (which parses first) and the GraphQL views.
    documents: DocumentCache = field(init=False)
    # The WebSockets open for each key (by key id), against ``max_sockets_per_key``.
    sockets: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.documents = DocumentCache(
            max_tokens=self.settings.max_tokens, max_bytes=self.settings.document_cache_bytes
        )
        # One allowance per client or credential for GraphQL, its WebSocket and the exports.
        self.requests = RateLimiter(per_minute=self.settings.requests_per_minute)
        # One allowance per client for every public lookup surface: GraphQL, page, QR image.
        self.public_lookups = RateLimiter(per_minute=self.settings.public_lookups_per_minute)

    def over_limit(self, client: str | None, principal: Principal) -> Response | None:
        """A 429 when the credential (or, without one, the client address) used up its
        requests for the minute."""
        identity = f"key:{principal.key_id}" if principal.key_id else f"ip:{client or 'unknown'}"
        wait = self.requests.acquire(identity)
        return too_many(wait) if wait else None

    def open_socket(self, principal: Principal) -> bool:
        """Count one more socket of the principal's key; False (nothing counted) when it
        holds as many as it may."""
        key = principal.key_id or ""
        if self.sockets[key] >= self.settings.max_sockets_per_key:
            return False
        self.sockets[key] += 1
        return True

    def close_socket(self, principal: Principal) -> None:
        key = principal.key_id or ""
        self.sockets[key] -= 1
        if self.sockets[key] <= 0:
            del self.sockets[key]

    @property
    def open_store(self) -> GraphStore:
        if self.store is None:
            raise RuntimeError("the store is not open (the app's lifespan has not run)")
        return self.store


def client_address(connection: HTTPConnection) -> str | None:
    """The client's address as the server saw it: the peer, unless uvicorn was told to trust
    the proxy it came through (``registry serve --forwarded-allow-ips``), in which case
    uvicorn has put the address that proxy forwarded in its place. Rate limits count by it,
    so nothing else may read ``X-Forwarded-For``."""
    return connection.client.host if connection.client else None


def public_base_url(connection: HTTPConnection, settings: Settings) -> str:
    """Where people reach the service, for links that outlive the request (QR codes):
    ``REGISTRY_PUBLIC_URL``, else the address of the socket the request came in on (the host
    and port ``registry serve`` listens on; the concrete address when it listens on all), with
    the app's mount path. Never the Host header: anyone can send one, and a certificate holder
    would print the attacker's address."""
    if settings.public_url:
        return settings.public_url
    scheme = "https" if connection.scope.get("scheme") in ("https", "wss") else "http"
    server = connection.scope.get("server")
    host, port = (server[0], server[1]) if server else ("localhost", None)
    if not host or host.startswith("/"):  # a Unix socket: only a proxy knows the public name
        host, port = "localhost", None
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{scheme}://{netloc}{connection.scope.get('root_path', '')}".rstrip("/")


def too_many(wait: float) -> Response:
    response = error_response(429, "RATE_LIMITED", "too many requests; retry later")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
