"""Cached public answers given before the middleware chain (``registry.http.cached_lookups``)
are the normal path's, byte for byte, and stop as soon as the normal path's would change."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.domain.vocabulary import Role
from registry.http.cached_lookups import CachedLookups
from registry.http.gate import GraphQLGate
from registry.settings import Settings
from tests.conftest import SECRET, TODAY

VERIFY = (
    Path(__file__).resolve().parents[2] / "registry" / "persisted" / "verify_certificate.graphql"
).read_text(encoding="utf-8")
PERSISTED = {
    "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(VERIFY.encode()).hexdigest()}
}
NUMBER = "CCSC23SC0102R2"  # expires 2026-12-14
BODY = orjson.dumps({"extensions": PERSISTED, "variables": {"number": NUMBER}})
SUSPEND = (
    "mutation($n: String!) { changeCertificateStatus(input: [{number: $n, status: SUSPENDED,"
    ' reason: "监督审核不合格"}]) { __typename } }'
)
_CHECKED_AT = re.compile(rb'"checkedAt":"[^"]*"')

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class Passed:
    """The app below the fast layer, counting the requests the layer handed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


async def call(
    app: ASGIApp,
    body: bytes = BODY,
    headers: tuple[tuple[bytes, bytes], ...] = (),
    *,
    receive: Receive | None = None,
    then: Send | None = None,
) -> Answer:
    """One POST to /graphql as a server hands it to the app; the raw answer (``then``: a
    client's reaction to each message, run as it arrives)."""
    start, *rest = await _sent(app, body, headers, receive=receive, then=then)
    return start["status"], list(start["headers"]), b"".join(m.get("body", b"") for m in rest)


async def _sent(
    app: ASGIApp,
    body: bytes,
    headers: tuple[tuple[bytes, bytes], ...],
    *,
    receive: Receive | None,
    then: Send | None = None,
) -> list[Message]:
    """The messages the app sends for one POST to /graphql."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"registry.test"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", b"same-id"),
            *headers,
        ],
        "client": ("10.0.0.7", 40000),
        "server": ("registry.test", 80),
    }
    sent: list[Message] = []

    async def whole_body() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def keep(message: Message) -> None:
        sent.append(message)
        if then is not None:
            await then(message)

    await app(scope, receive or whole_body, keep)
    return sent


def _unclocked(answer: Answer) -> Answer:
    status, headers, body = answer
    return status, headers, _CHECKED_AT.sub(b'"checkedAt":"-"', body)


class Today:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


def _app(store: CypherStore, today: Today | None = None, **settings: Any) -> Starlette:
    config = Settings(
        env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False, **settings
    )
    return create_app(config, store, today=today or (lambda: TODAY))


def _gate(app: Starlette) -> GraphQLGate:
    [gate] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(gate, GraphQLGate)
    return gate


def _layer(app: Starlette) -> tuple[CachedLookups, Passed]:
    """A fast layer over the app's own gate, with what it hands on counted."""
    below = Passed(app)
    return CachedLookups(below, gate=_gate(app)), below


def _verdict(answer: Answer) -> str:
    verdict: str = orjson.loads(answer[2])["data"]["verifyCertificate"]["verdict"]
    return verdict


async def test_a_cached_answer_is_the_gates_byte_for_byte(shared_seeded_store: CypherStore) -> None:
    app = _app(shared_seeded_store, public_lookups_per_minute=1000)
    layer, below = _layer(app)
    executed = await call(app)  # fills the cache
    # An ignored member, or an empty Authorization header (the public), is left to the gate,
    # which answers from the same cache entry.
    by_gate = await call(app, orjson.dumps({**orjson.loads(BODY), "ignored": 1}))
    by_gate_too = await call(app, headers=((b"authorization", b""),))
    fast = await call(layer)

    assert below.calls == 0
    assert (
        _unclocked(fast) == _unclocked(by_gate) == _unclocked(by_gate_too) == _unclocked(executed)
    )
    assert fast[0] == 200
    assert dict(fast[1])[b"x-request-id"] == b"same-id"
    assert fast[2] != executed[2]  # confirmed again, so checked again


