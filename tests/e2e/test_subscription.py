"""The live change feed over graphql-transport-ws, against `registry serve` as a process:
a partner catches up from a cursor, sees a write as it happens, and resumes after a drop."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry

pytestmark = pytest.mark.slow

PROTOCOL = "graphql-transport-ws"
FOLLOW = """subscription($after: String) {
  changes(after: $after, entities: [Certificate]) { seq entity key op cursor } }"""
SUSPEND = """mutation($n: String!) { changeCertificateStatus(input:
  [{number: $n, status: SUSPENDED, reason: "监督审核发现问题"}]) { __typename } }"""
DALIAN_CERTIFICATE = "CCSC23SC0102R2"


async def _follow(base: str, key: str | None, after: str | None = None) -> ClientConnection:
    """A connection with the feed subscribed (after ``after``), or refused at connection_init."""
    socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
    payload = {} if key is None else {"Authorization": f"Bearer {key}"}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    subscribe = {"query": FOLLOW, "variables": {"after": after}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    return socket


async def _next(socket: ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message["type"] == "next", message
    change: dict[str, Any] = message["payload"]["data"]["changes"]
    return change


def test_a_partner_follows_live_changes_and_resumes_from_its_cursor(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, keys = served_with_keys

    async def scenario() -> list[dict[str, Any]]:
        socket = await _follow(base, keys["PARTNER"])
        before_drop = [await _next(socket) for _ in range(3)]
        await socket.close()  # the partner drops, keeping the last cursor it saw

        socket = await _follow(base, keys["PARTNER"], after=before_drop[-1]["cursor"])
        after_drop = [await _next(socket)]
        async with httpx.AsyncClient(timeout=10) as http:
            written = await http.post(
                f"{base}/graphql",
                json={"query": SUSPEND, "variables": {"n": DALIAN_CERTIFICATE}},
                headers={"Authorization": f"Bearer {keys['ADMIN']}"},
            )
        assert written.json()["data"]["changeCertificateStatus"]["__typename"] != "NotAuthorized"
        while not (
            after_drop[-1]["key"] == DALIAN_CERTIFICATE
            and after_drop[-1]["op"] == "STATUS"
            and after_drop[-1]["seq"] > after_drop[0]["seq"]
        ):
            after_drop.append(await _next(socket))
        await socket.close()
        return before_drop + after_drop

    seen = asyncio.run(scenario())

    seqs = [change["seq"] for change in seen]
    assert seqs == sorted(set(seqs)), "a change was missed twice or came out of order"
    assert {change["entity"] for change in seen} == {"Certificate"}
    feed = httpx.post(
        f"{base}/graphql",
        json={
            "query": "{ changes(first: 100, entities: [Certificate]) { edges { node { seq } } } }"
        },
        headers={"Authorization": f"Bearer {keys['PARTNER']}"},
        timeout=10,
    ).json()
    expected = [edge["node"]["seq"] for edge in feed["data"]["changes"]["edges"]]
    assert seqs[: len(expected)] == expected[: len(seqs)]  # nothing skipped across the drop


def test_every_message_arrives_as_a_text_frame(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    """graphql-transport-ws sends JSON in text frames: Node graphql-ws and Python gql refuse
    binary ones (``recv`` gives ``str`` for a text frame and ``bytes`` for a binary one)."""
    base, keys = served_with_keys

    received: list[str | bytes] = []

    async def exchange() -> None:
        url = base.replace("http", "ws", 1) + "/graphql"
        async with connect(url, subprotocols=[PROTOCOL]) as socket:

            async def until(kind: str) -> None:
                while True:
                    received.append(await asyncio.wait_for(socket.recv(), 10))
                    if json.loads(received[-1])["type"] == kind:
                        return

            auth = {"Authorization": f"Bearer {keys['ADMIN']}"}
            await socket.send(json.dumps({"type": "connection_init", "payload": auth}))
            await until("connection_ack")
            follow = {"query": FOLLOW, "variables": {"after": None}}
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": follow}))
            await until("next")
            await socket.send(json.dumps({"type": "ping"}))
            await until("pong")
            query = {"query": "{ changes(first: 1) { totalCount } }"}
            await socket.send(json.dumps({"id": "2", "type": "subscribe", "payload": query}))
            await until("error")  # USE_HTTP

    asyncio.run(exchange())

    kinds = {json.loads(frame)["type"] for frame in received}
    assert kinds >= {"connection_ack", "next", "pong", "error"}
    assert all(isinstance(frame, str) for frame in received), {type(f) for f in received}


def test_a_partner_subscription_carries_no_keys_and_no_complaints(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, keys = served_with_keys
    everything = "subscription { changes { seq entity key op } }"

    async def scenario() -> list[dict[str, Any]]:
        socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
        init = {"Authorization": f"Bearer {keys['PARTNER']}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": everything}}
        await socket.send(json.dumps(subscribe))
        async with httpx.AsyncClient(timeout=10) as http:  # a last change to wait for
            await http.post(
                f"{base}/graphql",
                json={"query": SUSPEND, "variables": {"n": DALIAN_CERTIFICATE}},
                headers={"Authorization": f"Bearer {keys['ADMIN']}"},
            )
        seen = [await _next(socket)]
        while not (seen[-1]["key"] == DALIAN_CERTIFICATE and seen[-1]["op"] == "STATUS"):
            seen.append(await _next(socket))
        await socket.close()
        return seen

    seen = asyncio.run(scenario())

    entities = {change["entity"] for change in seen}
    assert {"Region", "Institution", "Certificate"} <= entities
    assert not {"ApiKey", "Complaint"} & entities  # the log holds both (seed complaints, keys)


def test_a_live_subscription_ends_once_its_key_is_revoked(
    served_with_keys: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, _ = served_with_keys
    data = tmp_path / "registry-data"  # where served_with_keys serves from
    created = _registry("keys", "create", "--role", "PARTNER", "--label", "leaks", data=data)
    key = created.stdout.strip().splitlines()[-1]

    async def scenario() -> tuple[dict[str, Any], float]:
        socket = await _follow(base, key)
        await _next(socket)
        revoked = await asyncio.to_thread(_registry, "keys", "revoke", "leaks", data=data)
        assert revoked.returncode == 0, revoked.stderr
        started = asyncio.get_running_loop().time()
        while True:  # the catch-up goes on until the key is checked again
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            if message["type"] != "next" or "errors" in message["payload"]:
                await socket.close()
                return message, asyncio.get_running_loop().time() - started

    message, waited = asyncio.run(scenario())

    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert waited < 2.5


def test_a_connection_without_a_valid_key_is_refused(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, _ = served_with_keys

    async def attempt(payload: dict[str, str]) -> int | None:
        socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            await asyncio.wait_for(socket.recv(), 10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None

    assert asyncio.run(attempt({})) == 4403
    assert asyncio.run(attempt({"Authorization": "Bearer not-a-key"})) == 4403
    assert asyncio.run(attempt({"Authorization": ""})) == 4403  # empty is missing, not public
    assert asyncio.run(attempt({"Authorization": "  "})) == 4403


async def _replies(base: str, key: str, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first reply to each subscribe of ``payloads``, sent in turn on one socket."""
    socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
    replies = []
    for n, payload in enumerate(payloads):
        await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
        while True:  # the subscriptions before it stream on meanwhile
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            if message.get("id") == str(n):
                replies.append(message)
                break
    await socket.close()
    return replies


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"query": "{ changes(first: 1) { totalCount } }"}, "USE_HTTP"),
        # Two operations and no name: the query ran, past the HTTP gate (reviewer).
        (
            {"query": "query A { __typename } subscription B { changes { seq } }"},
            "OPERATION_NOT_FOUND",
        ),
        (
            {"query": "mutation A { __typename } subscription B { changes { seq } }"},
            "OPERATION_NOT_FOUND",
        ),
        # A syntax error answered only 'complete', and a traceback in the log.
        ({"query": "subscription { changes { seq }"}, "GRAPHQL_PARSE_FAILED"),
    ],
)
def test_only_subscriptions_run_over_the_socket(
    served_with_keys: tuple[str, dict[str, str]], payload: dict[str, Any], code: str
) -> None:
    base, keys = served_with_keys

    [reply] = asyncio.run(_replies(base, keys["ADMIN"], [payload]))

    assert reply["type"] == "error", reply
    assert reply["payload"][0]["extensions"]["code"] == code


