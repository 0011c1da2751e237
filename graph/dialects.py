"""The few places where FalkorDB and Neo4j 5 differ: schema DDL, locking the counter,
finding holders by name, importing variables into a subquery and counting a node's edges.

Labels and properties here come from the fixed list below, never from input.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.cypher.regions import statistics
from graph.cypher.scores import credit_inputs

__all__ = ["FALKORDB", "NEO4J", "RETIRED", "SCHEMA", "Dialect", "IndexSpec"]


@dataclass(frozen=True, slots=True)
class IndexSpec:
    label: str
    prop: str
    unique: bool


SCHEMA: tuple[IndexSpec, ...] = (
    IndexSpec("ChangeCounter", "id", unique=True),
    IndexSpec("Change", "seq", unique=True),
    IndexSpec("Region", "code", unique=True),
    IndexSpec("Institution", "uscc", unique=True),
    IndexSpec("Institution", "creditSort", unique=False),
    IndexSpec("Institution", "creditSeq", unique=False),
    IndexSpec("CreditHistory", "toSeq", unique=False),
    IndexSpec("Organization", "uscc", unique=True),
    IndexSpec("Organization", "nameGrams", unique=False),
    IndexSpec("Organization", "pinyinKeys", unique=False),
    IndexSpec("Accreditation", "number", unique=True),
    IndexSpec("Certificate", "number", unique=True),
    IndexSpec("Complaint", "id", unique=True),
    IndexSpec("CreditRating", "id", unique=True),
    IndexSpec("CreditEvent", "id", unique=True),
    IndexSpec("ServiceEvaluation", "id", unique=True),
    IndexSpec("ServiceAssessment", "certificate", unique=True),
    IndexSpec("SupervisionPlan", "id", unique=True),
    IndexSpec("Dispute", "id", unique=True),
    IndexSpec("Dispute", "institution", unique=False),
    IndexSpec("ServiceStation", "uscc", unique=True),
    IndexSpec("ServiceRequest", "id", unique=True),
    IndexSpec("Benchmark", "id", unique=True),
    IndexSpec("Benchmark", "category", unique=False),
    IndexSpec("Person", "key", unique=True),
    IndexSpec("Address", "key", unique=True),
    IndexSpec("ApiKey", "digest", unique=True),
    # No index on IdempotencyKey.expiresAt: FalkorDB 4.16 leaves a range index stale when
    # the property is rewritten inside FOREACH (an expired key claimed again), and the
    # purge that would use it runs rarely and in bounded chunks.
    IndexSpec("IdempotencyKey", "key", unique=True),
    IndexSpec("RegionTally", "key", unique=True),
    IndexSpec("RegionTally", "region", unique=False),
    IndexSpec("RankTally", "key", unique=True),
)

# Indexes older stores have and this version drops on open. A certificate is found by its
# issuer or holder through the ISSUED / CERTIFIES edge of the (indexed) party node: the two
# property indexes held two entries per certificate, and an engine loading a snapshot
# rebuilds every index (most of a restart's time at 1M certificates; design note 38).
RETIRED: tuple[IndexSpec, ...] = (
    IndexSpec("Certificate", "issuer", unique=False),
    IndexSpec("Certificate", "holder", unique=False),
)


_ALL_GRAMS = "all(g IN $grams WHERE g IN o.nameGrams)"


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    head_for_update: str
    # Holders (``o``) whose name contains every bigram of the query's.
    name_candidates: str
    region_statistics: str
    credit_inputs: str
    search_schema: tuple[str, ...] = ()
    # Walk a whole label by internal node-id windows (FalkorDB scans a window directly, where
    # ordering by key sorts the label for every page) or by key (Neo4j: its ids are opaque,
    # ``id()`` is deprecated, and the key index gives the order).
    pages_by_node_id: bool = True

    def index_statements(self) -> list[str]:
        """Idempotent DDL for SCHEMA in this engine's syntax."""
        if self.name == "neo4j":
            return [
                (
                    f"CREATE CONSTRAINT {s.label}_{s.prop}_unique IF NOT EXISTS "
                    f"FOR (n:{s.label}) REQUIRE n.{s.prop} IS UNIQUE"
                )
                if s.unique
                else (
                    f"CREATE INDEX {s.label}_{s.prop} IF NOT EXISTS "
                    f"FOR (n:{s.label}) ON (n.{s.prop})"
                )
                for s in SCHEMA
            ]
        # FalkorDB has no IF NOT EXISTS: the store ignores "already indexed" answers, and
        # unique constraints go through GRAPH.CONSTRAINT on top of these indexes.
        return [f"CREATE INDEX FOR (n:{s.label}) ON (n.{s.prop})" for s in SCHEMA]

    def drop_statements(self) -> list[str]:
        """DDL dropping the RETIRED indexes: idempotent on Neo4j; on FalkorDB (no IF
        EXISTS) the store sends one only for an index the engine lists."""
        if self.name == "neo4j":
            return [f"DROP INDEX {s.label}_{s.prop} IF EXISTS" for s in RETIRED]
        return [f"DROP INDEX ON :{s.label}({s.prop})" for s in RETIRED]


# FalkorDB indexes list elements, so the most distinctive bigram finds candidates by index.
FALKORDB = Dialect(
    name="falkordb",
    head_for_update="MATCH (c:ChangeCounter {id: 'main'}) RETURN c.seq AS seq, c.hash AS hash",
    # (One WHERE: FalkorDB 4.16 drops every row when the filter follows in a WITH.)
    name_candidates=f"MATCH (o:Organization) WHERE $anchor IN o.nameGrams AND {_ALL_GRAMS}",
    region_statistics=statistics(scoped=False),
    credit_inputs=credit_inputs(issued="outdegree(i, 'ISSUED')"),
)

# Neo4j reads without locks: touching the counter first takes its write lock, so the head we
# read cannot move until the transaction ends.
# Neo4j does not index list elements; its full-text index with the CJK analyzer finds the
# candidates, and the bigram filter then applies the same rule as on FalkorDB. (The pinyin
# and typo lookups test list membership, which Neo4j answers by scanning the label.)
NEO4J = Dialect(
    name="neo4j",
    head_for_update=(
        "MATCH (c:ChangeCounter {id: 'main'}) SET c.seq = c.seq RETURN c.seq AS seq, c.hash AS hash"
    ),
    name_candidates=(
        "CALL db.index.fulltext.queryNodes('organization_names', $phrase) YIELD node AS o "
        f"WITH o WHERE {_ALL_GRAMS}"
    ),
    region_statistics=statistics(scoped=True),
    credit_inputs=credit_inputs(issued="COUNT { (i)-[:ISSUED]->() }"),
    pages_by_node_id=False,
    search_schema=(
        "CREATE FULLTEXT INDEX organization_names IF NOT EXISTS FOR (o:Organization) "
        "ON EACH [o.name] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
    ),
)
