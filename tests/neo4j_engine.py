"""What the Bolt server at REGISTRY_TEST_NEO4J_URL can do, found once by trying it.

CI runs the Neo4j backend's tests against ArcadeDB's Bolt plugin, which is not Neo4j. Where
that engine lacks something the registry uses on Neo4j, the tests that need it carry
``@pytest.mark.neo4j_needs(<capability>)`` and are expected failures there, naming the engine;
on a real Neo4j every capability is present and they run as ordinary tests.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, unquote, urlsplit

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import Neo4jError

from graph.dialects import NEO4J
from graph.neo4j_store import Neo4jStore

__all__ = ["CAPABILITIES", "RACE_DEPENDENT", "Engine", "Neo4jTarget", "probe_engine", "store_class"]

CAPABILITIES = {
    "full_text": "no full-text index (CREATE FULLTEXT INDEX, db.index.fulltext.queryNodes)",
    "counter_lock": (
        "writes take no lock that a second writer waits for (optimistic transactions: racing "
        "writers of the change counter conflict instead of queueing)"
    ),
}
# Lacks that show only when writers race: a run whose writers happen not to overlap passes,
# so their expected failures are not strict (an XPASS there says nothing about the engine).
RACE_DEPENDENT = frozenset({"counter_lock"})
# How long a second writer may wait before we call the first one's lock real.
_LOCK_WAIT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    address: str
    auth: tuple[str, str] | None
    database: str | None

    @classmethod
    def parse(cls, url: str) -> Neo4jTarget:
        parts = urlsplit(url)
        database = parse_qs(parts.query).get("database", [None])[-1]
        auth = None
        if parts.username is not None and parts.password is not None:
            auth = (unquote(parts.username), unquote(parts.password))
        return cls(f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}", auth, database)


@dataclass(frozen=True, slots=True)
class Engine:
    agent: str
    missing: frozenset[str]

    @property
    def name(self) -> str:
        """``ArcadeDB 26.10.2`` from ``Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)``."""
        found = re.search(r"\(([^)]+)\)", self.agent)
        return found.group(1) if found else self.agent

    def lacks(self, capability: str) -> str | None:
        """Why a test needing ``capability`` is expected to fail here, or None."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r}")
        if capability not in self.missing:
            return None
        return f"{self.name} (not Neo4j): {CAPABILITIES[capability]}"


def probe_engine(target: Neo4jTarget) -> Engine:
    with GraphDatabase.driver(target.address, auth=target.auth) as driver:
        agent = driver.get_server_info().agent
        missing = set()
        if not _has_full_text(driver, target.database):
            missing.add("full_text")
        if not _locks_on_write(driver, target.database):
            missing.add("counter_lock")
    return Engine(agent, frozenset(missing))


def store_class(engine: Engine) -> type[Neo4jStore]:
    """Neo4jStore, or one that leaves out the full-text DDL an engine cannot run."""
    if "full_text" not in engine.missing:
        return Neo4jStore

    class WithoutFullText(Neo4jStore):
        dialect = replace(NEO4J, search_schema=())

    return WithoutFullText


def _has_full_text(driver: Driver, database: str | None) -> bool:
    """The registry's own full-text DDL (idempotent) and a query through its index."""
    try:
        for statement in NEO4J.search_schema:
            driver.execute_query(statement, database_=database)
        driver.execute_query(
            "CALL db.index.fulltext.queryNodes('organization_names', $phrase) YIELD node "
            "RETURN count(node) AS found",
            {"phrase": "质量"},
            database_=database,
        )
    except Neo4jError:
        return False
    return True


def _locks_on_write(driver: Driver, database: str | None) -> bool:
    """Whether a second transaction setting a node waits while a first one holds it set."""
    probe = "MATCH (p:CapabilityProbe {id: 'lock'}) SET p.seq = p.seq + 1 RETURN p.seq AS seq"
    driver.execute_query("MERGE (p:CapabilityProbe {id: 'lock'}) SET p.seq = 0", database_=database)
    second_done = threading.Event()

    def second_writer() -> None:
        try:
            driver.execute_query(probe, database_=database)
        except Neo4jError:
            pass  # a conflict is an answer too: it did not wait
        finally:
            second_done.set()

    try:
        with driver.session(database=database) as session, session.begin_transaction() as first:
            first.run(probe).consume()
            writer = threading.Thread(target=second_writer, daemon=True)
            writer.start()
            waited = not second_done.wait(_LOCK_WAIT_SECONDS)
            first.rollback()
        writer.join(timeout=30)
    finally:
        driver.execute_query("MATCH (p:CapabilityProbe) DETACH DELETE p", database_=database)
    return waited