def test_subscriptions_past_the_limit_are_refused_with_a_code(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, keys = served_with_keys
    follow = {"query": "subscription { changes(entities: [Region]) { seq } }"}

    replies = asyncio.run(_replies(base, keys["PARTNER"], [follow] * 6))

    assert [r["type"] for r in replies[:5]] == ["next"] * 5, replies
    assert replies[5]["type"] == "error"
    assert replies[5]["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


def test_a_socket_that_never_says_connection_init_is_closed(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, _ = served_with_keys

    async def wait_silently() -> tuple[int | None, float]:
        socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
        started = asyncio.get_running_loop().time()
        try:
            await asyncio.wait_for(socket.recv(), 30)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            return code, asyncio.get_running_loop().time() - started
        return None, 0.0

    code, waited = asyncio.run(wait_silently())

    assert code == 4408  # graphql-transport-ws: connection initialisation timeout
    assert 9 <= waited <= 20


def test_a_key_revoked_while_its_socket_is_open_starts_no_subscription(
    served_with_keys: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """The socket's principal was read at connection_init: each subscription checks the key
    again before it reads anything (it streamed the whole feed first, once a second)."""
    base, _ = served_with_keys
    data = tmp_path / "registry-data"
    created = _registry("keys", "create", "--role", "PARTNER", "--label", "open", data=data)
    key = created.stdout.strip().splitlines()[-1]

    async def scenario() -> dict[str, Any]:
        socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        revoked = await asyncio.to_thread(_registry, "keys", "revoke", "open", data=data)
        assert revoked.returncode == 0, revoked.stderr
        subscribe = {"query": FOLLOW, "variables": {"after": None}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        first: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
        await socket.close()
        return first

    first = asyncio.run(scenario())

    errors = first["payload"] if first["type"] == "error" else first["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert first["type"] == "error" or first["payload"].get("data") is None


def test_a_malformed_message_closes_the_socket_with_4400_and_the_server_serves_on(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, keys = served_with_keys
    nested = "[" * 5_000 + "1" + "]" * 5_000
    deep = json.dumps({"id": "1", "type": "subscribe", "payload": {"query": FOLLOW}})
    deep = deep[:-2] + ', "variables": {"x": ' + nested + "}}}"
    malformed = [
        "[1, 2]",
        "5",
        "null",
        json.dumps({"id": "1", "type": "subscribe", "payload": None}),
        json.dumps({"id": 1, "type": "subscribe", "payload": {"query": FOLLOW}}),
        # echoed in every message sent: 1 MB of it sent 1.2 GB in 8 s
        json.dumps({"id": "x" * 129, "type": "subscribe", "payload": {"query": FOLLOW}}),
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": FOLLOW, "variables": [1]}}
        ),
        deep,
    ]

    async def closed_with(text: str) -> int | None:
        socket = await connect(
            base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL], max_size=None
        )
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {keys['ADMIN']}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        await socket.send(text)
        try:
            await asyncio.wait_for(socket.recv(), 10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        await socket.close()
        return None

    async def scenario() -> tuple[list[int | None], int | None, dict[str, Any]]:
        codes = [await closed_with(text) for text in malformed]
        too_big = await closed_with(json.dumps({"type": "ping", "payload": {"x": "x" * 3_000_000}}))
        socket = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {keys['ADMIN']}"}}
        await socket.send(json.dumps(init))
        reply: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
        await socket.close()
        return codes, too_big, reply

    codes, too_big, reply = asyncio.run(scenario())

    assert codes == [4400] * len(malformed)
    assert too_big == 1009
    assert httpx.get(base + "/healthz", timeout=10).status_code == 200
    assert reply["type"] == "connection_ack"


def test_a_key_holds_a_bounded_number_of_sockets_open(tmp_path: Path) -> None:
    """Each subscription polls: a key that opened socket after socket held them all, its
    load growing with each. Past the cap a socket is closed (1008) once acknowledged, and a
    socket closed frees its place."""
    data = tmp_path / "registry-data"
    base, process = start_registry(data, REGISTRY_MAX_SOCKETS_PER_KEY="2")
    try:
        created = _registry("keys", "create", "--role", "PARTNER", data=data)
        key = created.stdout.strip().splitlines()[-1]

        async def scenario() -> tuple[int | None, str]:
            first, second = await _follow(base, key), await _follow(base, key)
            try:  # acknowledged, then closed: its subscribe may meet the close
                third = await _follow(base, key)
                await asyncio.wait_for(third.recv(), 10)
                refused = None
            except ConnectionClosed as closed:
                refused = closed.rcvd.code if closed.rcvd else None
            await first.close()
            follows = "never freed"
            for _ in range(40):  # its place is freed once the server has shut it down
                try:
                    fourth = await _follow(base, key)
                    follows = (await _next(fourth))["entity"]
                    await fourth.close()
                    break
                except ConnectionClosed:
                    await asyncio.sleep(0.25)
            await second.close()
            return refused, follows

        refused, follows = asyncio.run(scenario())
    finally:
        stop_registry(process)

    assert refused == 1008
    assert follows == "Certificate"


def test_each_subscribe_counts_against_its_keys_requests(tmp_path: Path) -> None:
    """The socket counted once, its messages not at all: one key ran 1,500 operations in
    1.9 s over one socket, past an allowance of 1,200 a minute (reviewer)."""
    data = tmp_path / "registry-data"
    base, process = start_registry(data, REGISTRY_REQUESTS_PER_MINUTE="3")
    try:
        created = _registry("keys", "create", "--role", "PARTNER", data=data)
        key = created.stdout.strip().splitlines()[-1]
        follow = {"query": "subscription { changes(entities: [Region]) { seq } }"}
        replies = asyncio.run(_replies(base, key, [follow] * 3))  # the socket is the first
    finally:
        stop_registry(process)

    assert [r["type"] for r in replies] == ["next", "next", "error"], replies
    assert replies[2]["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
