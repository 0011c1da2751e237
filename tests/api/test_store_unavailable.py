"""Every surface answers 503 STORE_UNAVAILABLE with Retry-After while the store is down, and
/readyz says not ready: clients and load balancers know to retry, and nothing half-read is
served as if it were whole. (GraphQL itself: tests/api/test_http.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graph.cypher_store import CypherStore
from registry.app import create_app
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