async def test_what_the_gate_would_answer_otherwise_is_handed_on(
    shared_seeded_store: CypherStore,
) -> None:
    app = _app(shared_seeded_store, public_lookups_per_minute=1000)
    layer, below = _layer(app)
    await call(app)
    key = await _admin_key(app, shared_seeded_store)
    others = [
        call(layer, headers=((b"authorization", f"Bearer {key}".encode()),)),  # a credential
        call(layer, orjson.dumps({"query": VERIFY, "variables": {"number": NUMBER}})),  # text
        call(layer, orjson.dumps({"extensions": PERSISTED, "variables": {"number": "NOPE"}})),
        call(layer, orjson.dumps({**orjson.loads(BODY), "operationName": "Other"})),
        call(layer, orjson.dumps({**orjson.loads(BODY), "query": "{ __typename }"})),
    ]
    answers = [await other for other in others]

    assert below.calls == len(others)
    assert _verdict(answers[0]) == _verdict(answers[1]) == "VALID"
    assert _verdict(answers[2]) == "NOT_FOUND"
    assert [a[0] for a in answers[3:]] == [400, 400]


async def test_without_a_cache_every_request_is_handed_on(
    shared_seeded_store: CypherStore,
) -> None:
    app = _app(shared_seeded_store, public_lookups_per_minute=1000, response_cache_entries=0)
    layer, below = _layer(app)
    answers = [await call(layer) for _ in range(2)]

    assert below.calls == 2
    assert [_verdict(a) for a in answers] == ["VALID", "VALID"]


async def _admin_key(app: Starlette, store: CypherStore) -> str:
    from registry.auth import create_api_key

    return await create_api_key(store, role=Role.ADMIN, label="test", actor="test")


async def test_a_write_here_ends_the_cached_answer_at_once(seeded_store: CypherStore) -> None:
    app = _app(seeded_store, public_lookups_per_minute=1000)
    layer, below = _layer(app)
    key = await _admin_key(app, seeded_store)
    assert _verdict(await call(app)) == "VALID"
    assert _verdict(await call(layer)) == "VALID"
    assert below.calls == 0

    mutation = orjson.dumps({"query": SUSPEND, "variables": {"n": NUMBER}})
    written = await call(app, mutation, ((b"authorization", f"Bearer {key}".encode()),))
    after = await call(layer)

    assert b"ChangeCertificateStatusSuccess" in written[2]
    assert below.calls == 1
    assert _verdict(after) == "NOT_VALID"
    assert _verdict(await call(layer)) == "NOT_VALID"
    assert below.calls == 1


async def test_a_write_elsewhere_ends_it_within_the_refresh(seeded_store: CypherStore) -> None:
    app = _app(seeded_store, public_lookups_per_minute=1000, response_cache_refresh_seconds=0.2)
    elsewhere = _app(seeded_store)  # another process's app over the same store
    layer, below = _layer(app)
    key = await _admin_key(app, seeded_store)
    assert _verdict(await call(app)) == "VALID"

    mutation = orjson.dumps({"query": SUSPEND, "variables": {"n": NUMBER}})
    await call(elsewhere, mutation, ((b"authorization", f"Bearer {key}".encode()),))
    await asyncio.sleep(0.25)
    after = await call(layer)

    assert below.calls == 1
    assert _verdict(after) == "NOT_VALID"


async def test_a_new_day_is_a_new_answer(shared_seeded_store: CypherStore) -> None:
    today = Today(TODAY)
    app = _app(shared_seeded_store, today, public_lookups_per_minute=1000)
    layer, below = _layer(app)
    assert _verdict(await call(app)) == "VALID"
    assert _verdict(await call(layer)) == "VALID"
    assert below.calls == 0

    today.day = date(2026, 12, 15)  # the day after it expired
    after = await call(layer)

    assert below.calls == 1
    assert _verdict(after) == "NOT_VALID"


