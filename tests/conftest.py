"""Shared fixtures: every backend that is available, real stores on disk, the seeded app.

FalkorDB always runs (an embedded server in a temporary directory, one graph per test);
Neo4j runs when REGISTRY_TEST_NEO4J_URL points at a server (it is cleared before each test);
on a Bolt server that is not Neo4j, tests marked ``neo4j_needs`` for a capability it lacks are
expected failures (tests/neo4j_engine.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from graph.cypher_store import CypherStore
from graph.embedded import EmbeddedServer
from graph.embedded_files import LOG_NAME
from graph.open import open_store
from tests.cypher_log import StatementLog
from tests.neo4j_engine import RACE_DEPENDENT, Engine, Neo4jTarget, probe_engine, store_class

NEO4J_URL = os.environ.get("REGISTRY_TEST_NEO4J_URL")
BACKENDS = [
    "falkordb",
    pytest.param(
        "neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(NEO4J_URL is None, reason="REGISTRY_TEST_NEO4J_URL is not set"),
        ],
    ),
]
# Examples run against real stores and on busy 2-core CI machines: no per-example deadline.
settings.register_profile("registry", deadline=None)
settings.load_profile("registry")

TODAY = date(2026, 11, 22)
# Every test store on Neo4j shares one database; each one clears it. Counting the clears lets
# session-wide seeded data notice that it must be loaded again.
NEO4J_CLEARS: list[int] = [0]
SECRET = b"test-secret"
# The suite checks behaviour, not durability: its shared server fsyncs once a second. The
# production default (always) has tests of its own (tests/e2e/test_full_disk.py and the
# crash test), and opening with "always" switches a running server to it.
SUITE_FSYNC = "everysec"


@pytest.fixture(scope="session")
async def falkordb_dir(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    """One embedded server for the session; each test attaches to it with its own graph."""
    directory = tmp_path_factory.mktemp("falkordb")
    server = await EmbeddedServer.attach(directory, appendfsync=SUITE_FSYNC)
    try:
        yield directory
    finally:
        await server.release()
    _no_engine_crash(directory / LOG_NAME)


def _no_engine_crash(log: Path) -> None:
    """Fail the session when the server, or a child it forked to rewrite its file, crashed:
    a crashed rewrite fails no test by itself, yet it shows memory the engine corrupted
    (design note 48)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    crashes = [line for line in lines if "crashed by signal" in line]
    assert not crashes, f"the suite's FalkorDB server crashed ({log}):\n" + "\n".join(crashes)


_SENT = (
    StatementLog(Path(os.environ["REGISTRY_TEST_CYPHER_LOG"]))
    if os.environ.get("REGISTRY_TEST_CYPHER_LOG")
    else None
)


def pytest_configure() -> None:
    if _SENT is not None:
        _SENT.start()


def pytest_sessionfinish() -> None:
    if _SENT is not None:
        _SENT.write()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Expect the Neo4j runs of ``neo4j_needs`` tests to fail where the server lacks that."""
    needing = [
        item
        for item in items
        if item.get_closest_marker("neo4j") and item.get_closest_marker("neo4j_needs")
    ]
    if NEO4J_URL is None or not needing:
        return
    engine = neo4j_engine()
    for item in needing:
        for marker in item.iter_markers("neo4j_needs"):
            reason = engine.lacks(*marker.args)
            if reason is not None:
                strict = not set(marker.args) <= RACE_DEPENDENT
                item.add_marker(pytest.mark.xfail(strict=strict, reason=reason))


def neo4j_engine() -> Engine:
    """The server at REGISTRY_TEST_NEO4J_URL and what it lacks, probed once per run."""
    assert NEO4J_URL is not None
    if not _ENGINE:
        _ENGINE.append(probe_engine(Neo4jTarget.parse(NEO4J_URL)))
    return _ENGINE[0]


_ENGINE: list[Engine] = []


async def open_neo4j() -> CypherStore:
    """A store on REGISTRY_TEST_NEO4J_URL, without the DDL its engine cannot run."""
    assert NEO4J_URL is not None
    target = Neo4jTarget.parse(NEO4J_URL)
    opener = store_class(neo4j_engine())
    auth = target.auth or (None, None)
    return await opener.open(
        target.address, user=auth[0], password=auth[1], database=target.database
    )


async def open_backend(backend: str, falkordb_dir: Path) -> CypherStore:
    if backend == "neo4j":
        store = await open_neo4j()
        await store.clear()
        NEO4J_CLEARS[0] += 1
        return store
    return await open_store(embedded_url(falkordb_dir))


def embedded_url(falkordb_dir: Path, graph: str | None = None) -> str:
    """A fresh graph (or ``graph``) on the session's embedded server."""
    name = graph or f"t{uuid.uuid4().hex}"
    return f"falkordb+embedded://{falkordb_dir}?graph={name}&appendfsync={SUITE_FSYNC}"


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, falkordb_dir: Path) -> AsyncIterator[CypherStore]:
    """An empty store of each available backend."""
    opened = await open_backend(request.param, falkordb_dir)
    try:
        yield opened
    finally:
        await opened.close()
