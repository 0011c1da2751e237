"""Neighbourhoods of institutions: one batched statement per relation and direction.

Each statement takes the frontier as ``$keys`` (USCCs) and returns one row per link, so a
breadth-first walk in Python costs one round trip per relation and hop on every engine.
"""

from __future__ import annotations

__all__ = [
    "ADDRESS_CLUSTERS",
    "ADDRESS_CLUSTERS_IN_REGION",
    "COMPLAINT_LINKS",
    "DESCRIBE_PARTIES",
    "GROUP_LINKS",
    "HELD_FROM",
    "ISSUED_TO",
    "PERSON_CLUSTERS",
    "PERSON_CLUSTERS_IN_REGION",
    "SHARED_ADDRESS_LINKS",
    "SHARED_PERSON_LINKS",
]

# MEMBER_OF both ways; ``member`` says which end is the member.
GROUP_LINKS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[r:MEMBER_OF]-(other:Institution)
RETURN key AS source, other.uscc AS target, startNode(r).uscc AS member
"""

SHARED_PERSON_LINKS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:REPRESENTED_BY]->(p:Person)
MATCH (p)<-[:REPRESENTED_BY]-(other:Institution)
WHERE other.uscc <> key
RETURN key AS source, other.uscc AS target, p.key AS via, p.name AS viaLabel
"""

SHARED_ADDRESS_LINKS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:LOCATED_AT]->(a:Address)
MATCH (a)<-[:LOCATED_AT]-(other:Institution)
WHERE other.uscc <> key
RETURN key AS source, other.uscc AS target, a.key AS via, a.text AS viaLabel
"""

# From the party's node along its edges; the far party's USCC is a property of the
# certificate.
ISSUED_TO = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:ISSUED]->(c:Certificate)
WITH key, c.holder AS target, count(c) AS certificates
RETURN key AS source, target, certificates
ORDER BY certificates DESC, target
LIMIT $limit
"""

HELD_FROM = """
UNWIND $keys AS key
MATCH (:Organization {uscc: key})<-[:CERTIFIES]-(c:Certificate)
WITH key, c.issuer AS target, count(c) AS certificates
RETURN key AS source, target, certificates
ORDER BY certificates DESC, target
LIMIT $limit
"""

COMPLAINT_LINKS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})<-[:AGAINST]-(k:Complaint)
RETURN key AS source, k.id AS id, k.category AS category, k.status AS status
ORDER BY k.filedOn DESC, k.id
LIMIT $limit
"""

# An institution that holds certificates is also an Organization with the same USCC.
DESCRIBE_PARTIES = """
UNWIND $keys AS key
OPTIONAL MATCH (i:Institution {uscc: key})
OPTIONAL MATCH (o:Organization {uscc: key})
WITH key, i, o WHERE i IS NOT NULL OR o IS NOT NULL
RETURN key AS uscc, coalesce(i.name, o.name) AS name, coalesce(i.region, o.region) AS region,
       i IS NOT NULL AS institution
"""

_CLUSTER = """
WITH DISTINCT shared
MATCH (shared)<-[:{rel}]-(i:Institution)
WITH shared, collect(DISTINCT i.uscc) AS members
WHERE size(members) > 1
RETURN shared.key AS key, shared.{text} AS label, members
ORDER BY key
"""

PERSON_CLUSTERS = "MATCH (shared:Person)<-[:REPRESENTED_BY]-(:Institution)" + _CLUSTER.format(
    rel="REPRESENTED_BY", text="name"
)
ADDRESS_CLUSTERS = "MATCH (shared:Address)<-[:LOCATED_AT]-(:Institution)" + _CLUSTER.format(
    rel="LOCATED_AT", text="text"
)
_IN_REGION = (
    "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(:Institution)"
)
PERSON_CLUSTERS_IN_REGION = (
    _IN_REGION
    + "-[:REPRESENTED_BY]->(shared:Person)"
    + _CLUSTER.format(rel="REPRESENTED_BY", text="name")
)
ADDRESS_CLUSTERS_IN_REGION = (
    _IN_REGION + "-[:LOCATED_AT]->(shared:Address)" + _CLUSTER.format(rel="LOCATED_AT", text="text")
)