@pytest.mark.parametrize("limit", ["public_lookups_per_minute", "requests_per_minute"])
async def test_rate_limits_apply_with_the_gates_refusal(
    shared_seeded_store: CypherStore, limit: str
) -> None:
    app = _app(shared_seeded_store, **{limit: 3})
    layer, below = _layer(app)
    assert (await call(app))[0] == 200  # the first of three
    answers = [await call(layer) for _ in range(3)]
    refused_by_gate = await call(app, headers=((b"authorization", b""),))

    assert [a[0] for a in answers] == [200, 200, 429]
    assert below.calls == 0
    assert answers[2] == refused_by_gate
    assert dict(answers[2][1])[b"retry-after"]
    assert orjson.loads(answers[2][2])["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_fast_answer_is_counted_and_logged(
    shared_seeded_store: CypherStore, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(shared_seeded_store, public_lookups_per_minute=1000)
    metrics = app.state.runtime.metrics
    await call(app)
    counter = metrics.requests.labels("/graphql", "POST", "200")
    before = counter._value.get()

    with caplog.at_level(logging.INFO, logger="registry.access"):
        await call(app)

    assert counter._value.get() == before + 1
    [line] = [r for r in caplog.records if r.name == "registry.access"]
    fields = getattr(line, "fields", {})
    assert fields["route"] == "/graphql"
    assert fields["status"] == 200


async def test_a_body_that_never_comes_is_timed_out_as_the_gate_does(
    shared_seeded_store: CypherStore,
) -> None:
    app = _app(shared_seeded_store, request_timeout_seconds=0.1)

    async def silent() -> Message:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    status, headers, body = await call(app, receive=silent)

    assert status == 503
    assert dict(headers)[b"x-request-id"] == b"same-id"
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


async def test_a_query_its_client_abandoned_is_stopped_unanswered(
    shared_seeded_store: CypherStore,
) -> None:
    """Ten anomaly scans sent and dropped kept both cores busy until the 30 s limit. A query
    whose client went away is stopped; one whose client waits is answered."""
    app = _app(shared_seeded_store)
    key = await _admin_key(app, shared_seeded_store)
    body = orjson.dumps({"query": "{ anomalies { scanned } }"})
    admin = ((b"authorization", f"Bearer {key}".encode()),)

    def client(then: Message | None) -> Receive:
        said = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Message:
            if said:
                return said.pop()
            if then is None:  # the client waits for its answer
                await asyncio.sleep(3600)
            return then or {"type": "http.disconnect"}

        return receive

    abandoned = await _sent(app, body, admin, receive=client({"type": "http.disconnect"}))
    waited = await _sent(app, body, admin, receive=client(None))

    assert abandoned == []
    assert waited[0]["status"] == 200
    assert orjson.loads(waited[1]["body"])["data"]["anomalies"]["scanned"] > 0


# Under uvicorn, with each answer written at once (registry.http.coalesced_writes) ------------


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes
) -> tuple[dict[bytes, bytes], bytes]:
    """One request on a kept-alive connection; the answer's headers and body as sent."""
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: registry.test\r\ncontent-type: application/json\r\n"
        b"x-request-id: same-id\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")[:-2]
    assert status == b"HTTP/1.1 200 OK", head
    headers = dict(line.split(b": ", 1) for line in lines)
    return headers, await reader.readexactly(int(headers[b"content-length"]))


async def test_answers_through_uvicorn_are_whole_and_in_order(
    shared_seeded_store: CypherStore,
) -> None:
    import uvicorn

    from registry.http.coalesced_writes import FLUSH_BYTES, ServingProtocol

    app = _app(shared_seeded_store, public_lookups_per_minute=1000)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, http=ServingProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    for _ in range(1000):  # uvicorn says it started by a flag only
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    page = "institutions(first: 100) { edges { node { uscc name address region { name } } } }"
    large = orjson.dumps({"query": f"{{ a: {page} b: {page} c: {page} }}"})  # ~20 kB
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        executed = await _exchange(reader, writer, BODY)
        cached = await _exchange(reader, writer, BODY)  # the same connection, kept alive
        big = await _exchange(reader, writer, large)
        again = await _exchange(reader, writer, BODY)
        writer.close()
    finally:
        server.should_exit = True
        await serving

    by_asgi = await call(app)
    for headers, body in (executed, cached, again):
        assert _CHECKED_AT.sub(b"", body) == _CHECKED_AT.sub(b"", by_asgi[2])
        assert headers[b"x-request-id"] == b"same-id"
        assert b"date" in headers
        assert headers[b"content-type"] == b"application/json"
    assert len(big[1]) > FLUSH_BYTES
    assert "errors" not in orjson.loads(big[1])
