"""Cached public answers to shipped persisted queries, given before the middleware chain.

Through Starlette's layers and the gate (request objects, the body's model, the document
cache, the timeout, the response object), a public answer already in the response cache
cost several times what finding it does. This layer, the app's outermost, answers only the
requests it can show the gate would answer with the same bytes: a POST to /graphql with a
JSON content type and an acceptable length, no ``Authorization`` header at all, a body in
one message that is a JSON object naming a shipped persisted document by its hash (no other
text, no member the gate does not read), a query operation of that document, a change head
read less than the watcher's ``refresh`` ago, and an answer cached for today's key. It keeps
what the layers it passes by do for such an answer: the request id and its header, the
request's count, latency and access line, both rate limits (and their 429), and the time
limit (the gate's deadline starts here). Anything else, a miss included, goes down the
normal path with the body handed on; the gate fills the cache as before.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import OperationDefinitionNode, OperationType
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.auth import ANONYMOUS
from registry.http.gate import TIMEOUT_MESSAGE, GraphQLGate, length_within, operation_facts
from registry.http.observability import current_request_id, record_request, request_id_for
from registry.http.response_cache import PERSISTED, ResponseCache, restamp_checked_at
from registry.http.responses import error_response
from registry.schema.document_cache import ParsedDocument

__all__ = ["CachedLookups"]

_PATH = "/graphql"
_MEMBERS = frozenset({"query", "operationName", "variables", "extensions"})
_JSON = b"application/json"


@dataclass(frozen=True, slots=True)
class _Persisted:
    text: str
    digest: str  # of the normal form, as the cache keys it
    lookups: dict[str | None, int]  # query operations that run, by the name a request gives


def _persisted(text: str, parsed: ParsedDocument) -> _Persisted:
    """What the gate reads of a shipped document, kept for every later request."""
    definitions = parsed.document.definitions
    names: list[str | None] = [None]
    names += [
        d.name.value for d in definitions if isinstance(d, OperationDefinitionNode) and d.name
    ]
    lookups = {}
    for name in names:
        found, kind, count = operation_facts(parsed, name)
        if found and kind is OperationType.QUERY:
            lookups[name] = count
    return _Persisted(text, ResponseCache.digest(parsed.normal_form), lookups)


class CachedLookups:
    """ASGI middleware: cached public answers to persisted queries, the rest to ``app``."""

    def __init__(self, app: ASGIApp, gate: GraphQLGate) -> None:
        self.app = app
        self.gate = gate
        # Filled as the gate parses each document (in its worker, on the first request).
        self.documents: dict[str, _Persisted] = {}
        self.max_bytes = gate.runtime.settings.max_body_bytes
        self.caching = gate.cache.max_entries > 0  # without a cache, nothing to look for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        offered = self._candidate(scope)
        if offered is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + self.gate.timeout
        message: Message | None = None
        answering = False

        async def tracked(sent: Message) -> None:
            nonlocal answering
            answering = True
            await send(sent)

        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
                found = self._found(scope, message)
                if found is not None:
                    await self._answer(scope, tracked, offered, started, found)
                    return
        except TimeoutError:
            if answering:  # too late for another answer
                raise
            timeout = error_response(503, "REQUEST_TIMEOUT", TIMEOUT_MESSAGE)
            await self._answer(scope, send, offered, started, timeout)
            return
        scope.setdefault("state", {})["deadline"] = deadline
        await self.app(scope, _replay(message, receive), send)

    def _candidate(self, scope: Scope) -> str | None:
        """The offered request id (maybe empty) of a public JSON POST to /graphql, else None."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != _PATH:
            return None
        if not self.caching:
            return None
        if scope.get("root_path"):
            return None
        content_type: bytes | None = None
        length: bytes | None = None
        offered: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                return None
            if name == b"content-type" and content_type is None:
                content_type = value
            elif name == b"content-length" and length is None:
                length = value
            elif name == b"x-request-id" and offered is None:
                offered = value
        if content_type is None:
            return None
        if content_type != _JSON and content_type.split(b";")[0].strip().lower() != _JSON:
            return None
        if length is not None and not length_within(length.decode("latin-1"), self.max_bytes):
            return None
        return (offered or b"").decode("latin-1")

    def _found(self, scope: Scope, message: Message) -> Response | bytes | None:
        """The cached answer (or the rate limit's refusal), or None to take the normal path."""
        if message["type"] != "http.request" or message.get("more_body", False):
            return None
        body = message.get("body", b"")
        if len(body) > self.max_bytes:
            return None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not payload.keys() <= _MEMBERS:
            return None
        document = self._document(payload)
        if document is None:
            return None
        name, variables = payload.get("operationName"), payload.get("variables")
        lookups = document.lookups.get(name) if name is None or isinstance(name, str) else None
        if lookups is None or not (variables is None or isinstance(variables, dict)):
            return None
        seq = self.gate.watcher.fresh()
        if seq is None:  # the gate reads the head again
            return None
        try:
            key = ResponseCache.key_of(document.digest, variables, name, self.gate.runtime.today())
        except orjson.JSONEncodeError:  # nested too deeply: the gate refuses it
            return None
        cached = self.gate.cache.get(key, seq)
        if cached is None:
            return None
        client = scope.get("client")
        limited = self.gate.limit(client[0] if client else None, ANONYMOUS, lookups)
        return limited if limited is not None else restamp_checked_at(cached, datetime.now(UTC))

    def _document(self, payload: dict[str, Any]) -> _Persisted | None:
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str):
            return None
        document = self.documents.get(sha)
        if document is None and (text := PERSISTED.get(sha)) is not None:
            parsed = self.gate.runtime.documents.peek(text)
            if parsed is None:  # the gate parses it first
                return None
            document = self.documents[sha] = _persisted(text, parsed)
        query = payload.get("query")
        if document is None or (query is not None and query != document.text):
            return None
        return document

    async def _answer(
        self, scope: Scope, send: Send, offered: str, started: float, answer: Response | bytes
    ) -> None:
        """Send ``answer`` as the normal path would, then count and log it as it would."""
        request_id = request_id_for(offered)
        status = 500
        try:
            if isinstance(answer, Response):
                status = answer.status_code
                headers = [*answer.raw_headers, (b"x-request-id", request_id.encode())]
                body = answer.body
            else:
                status = 200
                headers = [
                    (b"content-length", str(len(answer)).encode()),
                    (b"content-type", _JSON),
                    (b"x-request-id", request_id.encode()),
                ]
                body = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            token = current_request_id.set(request_id)
            try:
                seconds = time.perf_counter() - started
                record_request(self.gate.runtime.metrics, "POST", _PATH, status, seconds)
            finally:
                current_request_id.reset(token)


def _replay(message: Message | None, receive: Receive) -> Receive:
    """The message this layer read first, then the rest as it comes."""
    if message is None:
        return receive
    pending: list[Message] = [message]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
