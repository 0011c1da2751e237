"""The app over every backend through httpx's ASGI transport, with the seed dataset loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.cypher_store import CypherStore
from graph.neo4j_store import Neo4jStore
from graph.open import open_store
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.operations.seeding import load_seeds
from registry.settings import Settings
from tests.conftest import BACKENDS, NEO4J_CLEARS, SECRET, TODAY, open_backend, open_neo4j

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "seeds"
# Well-known seed identities (see seeds/README.md).
CCSC = "91110101940807760M"
DALIAN_ASSOCIATION = "512102048090915095"  # 大连市检验检测认证协会
CNAS = "12110105777699279Y"  # 中国合格评定国家认可委员会


def test_settings() -> Settings:
    return Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False)


# What a test key of each role acts for when a test does not say: an association its own
# institution, a partner CCSC's certification system, a regulator the whole seeded country.
DEFAULT_PARTIES: dict[Role, tuple[str, ...]] = {
    Role.ASSOCIATION: (DALIAN_ASSOCIATION,),
    Role.PARTNER: (CCSC,),
    Role.ACCREDITATION_BODY: (CNAS,),
    Role.STATION: ("1221010232988047XL",),  # 沈阳市和平区一站式质量服务站
}
SEEDED_PROVINCES = ("110000", "210000", "320000", "370000", "430000", "440000")
Parties = str | tuple[str, ...] | None


class GraphQLClient:
    """Posts operations like any client would; ``role`` adds a bearer key of that role, bound
    to ``institution`` (a USCC or several) or to the role's default parties."""

    def __init__(self, http: httpx.AsyncClient, store: CypherStore) -> None:
        self.http = http
        self.store = store
        self._keys: dict[tuple[Role, tuple[str, ...]], str] = {}

    async def key(self, role: Role, institution: Parties = None) -> str:
        if institution is None:
            parties = DEFAULT_PARTIES.get(role, ())
        else:
            parties = (institution,) if isinstance(institution, str) else institution
        if (role, parties) not in self._keys:
            self._keys[(role, parties)] = await create_api_key(
                self.store,
                role=role,
                institutions=parties,
                regions=SEEDED_PROVINCES if role is Role.REGULATOR else None,
                label="test",
                actor="test",
            )
        return self._keys[(role, parties)]

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.PUBLIC,
        institution: Parties = None,
        bearer: str | None = None,
    ) -> httpx.Response:
        """``bearer``: a key made by the test itself, instead of one of ``role``."""
        headers = {}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        elif role is not Role.PUBLIC:
            headers["Authorization"] = f"Bearer {await self.key(role, institution)}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.PUBLIC,
        institution: Parties = None,
        bearer: str | None = None,
    ) -> dict[str, Any]:
        response = await self.post(
            query, variables, role=role, institution=institution, bearer=bearer
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def _client(store: CypherStore) -> AsyncIterator[GraphQLClient]:
    app = create_app(test_settings(), store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield GraphQLClient(http, store)


@pytest.fixture(scope="session", params=BACKENDS)
async def _shared_seed(
    request: pytest.FixtureRequest, falkordb_dir: Path
) -> AsyncIterator[tuple[CypherStore, list[int]]]:
    store = await open_backend(request.param, falkordb_dir)
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    seeded_at = [NEO4J_CLEARS[0]]
    try:
        yield store, seeded_at
    finally:
        await store.close()


@pytest.fixture
async def shared_seeded_store(_shared_seed: tuple[CypherStore, list[int]]) -> CypherStore:
    """Seeded once per session for tests that only read (again on Neo4j after a clear)."""
    store, seeded_at = _shared_seed
    if isinstance(store, Neo4jStore) and seeded_at[0] != NEO4J_CLEARS[0]:
        await store.clear()
        await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
        seeded_at[0] = NEO4J_CLEARS[0]
    return store


@pytest.fixture
async def reader(shared_seeded_store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """A client for read-only tests (do not write through it)."""
    async for client in _client(shared_seeded_store):
        yield client


@pytest.fixture
async def seeded_store(store: CypherStore) -> CypherStore:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    return store


@pytest.fixture
async def api(seeded_store: CypherStore) -> AsyncIterator[GraphQLClient]:
    """A client over a freshly seeded store of its own, for tests that write."""
    async for client in _client(seeded_store):
        yield client


class Clock:
    """The registry's calendar, moved by the test."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 11, 23))  # a Monday


@pytest.fixture
async def station_api(seeded_store: CypherStore, clock: Clock) -> AsyncIterator[GraphQLClient]:
    """A client of a freshly seeded store whose calendar the test moves (the stations'
    time limits count working days from a Monday)."""
    app = create_app(test_settings(), seeded_store, today=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield GraphQLClient(http, seeded_store)


Snapshot = Callable[[], Awaitable[dict[str, int]]]


@pytest.fixture
def snapshot(seeded_store: CypherStore) -> Snapshot:
    """What a refused write must leave untouched: the change head and entity counts."""
    from graph.models import CertificateQuery, InstitutionQuery

    async def take() -> dict[str, int]:
        head = await seeded_store.change_head()
        return {
            "seq": head.seq,
            "institutions": await seeded_store.count_institutions(InstitutionQuery()),
            "certificates": await seeded_store.count_certificates(CertificateQuery(today=TODAY)),
        }

    return take


CORRUPTED_CERTIFICATE = "CCSC23SC0102R2"


@pytest.fixture
async def corrupted_store(seeded_store: CypherStore) -> CypherStore:
    """A seeded store holding a value the registry never writes (a date that is not one), as
    a damaged disk or a careless hand could leave it: reading it fails unexpectedly."""
    await seeded_store._housekeeping(
        "MATCH (c:Certificate {number: $n}) SET c.expiresOn = 'not a date'",
        {"n": CORRUPTED_CERTIFICATE},
    )
    return seeded_store


@pytest.fixture(params=BACKENDS)
async def unreachable_store(request: pytest.FixtureRequest, tmp_path: Path) -> CypherStore:
    """A store whose database has gone away (the last handle of its own server was closed)."""
    if request.param == "neo4j":
        store = await open_neo4j()  # not cleared: other tests' data stay
    else:
        store = await open_store(f"falkordb+embedded://{tmp_path / 'gone'}?graph=gone")
    await store.close()
    return store
