"""Refuses a URL whose path or query holds text no store can carry (NUL, a lone
surrogate), before any route reads it: the GraphQL gate refuses such text in documents and
variables (INVALID_TEXT), but a page or a QR image took ``/verify?number=%00abc`` to the
store, which answered a parse error, and the client a bare 500."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from registry.http.responses import error_response
from registry.schema.guards import is_uncarriable

__all__ = ["UncarriableUrls"]

_MESSAGE = "the URL must not contain NUL characters or unpaired surrogates"
# NUL, or a surrogate encoded as UTF-8 (ED A0..BF ..), in the query's percent-decoded bytes.
_UNCARRIABLE_BYTES = re.compile(rb"\x00|\xed[\xa0-\xbf]")


class UncarriableUrls:
    """400 INVALID_TEXT for such a URL, on every HTTP route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _uncarriable(scope):
            await error_response(400, "INVALID_TEXT", _MESSAGE)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _uncarriable(scope: Scope) -> bool:
    query = unquote_to_bytes(scope.get("query_string", b""))
    return is_uncarriable(scope["path"]) or _UNCARRIABLE_BYTES.search(query) is not None
