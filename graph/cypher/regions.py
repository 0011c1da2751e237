"""Administrative regions and their parent tree."""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.timelines import status_in

__all__ = ["ALL_REGIONS", "GET_REGIONS", "UPSERT_REGIONS", "statistics"]

_VALID_TODAY = status_in("c", "$today", "['VALID']")
_FIELDS = "RETURN r.code AS code, r.name AS name, r.level AS level, r.parent AS parent"

ALL_REGIONS = "MATCH (r:Region)\n" + _FIELDS

GET_REGIONS = "UNWIND $keys AS key MATCH (r:Region {code: key})\n" + _FIELDS

UPSERT_REGIONS = logged(
    """
MERGE (r:Region {code: row.code})
SET r.name = row.name, r.level = row.level, r.parent = row.parent
WITH row, r
OPTIONAL MATCH (:Region)-[old:PARENT_OF]->(r)
DELETE old
WITH DISTINCT row, r
OPTIONAL MATCH (parent:Region {code: row.parent})
FOREACH (p IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END |
    MERGE (p)-[:PARENT_OF]->(r))
""",
    region="row.code",
)


def statistics(*, scoped: bool) -> str:
    """Counts per region; ``scoped`` imports ``root`` as ``CALL (root) {``, which Neo4j 5.23+
    wants and FalkorDB 4.16 cannot parse, instead of the older ``CALL { WITH root``."""
    call = "CALL (root) {" if scoped else "CALL {\n    WITH root"
    return f"""
UNWIND $keys AS key
MATCH (root:Region {{code: key}})
{call}
    OPTIONAL MATCH (root)-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(i:Institution)
    RETURN count(DISTINCT i) AS institutions
}}
{call}
    OPTIONAL MATCH (root)-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(o:Organization)
                   <-[:CERTIFIES]-(c:Certificate)
    WHERE c.expiresOn >= $today AND {_VALID_TODAY}
    RETURN count(c) AS validCertificates, count(DISTINCT o) AS certifiedOrganizations
}}
RETURN key AS code, institutions, validCertificates, certifiedOrganizations
"""
