"""Every surface answers 503 STORE_UNAVAILABLE with Retry-After while the store is down, and
/readyz says not ready: clients and load balancers know to retry, and nothing half-read is
served as if it were whole. (GraphQL itself: tests/api/test_http.py.)"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graph.cypher_store import CypherStore
from graph.falkordb_store import FalkorDBStore
from graph.open import open_store
from registry.app import READY_SECONDS, create_app
from registry.http.responses import STORE_RETRY_AFTER
from registry.settings import Settings
from tests.conftest import SECRET, TODAY

KEY = "Bearer qr_" + "0" * 43  # any key: checking it needs the store


@pytest.fixture
async def client(unreachable_store: CypherStore) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False)
    app = create_app(settings, unreachable_store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield http


def assert_store_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == STORE_RETRY_AFTER
    assert response.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"


async def test_readiness_fails_while_the_store_is_down(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == STORE_RETRY_AFTER
    assert (await client.get("/healthz")).status_code == 200  # the process itself is alive


async def test_readiness_fails_within_its_bound_while_the_store_hangs(tmp_path: Path) -> None:
    """A stopped server (SIGSTOP) held /readyz for as long as it was stopped, 45 s, and then
    it said ready (twenty-third session's review)."""
    store = await open_store(f"falkordb+embedded://{tmp_path / 'hung'}?graph=hung")
    assert isinstance(store, FalkorDBStore)
    assert store.server is not None
    pid = store.server.server_pid
    assert pid is not None
    settings = Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False)
    app = create_app(settings, store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
            assert (await http.get("/readyz")).status_code == 200
            os.kill(pid, signal.SIGSTOP)
            try:
                started = time.monotonic()
                hung = await http.get("/readyz")
                waited = time.monotonic() - started
            finally:
                os.kill(pid, signal.SIGCONT)
            assert hung.status_code == 503
            assert waited < READY_SECONDS + 5, waited
    finally:
        await store.close()


@pytest.mark.parametrize(
    "path", ["/export/changes.ndjson", "/export/Certificate.ndjson", "/metrics"]
)
async def test_keyed_routes_answer_store_unavailable(client: httpx.AsyncClient, path: str) -> None:
    assert_store_unavailable(await client.get(path, headers={"Authorization": KEY}))


async def test_a_keyed_graphql_request_answers_store_unavailable(
    client: httpx.AsyncClient,
) -> None:
    mutation = "mutation { issueCertificates(input: []) { __typename } }"
    response = await client.post(
        "/graphql", json={"query": mutation}, headers={"Authorization": KEY}
    )
    assert_store_unavailable(response)


async def test_the_verification_page_says_so_to_people(client: httpx.AsyncClient) -> None:
    page = await client.get(
        "/verify", params={"number": "CCSC23SC0102R2"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 503
    assert page.headers["retry-after"] == STORE_RETRY_AFTER
    assert page.headers["content-type"].startswith("text/html")
    assert "STORE_UNAVAILABLE" in page.text
    for internal in ("Traceback", "FalkorDB", "Neo4j", "redis", "socket"):
        assert internal not in page.text


async def test_a_qr_image_answers_store_unavailable(client: httpx.AsyncClient) -> None:
    assert_store_unavailable(await client.get("/certificates/CCSC23SC0102R2/qr.png"))


@pytest.mark.parametrize(
    "path", ["/institutions/91110101940807760M", "/ranking", "/regions/210200"]
)
async def test_the_pages_for_people_say_so_too(client: httpx.AsyncClient, path: str) -> None:
    """Their reads go through the schema, which masks the outage: the page raises it again
    rather than draw a page of blanks."""
    page = await client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert page.headers["retry-after"] == STORE_RETRY_AFTER
    assert "STORE_UNAVAILABLE" in page.text
