"""The error body every HTTP refusal shares: GraphQL's shape, with a stable code."""

from __future__ import annotations

import math

from starlette.responses import JSONResponse, Response

from graph.errors import BackendUnavailable
from graph.revival import REVIVE_INTERVAL
from registry.schema.errors import STORE_UNAVAILABLE_MESSAGE

__all__ = [
    "STORE_RETRY_AFTER",
    "error_response",
    "store_unavailable",
]

# Clients come back once the store has tried to start again (graph.revival).
STORE_RETRY_AFTER = str(max(1, math.ceil(REVIVE_INTERVAL)))


def error_response(status: int, code: str, message: str) -> Response:
    """``{"errors": [{"message", "extensions": {"code"}}]}`` with ``status``, so clients
    read refusals before GraphQL runs the same way as GraphQL's own errors."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


def store_unavailable() -> Response:
    """503 STORE_UNAVAILABLE with Retry-After: the store is down or refuses writes it cannot
    make durable."""
    response = error_response(503, BackendUnavailable.code, STORE_UNAVAILABLE_MESSAGE)
    response.headers["Retry-After"] = STORE_RETRY_AFTER
    return response
