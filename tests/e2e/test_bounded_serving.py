"""A served registry stays available to everyone while some clients try to hold it
(issue 12, items 3 and 5): documents whose expansion explodes, documents that are slow to
validate, headers sent a byte at a time, and X-Forwarded-For from a client that is no proxy.

The client timeouts below only catch a server that hangs: the refusals take milliseconds
(``python -m bench.bounded`` measures them), the attacks they stop took hours.
"""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.bounded import conflicting_arguments, fan_out
from tests.e2e.serving import served_registry

pytestmark = pytest.mark.slow

LOOKUP = '{ verifyCertificate(number: "CCSC23SC0102R2") { verdict } }'
LOOKUP_LEAF = 'verifyCertificate(number: "CCSC23SC0102R2") { verdict }'
HANG = 20.0  # seconds: far past any answer, far short of the attacks


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("bounded") / "registry-data"
    with served_registry(data, REGISTRY_HEADER_TIMEOUT_SECONDS="1") as base:
        yield base


async def _code(client: httpx.AsyncClient, document: str) -> str:
    response = await client.post("/graphql", json={"query": document}, timeout=HANG)
    errors = response.json().get("errors") or [{"extensions": {"code": "answered"}}]
    return str(errors[0]["extensions"]["code"])


async def test_health_probes_answer_while_hostile_documents_arrive(served: str) -> None:
    hostile = {
        **{fan_out(60, prefix=f"A{n}F"): "QUERY_TOO_COSTLY" for n in range(3)},
        **{fan_out(30, LOOKUP_LEAF, prefix=f"B{n}F"): "QUERY_TOO_COSTLY" for n in range(3)},
        **{conflicting_arguments(180, code=n): "QUERY_TOO_COSTLY" for n in range(3)},
    }
    probes: list[int] = []
    async with httpx.AsyncClient(base_url=served) as client:
        sending = asyncio.gather(*(_code(client, document) for document in hostile))
        while not sending.done() or not probes:
            probes.append((await client.get("/healthz", timeout=HANG)).status_code)
        answers = await sending

    assert answers == list(hostile.values())
    assert set(probes) == {200}


def _closed(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (without waiting for it)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except ConnectionError:
        return True


def test_a_client_sending_its_headers_a_byte_at_a_time_is_dropped(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    head = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\n\r\n".encode()
    sent = 0
    with socket.create_connection((host, int(port)), timeout=HANG) as sock:
        # A byte every quarter second, never the last one: the head takes ~14 s and never
        # ends, and a server with no deadline keeps the connection all that time.
        while sent < len(head) - 1 and not _closed(sock):
            try:
                sock.sendall(head[sent : sent + 1])
            except ConnectionError:
                break
            sent += 1
            time.sleep(0.25)

    assert sent < len(head) - 1  # dropped before the head could end
    assert httpx.get(f"{served}/healthz", timeout=HANG).status_code == 200


def test_a_connection_that_sends_nothing_is_dropped(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=HANG) as sock:
        assert sock.recv(1) == b""  # closed by the server after the header deadline


def _lookups(base: str, forwarded: list[str]) -> list[int]:
    return [
        httpx.post(
            f"{base}/graphql",
            json={"query": LOOKUP},
            headers={"X-Forwarded-For": address},
            timeout=HANG,
        ).status_code
        for address in forwarded
    ]


@pytest.mark.parametrize(
    ("serve_args", "three_addresses"),
    [([], [200, 200, 429]), (["--forwarded-allow-ips", "127.0.0.1"], [200, 200, 200])],
    ids=["by-default", "from-a-listed-proxy"],
)
def test_x_forwarded_for_is_believed_only_from_a_listed_proxy(
    tmp_path: Path, serve_args: list[str], three_addresses: list[int]
) -> None:
    """Two lookups a minute per client: three claimed addresses are three clients only
    when the connection comes from a proxy the operator listed (uvicorn's own default
    trusted any client on the host)."""
    with served_registry(
        tmp_path / "registry-data", serve_args, REGISTRY_PUBLIC_LOOKUPS_PER_MINUTE="2"
    ) as base:
        claimed = _lookups(base, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
        one_address = _lookups(base, ["198.51.100.9"] * 3)

    assert claimed == three_addresses
    assert one_address[-1] == 429
