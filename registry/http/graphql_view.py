"""Strawberry's ASGI view as the registry runs it: our context, orjson, coded errors, and a
WebSocket that runs subscriptions only, in text frames."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from graphql import GraphQLError, OperationType
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.http.temporal_response import TemporalResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    Message,
    SubscribeMessage,
    SubscribeMessagePayload,
)
from strawberry.types import ExecutionResult

from graph.errors import BackendUnavailable
from registry.auth import (
    ANONYMOUS,
    InvalidCredentials,
    Principal,
    authenticate,
    connection_authorization,
)
from registry.context import Context
from registry.http.graphiql import graphiql_page
from registry.http.responses import STORE_RETRY_AFTER
from registry.http.runtime import Runtime
from registry.loaders import Loaders
from registry.resolvers.root import build_schema
from registry.schema.documents import operation_type
from registry.schema.errors import PublicError, code_for_message

__all__ = ["RegistryGraphQL", "SubscriptionsOnly", "TextFrames"]


class TextFrames(ASGIWebSocketAdapter):
    """Every message as a text frame, as graphql-transport-ws requires: strawberry sends
    bytes as binary frames, and orjson encodes to bytes, which Node's graphql-ws and Python's
    gql both refuse."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        """Strawberry's, but a frame longer than an HTTP body may be closes the socket
        (1009), and JSON nested too deep is not JSON (its decoder let RecursionError
        through, and the handler died with it)."""
        limit = cast("RegistryGraphQL", self.view).runtime.settings.max_body_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > limit:
                    await self.ws.close(code=1009, reason="message too big")
                    return
                try:
                    yield orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:  # a binary frame
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass


STORE_UNAVAILABLE = BackendUnavailable.code


class SubscriptionsOnly(BaseGraphQLTransportWSHandler[Context, None]):
    """Over WebSocket only subscriptions run: queries and mutations go through the HTTP gate,
    which rate-limits, caps bodies and keeps the response cache honest."""

    counted: Principal | None = None  # whose socket this is, once counted against its key

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Acknowledged, the socket counts against its key's ``max_sockets_per_key``; one
        past it is closed (1008)."""
        await super().handle_connection_init(message)
        if not self.connection_acknowledged or self.counted is not None:
            return
        runtime = cast("RegistryGraphQL", self.view).runtime
        if not runtime.open_socket(self.context.principal):
            await self.websocket.close(code=1008, reason="too many sockets open for this key")
            return
        self.counted = self.context.principal

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.counted is not None:
            cast("RegistryGraphQL", self.view).runtime.close_socket(self.counted)
            self.counted = None

    async def handle_message(self, message: Message) -> None:
        """A message of the wrong shape closes the socket (4400), as the protocol says,
        instead of failing inside strawberry's handler (a TypeError ended the connection
        with no close code)."""
        if not _well_formed(message):
            await self.handle_invalid_message("Failed to parse message")
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Each subscribe is refused with a coded error unless it names one subscription to
        run, on a key still valid and within its requests for the minute: a document of two
        operations and no name ran its query or mutation here, past the HTTP gate, and a
        socket kept serving a key revoked since it opened."""
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # 4401, 4409: the protocol's own closes
            return
        refusal = await self._refusal(message["payload"])
        if refusal is not None:
            reply: ErrorMessage = {
                "id": message["id"],
                "type": "error",
                "payload": [refusal.formatted],
            }
            await self.send_message(reply)
            return
        context = self.context
        view = cast("RegistryGraphQL", self.view)
        context.today = view.runtime.today()  # what it reads is read afresh, on today's day
        context.loaders = Loaders.for_request(context.store, context.today)
        await super().handle_subscribe(message)

    async def _refusal(self, payload: SubscribeMessagePayload) -> PublicError | None:
        view = cast("RegistryGraphQL", self.view)
        context = self.context
        # First, and for every message: a flood of bad documents spends the key's requests.
        if view.runtime.over_limit(None, context.principal) is not None:
            return PublicError("RATE_LIMITED", "this key used up its requests for the minute")
        try:
            parsed = await view.runtime.documents.parsed(payload["query"])
        except GraphQLError as exc:
            return PublicError(code_for_message(exc.message), exc.message)
        kind = operation_type(parsed.document, payload.get("operationName"))
        if kind is None:
            return PublicError(
                "OPERATION_NOT_FOUND", "name the one subscription to run (operationName)"
            )
        if kind is not OperationType.SUBSCRIPTION:
            return PublicError(
                "USE_HTTP", "only subscriptions run over WebSocket; POST queries and mutations"
            )
        try:
            context.principal = await authenticate(
                view.runtime.open_store, connection_authorization(context.connection_params)
            )
        except InvalidCredentials as exc:
            return PublicError("UNAUTHENTICATED", str(exc))
        limit = self.max_subscriptions_per_connection
        if limit is not None and len(self.operations) >= limit:
            return PublicError(
                "TOO_MANY_SUBSCRIPTIONS", f"at most {limit} subscriptions on one connection"
            )
        return None


# An operation's id is echoed in every message of it: a 1 MB id turned one subscription of
# the change log into 1.2 GB sent in 8 s. A UUID is 36 characters.
MAX_OPERATION_ID = 128


def _well_formed(message: object) -> bool:
    """The fields a graphql-transport-ws message must have, of the types they must have
    (an operation's id at most ``MAX_OPERATION_ID`` characters)."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return False
    kind = message["type"]
    if kind in ("connection_init", "ping", "pong"):
        return isinstance(message.get("payload"), dict | None)
    if kind == "complete":
        return _operation_id(message.get("id"))
    if kind != "subscribe":
        return True  # strawberry refuses an unknown type itself
    payload = message.get("payload")
    return (
        _operation_id(message.get("id"))
        and isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables"), dict | None)
        and isinstance(payload.get("operationName"), str | None)
    )


def _operation_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_OPERATION_ID


class RegistryGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, orjson encoding and no GET operations."""

    websocket_adapter_class = TextFrames

    def __init__(self, runtime: Runtime, *, subscriptions: bool = False) -> None:
        settings = runtime.settings
        super().__init__(
            build_schema(settings, runtime.documents),
            graphql_ide="graphiql" if settings.env == "development" and not subscriptions else None,
            allow_queries_via_get=False,
            # Only the current protocol: it refuses operations before connection_init.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,) if subscriptions else (),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            connection_init_wait_timeout=timedelta(seconds=10),  # a silent socket is dropped
        )
        self.runtime = runtime
        self.graphql_transport_ws_handler_class = SubscriptionsOnly

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        """GraphiQL from this origin (development only: ``graphql_ide`` is None otherwise)."""
        return graphiql_page()

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
            clock=self.runtime.today,
        )

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        header = connection_authorization(context.connection_params)
        if header is None or not header.strip():  # empty is missing, not the public
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

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """503 with Retry-After when the store was unavailable: the answer is incomplete, and
        load balancers and clients know a 503 is worth retrying."""
        if _store_was_unavailable(response_data):
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = STORE_RETRY_AFTER
        return super().create_response(response_data, sub_response)

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


def _store_was_unavailable(data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> bool:
    results = data if isinstance(data, list) else [data]
    return any(
        isinstance(error, dict) and error.get("extensions", {}).get("code") == STORE_UNAVAILABLE
        for result in results
        for error in result.get("errors") or []
    )
