"""The HTTP gate in front of GraphQL: JSON POSTs only, bearer keys, a body cap, query-shape
limits, and errors that never show internals."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.domain.vocabulary import Role
from registry.http.responses import STORE_RETRY_AFTER
from registry.schema.errors import STORE_UNAVAILABLE_MESSAGE
from registry.settings import Settings
from tests.api.conftest import CORRUPTED_CERTIFICATE, GraphQLClient
from tests.conftest import SECRET, TODAY

QUERY = '{ region(code: "210200") { name } }'
CORRUPTED_QUERY = f'{{ certificate(number: "{CORRUPTED_CERTIFICATE}") {{ number expiresOn }} }}'
ANSWER = {"data": {"region": {"name": "大连市"}}}


def gate_error(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


@pytest.fixture
async def http(reader: GraphQLClient) -> httpx.AsyncClient:
    """The raw HTTP client of the seeded app, for requests no GraphQL client would send."""
    return reader.http


@pytest.fixture
async def capped(shared_seeded_store: CypherStore) -> AsyncIterator[httpx.AsyncClient]:
    """The seeded app with a 1 KiB body cap (the smallest the settings allow)."""
    settings = Settings(
        env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False, max_body_bytes=1024
    )
    app = create_app(settings, shared_seeded_store, today=lambda: TODAY)
    # Report what the app answers, as a server would, rather than raising in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        yield client


# Methods and media types -------------------------------------------------------------------


async def test_json_post_is_answered(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": QUERY})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == ANSWER


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
async def test_get_is_refused_outside_development(http: httpx.AsyncClient, accept: str) -> None:
    response = await http.get("/graphql", params={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 405
    assert gate_error(response) == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_refused(http: httpx.AsyncClient, method: str) -> None:
    response = await http.request(method, "/graphql", json={"query": QUERY})

    assert response.status_code == 405


async def test_graphiql_is_served_in_development_only(shared_seeded_store: CypherStore) -> None:
    app = create_app(
        Settings(env="development", load_seeds_when_empty=False),
        shared_seeded_store,
        today=lambda: TODAY,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        ide = await client.get("/graphql", headers={"accept": "text/html"})
        boot = await client.get("/graphiql/boot.js")
        operation = await client.get("/graphql", params={"query": QUERY})

    assert ide.status_code in (200, 503)  # 503: scripts/install-graphiql has not run
    assert "graphiql" in ide.text.lower()
    assert boot.status_code == 200
    assert "GraphiQL.createFetcher" in boot.text
    assert operation.status_code == 405


async def test_graphiql_loads_everything_from_the_registry_itself(
    shared_seeded_store: CypherStore,
) -> None:
    """No CDN: every script and stylesheet comes from this origin, and the policy says so."""
    app = create_app(
        Settings(env="development", load_seeds_when_empty=False),
        shared_seeded_store,
        today=lambda: TODAY,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        ide = await client.get("/graphql", headers={"accept": "text/html"})

    sources = re.findall(r'(?:src|href)="([^"]*)"', ide.text)
    assert all(source.startswith("/graphiql/") for source in sources), sources
    policy = ide.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "unsafe" not in policy


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (f"query={QUERY}", "application/x-www-form-urlencoded"),
        ('{"query": "{ __typename }"}', "text/plain"),
        (
            "--b\r\nContent-Disposition: form-data; name=query\r\n\r\n{ __typename }\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
    ],
)
async def test_non_json_posts_are_refused_as_unsupported_media(
    http: httpx.AsyncClient, content: str, content_type: str
) -> None:
    response = await http.post(
        "/graphql", content=content.encode(), headers={"content-type": content_type}
    )

    assert response.status_code == 415
    assert gate_error(response) == "UNSUPPORTED_MEDIA_TYPE"


async def test_post_without_a_content_type_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", content=b'{"query": "{ __typename }"}')

    assert response.status_code == 415


async def test_json_with_a_charset_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=orjson.dumps({"query": QUERY}),
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert response.json() == ANSWER


async def test_body_that_is_not_json_is_a_bad_request(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400


# Credentials -------------------------------------------------------------------------------


async def test_unknown_bearer_key_is_unauthenticated(http: httpx.AsyncClient) -> None:
    forged = "qr_" + secrets.token_urlsafe(32)

    response = await http.post(
        "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {forged}"}
    )

    assert response.status_code == 401
    assert gate_error(response) == "UNAUTHENTICATED"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token qr_abcdef",
        "Bearer not-a-registry-key",
        "qr_abcdef",
    ],
)
async def test_malformed_authorization_header_is_unauthenticated(
    http: httpx.AsyncClient, header: str
) -> None:
    response = await http.post("/graphql", json={"query": QUERY}, headers={"authorization": header})

    assert response.status_code == 401
    assert gate_error(response) == "UNAUTHENTICATED"


async def test_issued_key_is_accepted_in_any_scheme_case(reader: GraphQLClient) -> None:
    key = await reader.key(Role.REGULATOR)

    response = await reader.http.post(
        "/graphql",
        json={"query": "{ certificates(first: 1) { totalCount } }"},
        headers={"authorization": f"bearer {key}"},
    )

    assert response.status_code == 200
    assert "errors" not in response.json()


# Body cap ----------------------------------------------------------------------------------


async def test_body_over_the_cap_is_refused(capped: httpx.AsyncClient) -> None:
    padding = "#" + "x" * 2000 + "\n"

    response = await capped.post("/graphql", json={"query": padding + QUERY})

    assert response.status_code == 413
    assert gate_error(response) == "BODY_TOO_LARGE"


async def test_body_under_the_cap_is_answered(capped: httpx.AsyncClient) -> None:
    response = await capped.post("/graphql", json={"query": QUERY})

    assert response.json() == ANSWER


async def test_streamed_body_over_the_cap_is_refused(capped: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "#'
        for _ in range(4):
            yield b"x" * 512
        yield b'\\n{ __typename }"}'

    response = await capped.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


# Query shape -------------------------------------------------------------------------------


def nested_groups(levels: int) -> str:
    """``institution`` and ``levels`` nested ``group`` selections: depth ``levels + 1``."""
    return (
        '{ institution(uscc: "12210211760664248H") { '
        + "group { " * levels
        + "uscc"
        + " }" * levels
        + " } }"
    )


async def test_query_deeper_than_ten_levels_is_rejected(reader: GraphQLClient) -> None:
    body = await reader(nested_groups(10))

    assert body["data"] is None
    assert "depth" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_query_of_ten_levels_is_answered(reader: GraphQLClient) -> None:
    body = await reader(nested_groups(9))

    assert "errors" not in body, body


def aliased(count: int) -> str:
    return "{ " + " ".join(f'r{n}: region(code: "210200") {{ name }}' for n in range(count)) + " }"


async def test_more_than_fifteen_aliases_are_rejected(reader: GraphQLClient) -> None:
    body = await reader(aliased(16))

    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_fifteen_aliases_are_answered(reader: GraphQLClient) -> None:
    body = await reader(aliased(15))

    assert "errors" not in body, body
    assert len(body["data"]) == 15


async def test_query_of_too_many_tokens_is_rejected(reader: GraphQLClient) -> None:
    body = await reader("{ " + "__typename " * 2100 + "}")

    assert body["data"] is None
    assert "tokens" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_TOKENS"


# Internal errors ---------------------------------------------------------------------------


async def test_internal_errors_are_masked(corrupted_store: CypherStore) -> None:
    app = create_app(
        Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False),
        corrupted_store,
        today=lambda: TODAY,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        response = await client.post("/graphql", json={"query": CORRUPTED_QUERY})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"certificate": None}
    assert [error["message"] for error in body["errors"]] == ["Unexpected error."]
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    assert set(body["errors"][0]["extensions"]) == {"code", "requestId"}
    for internal in ("Traceback", "FalkorDB", "Neo4j", "redis", "isoformat", "Error"):
        assert internal not in response.text


async def test_an_unavailable_store_is_a_503_store_unavailable_with_retry_after(
    unreachable_store: CypherStore,
) -> None:
    app = create_app(
        Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False),
        unreachable_store,
        today=lambda: TODAY,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.status_code == 503
    assert response.headers["retry-after"] == STORE_RETRY_AFTER
    body = response.json()
    assert body["data"] == {"region": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["STORE_UNAVAILABLE"]
    assert body["errors"][0]["message"] == STORE_UNAVAILABLE_MESSAGE
    for internal in ("Traceback", "FalkorDB", "Neo4j", "redis", "socket", "unreachable"):
        assert internal not in response.text


async def test_graphqls_own_errors_carry_a_code(reader: GraphQLClient) -> None:
    syntax = await reader("{ institution(")
    assert syntax["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    unknown = await reader("{ nothingHere }")
    assert unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    "url",
    [
        "/verify?number=%00abc",
        "/verify?number=CCSC23SC0102R2&holder=%ED%A0%80",
        "/certificates/%00/qr.svg",
        "/certificates/CCSC23SC0102R2%00/qr.png",
        "/export/Certificate.ndjson?regions=%00",
    ],
)
async def test_a_url_holding_text_no_store_can_carry_is_refused_with_a_code(
    http: httpx.AsyncClient, url: str
) -> None:
    """Pages and images read their numbers from the URL, past the GraphQL gate's check: NUL
    reached the store there, which answered a parse error, and the client a bare 500."""
    response = await http.get(url)

    assert response.status_code == 400, response.text
    assert gate_error(response) == "INVALID_TEXT"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/certificates/NO-SUCH-NUMBER/qr.svg", 404, "NOT_FOUND"),
        ("/certificates/NO-SUCH-NUMBER/qr.png", 404, "NOT_FOUND"),
        ("/institutions/121101064193791361/network.svg", 403, "NOT_AUTHORIZED"),
    ],
)
async def test_an_image_route_refuses_with_a_code_as_every_route_does(
    http: httpx.AsyncClient, url: str, status: int, code: str
) -> None:
    response = await http.get(url)

    assert response.status_code == status, response.text
    assert gate_error(response) == code


async def test_an_unknown_route_or_method_is_refused_with_a_code(reader: GraphQLClient) -> None:
    """Starlette answered these in plain text; every other refusal is coded JSON."""
    missing = await reader.http.get("/nonexistent")
    posted = await reader.http.post("/verify", data={"number": "CCSC23SC0102R2"})

    assert missing.status_code == 404
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert posted.status_code == 405
    assert posted.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in posted.headers["allow"]
