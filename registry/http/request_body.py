"""The body of a GraphQL POST: read within the size cap, then checked to be one JSON object
of the GraphQL-over-HTTP shape before anything else reads it.

Whatever is wrong with a body (not JSON, not UTF-8, a lone surrogate, JSON that is not an
object, members of the wrong type, nesting no encoder takes back) is answered 400 with the
coded JSON body every refusal has (``responses.error_response``), never a 500 or plain text.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response
from starlette.types import Receive

from registry.http.response_cache import PERSISTED
from registry.http.responses import error_response

__all__ = ["GraphQLRequest", "read_request"]


class _BodyTooLarge(Exception):
    """The body grew past the cap (whatever Content-Length said, if anything)."""


async def _read_capped(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class GraphQLRequest(BaseModel):
    """One operation (other members are ignored, as GraphQL over HTTP allows)."""

    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)

    query: str | None = None
    operation_name: str | None = Field(default=None, alias="operationName")
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None

    def encoded(self) -> bytes:
        """The request as the GraphQL view reads it (orjson.JSONEncodeError past 255 levels)."""
        return orjson.dumps(self.model_dump(by_alias=True, exclude_none=True))


async def read_request(receive: Receive, max_bytes: int) -> tuple[GraphQLRequest, bytes] | Response:
    """The request, read within ``max_bytes``, with a persisted operation's document filled
    in, and its encoding for the GraphQL view; or the refusal to send."""
    try:
        body = await _read_capped(receive, max_bytes)
    except _BodyTooLarge:
        return error_response(413, "BODY_TOO_LARGE", "the request body is too large")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return error_response(400, "INVALID_JSON", "the body is not JSON (in UTF-8, no BOM)")
    if isinstance(payload, list):
        message = "Batching is not enabled: send one operation per request"
        return error_response(400, "BATCHING_DISABLED", message)
    try:
        request = GraphQLRequest.model_validate(payload)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = f"{where}: {problem['msg']}" if where else "the body must be a JSON object"
        return error_response(400, "INVALID_REQUEST", message)
    refusal = _resolve_persisted(request)
    if refusal is not None:
        return refusal
    if not request.query:
        return error_response(400, "INVALID_REQUEST", 'no operation: send {"query": "..."}')
    try:
        return request, request.encoded()
    except orjson.JSONEncodeError:
        return error_response(400, "INVALID_REQUEST", "the request is nested too deeply")


def _resolve_persisted(request: GraphQLRequest) -> Response | None:
    """Put the document of a persisted operation into ``request`` (a hash the server ships
    with); a hash it does not know is an error, and so is a text that does not match it."""
    persisted = (request.extensions or {}).get("persistedQuery")
    if not isinstance(persisted, dict) or not isinstance(persisted.get("sha256Hash"), str):
        return None
    document = PERSISTED.get(persisted["sha256Hash"])
    if document is None:
        return error_response(200, "PERSISTED_QUERY_NOT_FOUND", "unknown persisted operation")
    if request.query is not None and request.query != document:
        return error_response(400, "PERSISTED_QUERY_MISMATCH", "the query does not match its hash")
    request.query = document
    return None
