"""Anti-enumeration: public lookups are limited per client, every alias counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.http.ratelimit import RateLimiter
from registry.settings import Settings
from tests.conftest import SECRET, TODAY

LOOKUP = '{ verifyCertificate(number: "CCSC23SC0102R2") { verdict } }'
LIMIT = 5


@pytest.fixture
async def limited(
    shared_seeded_store: CypherStore, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        signing_keys_dir=tmp_path / "keys",
        env="test",
        secret_key=SECRET.decode(),
        load_seeds_when_empty=False,
        public_lookups_per_minute=LIMIT,
        requests_per_minute=50,
    )
    app = create_app(settings, shared_seeded_store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield http


async def _post(http: httpx.AsyncClient, query: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_a_client_over_the_public_lookup_limit_gets_429_with_retry_after(
    limited: httpx.AsyncClient,
) -> None:
    for _ in range(LIMIT):
        assert (await _post(limited, LOOKUP)).status_code == 200
    refused = await _post(limited, LOOKUP)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_aliases_inside_one_request_each_count_as_a_lookup(
    limited: httpx.AsyncClient,
) -> None:
    aliased = (
        "{ "
        + " ".join(
            f'v{i}: verifyCertificate(number: "CCSC23SC0102R2") {{ verdict }}'
            for i in range(LIMIT + 1)
        )
        + " }"
    )
    assert (await _post(limited, aliased)).status_code == 429


async def test_lookups_hidden_in_fragments_are_counted(limited: httpx.AsyncClient) -> None:
    fields = " ".join(
        f'v{i}: certificate(number: "CCSC23SC0102R2") {{ number }}' for i in range(LIMIT + 1)
    )
    query = f"query {{ ...F }} fragment F on Query {{ {fields} }}"
    assert (await _post(limited, query)).status_code == 429


async def test_queries_without_lookups_do_not_use_up_the_lookup_allowance(
    limited: httpx.AsyncClient,
) -> None:
    for _ in range(LIMIT * 2):
        response = await _post(limited, '{ region(code: "210200") { name } }')
        assert response.status_code == 200
    assert (await _post(limited, LOOKUP)).status_code == 200


async def test_credentialed_callers_have_their_own_request_allowance(
    limited: httpx.AsyncClient, shared_seeded_store: CypherStore
) -> None:
    key = await create_api_key(
        shared_seeded_store,
        role=Role.REGULATOR,
        regions=["210000"],
        label="rate test",
        actor="test",
    )
    for _ in range(LIMIT * 3):
        assert (await _post(limited, LOOKUP, key)).status_code == 200
    for _ in range(50 - LIMIT * 3):
        await _post(limited, LOOKUP, key)
    assert (await _post(limited, LOOKUP, key)).status_code == 429


def test_the_window_slides() -> None:
    now = [1000.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    assert limiter.acquire("a", 2) == 0.0
    now[0] += 30
    assert limiter.acquire("a", 1) == 0.0
    assert limiter.acquire("a", 1) == pytest.approx(30.0)
    assert limiter.acquire("b", 3) == 0.0
    now[0] += 31
    assert limiter.acquire("a", 2) == 0.0


async def test_the_page_the_qr_image_and_graphql_share_one_allowance(
    limited: httpx.AsyncClient,
) -> None:
    for _ in range(2):
        assert (
            await limited.get("/verify", params={"number": "CCSC23SC0102R2"})
        ).status_code == 200
    assert (await limited.get("/certificates/CCSC23SC0102R2/qr.svg")).status_code == 200
    for _ in range(LIMIT - 3):
        assert (await _post(limited, LOOKUP)).status_code == 200
    page = await limited.get("/verify", params={"number": "CCSC23SC0102R2"})
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert (await _post(limited, LOOKUP)).status_code == 429
    assert (await limited.get("/certificates/CCSC23SC0102R2/qr.png")).status_code == 429


# Against a well-formed USCC nobody holds: refused NOT_FOUND, so the shared store is untouched.
FILE_COMPLAINT = """mutation { fileComplaint(input: {
  against: "91210204770009001B", category: "c", details: "d"}) { __typename } }"""


async def test_filing_a_complaint_without_a_key_draws_on_the_lookup_allowance(
    limited: httpx.AsyncClient,
) -> None:
    for _ in range(LIMIT - 1):
        answer = await _post(limited, FILE_COMPLAINT)
        assert answer.json()["data"]["fileComplaint"]["__typename"] == "NotFound"
    assert (await _post(limited, LOOKUP)).status_code == 200
    refused = await _post(limited, FILE_COMPLAINT)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_the_exports_share_the_credentials_request_allowance(
    limited: httpx.AsyncClient, shared_seeded_store: CypherStore
) -> None:
    key = await create_api_key(shared_seeded_store, role=Role.PARTNER, label="bulk", actor="test")
    headers = {"Authorization": f"Bearer {key}"}
    paths = ["/export/Region.ndjson", "/export/changes.ndjson?after=0"] * 25

    answers = [(await limited.get(path, headers=headers)).status_code for path in paths]
    refused = await limited.get("/export/Region.ndjson", headers=headers)
    graphql = await _post(limited, "{ __typename }", key)

    assert set(answers) == {200}
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert graphql.status_code == 429  # one allowance for GraphQL and the exports


async def test_the_pages_for_people_share_the_clients_request_allowance(
    limited: httpx.AsyncClient,
) -> None:
    """50 requests a minute: the region page uses them up as GraphQL would, then says so."""
    answers = [(await limited.get("/regions/210200")).status_code for _ in range(50)]
    refused = await limited.get("/ranking")
    graphql = await _post(limited, "{ __typename }")

    assert set(answers) == {200}
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"].startswith("text/html")
    assert graphql.status_code == 429


async def test_public_demands_to_service_stations_count_against_the_same_limit(
    limited: httpx.AsyncClient,
) -> None:
    # Refused as invalid, so nothing is written to the shared store; each still counts.
    demand = (
        'mutation { submitServiceRequest(input: {station: "", category: METROLOGY, demand: "",'
        ' enterprise: "", contact: ""}) { __typename } }'
    )
    for _ in range(LIMIT):
        answered = await _post(limited, demand)
        assert answered.json()["data"]["submitServiceRequest"]["__typename"] == "InvalidInput"
    assert (await _post(limited, demand)).status_code == 429
