"""The error body every HTTP refusal shares: GraphQL's shape, with a stable code."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

__all__ = ["error_response"]


def error_response(status: int, code: str, message: str) -> Response:
    """``{"errors": [{"message", "extensions": {"code"}}]}`` with ``status``, so clients
    read refusals before GraphQL runs the same way as GraphQL's own errors."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )
