"""Institutions, holders (organizations) and accreditations.

An institution's and an accreditation's status are timelines, like a certificate's: an upsert
sets the status of a new record only (its first step); later steps go through the status
changes below, each effective on its date (graph.cypher.timelines).
"""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.timelines import NO_NEXT, history, refresh, status_in

__all__ = [
    "ACCREDITATIONS_HELD",
    "CHANGE_ACCREDITATION_STATUSES",
    "CHANGE_INSTITUTION_STATUSES",
    "GET_ACCREDITATIONS",
    "GET_INSTITUTIONS",
    "GET_ORGANIZATIONS",
    "GROUP_MEMBERS",
    "INSTITUTION_USCCS",
    "LINK_KEYS_DONE",
    "LINK_KEYS_KEPT",
    "LISTING_FILTERS",
    "PEOPLE_NAMED_ELSEWHERE",
    "REPRESENTING",
    "UPGRADE_LINK_KEYS",
    "UPSERT_ACCREDITATIONS",
    "UPSERT_INSTITUTIONS",
    "UPSERT_ORGANIZATIONS",
    "institution_listing",
]

INSTITUTION_FIELDS = (
    """
RETURN i.uscc AS uscc, i.name AS name, i.kinds AS kinds, i.region AS region,
       i.address AS address, i.founded AS founded, i.ownership AS ownership,
       i.status AS status, i.version AS version,
       head([(i)-[:MEMBER_OF]->(g:Institution) | g.uscc]) AS group,
       [(i)-[:BELONGS_TO]->(a:Institution) | a.uscc] AS associations,
       head([(i)-[:REPRESENTED_BY]->(p:Person) | {key: p.key, name: p.name}]) AS representative,
       i.statusSince AS statusSince, i.statusUntil AS statusUntil,
       """
    + history("i")
    + """ AS history
"""
)

# Stores written before institutions kept their links' keys (design note 36): up to $limit
# institutions a run get them from their relationships; a mark on the counter ends it.
UPGRADE_LINK_KEYS = """
MATCH (n:Institution) WHERE n.version IS NOT NULL AND n.associationKeys IS NULL
WITH n LIMIT $limit
OPTIONAL MATCH (n)-[:MEMBER_OF]->(g:Institution)
WITH n, head(collect(g.uscc)) AS groupKey
OPTIONAL MATCH (n)-[:BELONGS_TO]->(a:Institution)
WITH n, groupKey, collect(a.uscc) AS associationKeys
OPTIONAL MATCH (n)-[:REPRESENTED_BY]->(p:Person)
WITH n, groupKey, associationKeys, head(collect(p.key)) AS representativeKey
SET n.groupKey = groupKey, n.associationKeys = associationKeys,
    n.representativeKey = representativeKey
RETURN count(n) AS upgraded
"""
LINK_KEYS_KEPT = "MATCH (c:ChangeCounter {id: 'main'}) RETURN c.institutionLinkKeys AS done"
LINK_KEYS_DONE = "MATCH (c:ChangeCounter {id: 'main'}) SET c.institutionLinkKeys = 1"

GET_INSTITUTIONS = "UNWIND $keys AS key MATCH (i:Institution {uscc: key})" + INSTITUTION_FIELDS

INSTITUTION_USCCS = "MATCH (i:Institution) RETURN i.uscc AS uscc"

GROUP_MEMBERS = (
    "UNWIND $keys AS key MATCH (:Institution {uscc: key})<-[:MEMBER_OF]-(i:Institution)"
    + INSTITUTION_FIELDS
)

# The institutions each of the persons ``$keys`` represents.
REPRESENTING = """
UNWIND $keys AS key
MATCH (:Person {key: key})<-[:REPRESENTED_BY]-(i:Institution)
RETURN key, collect(i.uscc) AS usccs
"""

UPSERT_INSTITUTIONS = logged(
    """
MERGE (i:Institution {uscc: row.uscc})
WITH row, i, i.version IS NULL AS fresh
SET i += row.props, i.version = coalesce(i.version, 0) + 1,
    i.status = CASE WHEN fresh THEN row.history.status ELSE i.status END,
    i.statusSince = CASE WHEN fresh THEN row.history.effectiveOn ELSE i.statusSince END,
    i.statusUntil = CASE WHEN fresh THEN """
    + f"'{NO_NEXT}'"
    + """ ELSE i.statusUntil END,
    i.stepOn = CASE WHEN fresh THEN [row.history.effectiveOn] ELSE i.stepOn END,
    i.stepSeq = CASE WHEN fresh THEN [row.change.seq] ELSE i.stepSeq END,
    i.stepStatus = CASE WHEN fresh THEN [row.history.status] ELSE i.stepStatus END
FOREACH (first IN CASE WHEN fresh THEN [row.history] ELSE [] END |
    CREATE (i)-[:HAS_STATUS]->(:StatusChange {
        number: row.uscc, status: first.status, reason: first.reason,
        effectiveOn: first.effectiveOn, recordedAt: row.change.at,
        actor: row.change.actor, seq: row.change.seq}))
WITH row, i
OPTIONAL MATCH (i)-[old:IN_REGION|MEMBER_OF|BELONGS_TO|REPRESENTED_BY|LOCATED_AT]->()
DELETE old
WITH DISTINCT row, i
MATCH (region:Region {code: row.region})
CREATE (i)-[:IN_REGION]->(region)
FOREACH (key IN CASE WHEN row.group IS NULL THEN [] ELSE [row.group] END |
    MERGE (g:Institution {uscc: key})
    MERGE (i)-[:MEMBER_OF]->(g))
FOREACH (key IN coalesce(row.associations, []) |
    MERGE (association:Institution {uscc: key})
    MERGE (i)-[:BELONGS_TO]->(association))
FOREACH (person IN CASE WHEN row.person IS NULL THEN [] ELSE [row.person] END |
    MERGE (p:Person {key: person.key})
    SET p.name = person.name
    MERGE (i)-[:REPRESENTED_BY]->(p))
FOREACH (address IN CASE WHEN row.addressKey IS NULL THEN [] ELSE [row.addressKey] END |
    MERGE (a:Address {key: address})
    SET a.text = row.props.address
    MERGE (i)-[:LOCATED_AT]->(a))
""",
    region="i.region",
)

# The institutions of ``$rows`` whose representative (by key) an institution outside the
# batch names under another name: one person's record is shared, so the write would rename
# them there.
PEOPLE_NAMED_ELSEWHERE = """
UNWIND $rows AS row
MATCH (p:Person {key: row.key})<-[:REPRESENTED_BY]-(other:Institution)
WHERE NOT other.uscc IN $batch AND p.name <> row.name
RETURN DISTINCT row.uscc AS uscc
"""

_ORGANIZATION_FIELDS = """
RETURN o.uscc AS uscc, o.name AS name, o.region AS region, o.version AS version
"""

GET_ORGANIZATIONS = "UNWIND $keys AS key MATCH (o:Organization {uscc: key})" + _ORGANIZATION_FIELDS

UPSERT_ORGANIZATIONS = logged(
    """
MERGE (o:Organization {uscc: row.uscc})
SET o += row.props, o.nameGrams = row.grams, o += row.keys, o.version = coalesce(o.version, 0) + 1
WITH row, o
OPTIONAL MATCH (o)-[old:IN_REGION]->()
DELETE old
WITH DISTINCT row, o
MATCH (region:Region {code: row.props.region})
CREATE (o)-[:IN_REGION]->(region)
""",
    region="o.region",
)

_ACCREDITATION_FIELDS = (
    """
RETURN a.number AS number, a.scheme AS scheme, a.body AS body, a.holder AS holder,
       a.scope AS scope, a.validFrom AS validFrom, a.validUntil AS validUntil,
       a.status AS status, a.version AS version,
       a.statusSince AS statusSince, a.statusUntil AS statusUntil,
       """
    + history("a")
    + " AS history\n"
)

ACCREDITATIONS_HELD = (
    "UNWIND $keys AS key\nMATCH (:Institution {uscc: key})-[:HOLDS]->(a:Accreditation)"
    + _ACCREDITATION_FIELDS
)

GET_ACCREDITATIONS = (
    "UNWIND $keys AS key MATCH (a:Accreditation {number: key})" + _ACCREDITATION_FIELDS
)

UPSERT_ACCREDITATIONS = logged(
    """
MATCH (body:Institution {uscc: row.props.body})
MATCH (holder:Institution {uscc: row.props.holder})
MERGE (a:Accreditation {number: row.number})
WITH row, a, body, holder, a.version IS NULL AS fresh
SET a += row.props, a.version = coalesce(a.version, 0) + 1,
    a.status = CASE WHEN fresh THEN row.history.status ELSE a.status END,
    a.statusSince = CASE WHEN fresh THEN row.history.effectiveOn ELSE a.statusSince END,
    a.statusUntil = CASE WHEN fresh THEN """
    + f"'{NO_NEXT}'"
    + """ ELSE a.statusUntil END,
    a.stepOn = CASE WHEN fresh THEN [row.history.effectiveOn] ELSE a.stepOn END,
    a.stepSeq = CASE WHEN fresh THEN [row.change.seq] ELSE a.stepSeq END,
    a.stepStatus = CASE WHEN fresh THEN [row.history.status] ELSE a.stepStatus END
FOREACH (first IN CASE WHEN fresh THEN [row.history] ELSE [] END |
    CREATE (a)-[:HAS_STATUS]->(:StatusChange {
        number: row.number, status: first.status, reason: first.reason,
        effectiveOn: first.effectiveOn, recordedAt: row.change.at,
        actor: row.change.actor, seq: row.change.seq}))
WITH row, a, body, holder
OPTIONAL MATCH ()-[old:ACCREDITED|HOLDS]->(a)
DELETE old
WITH DISTINCT row, a, body, holder
CREATE (body)-[:ACCREDITED]->(a)
CREATE (holder)-[:HOLDS]->(a)
""",
    region="holder.region",
)

_LISTING_MATCH = "MATCH (i:Institution)\n"
_LISTING_MATCH_IN_REGION = (
    "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(i:Institution)\n"
)
_VALID = "['VALID']"
_BY_SCHEME = (  # valid: within its dates on the day (past them it is EXPIRED), and its steps
    "MATCH (i)-[:HOLDS]->(held:Accreditation {scheme: $scheme})\n"
    "WHERE ($today IS NULL OR (held.validFrom <= $today AND $today <= held.validUntil)) AND "
    f"{status_in('held', '$today', _VALID)}\nWITH DISTINCT i\n"
)
_BY_GROUP = "MATCH (i)-[:MEMBER_OF]->(:Institution {uscc: $group})\n"
_CONDITIONS = {
    "after": "i.uscc > $after",
    "kind": "$kind IN i.kinds",
    "nameContains": "toLower(i.name) CONTAINS toLower($nameContains)",
    "within": "i.region IN $within",
}


# The names institution_listing tests ``present`` for.
LISTING_FILTERS = frozenset({"region", "group", "scheme", *_CONDITIONS})


def institution_listing(present: frozenset[str], *, count: bool) -> str:
    """The listing statement for the filters named in ``present`` (values stay parameters)."""
    statement = _LISTING_MATCH_IN_REGION if "region" in present else _LISTING_MATCH
    if "group" in present:
        statement += _BY_GROUP
    if "scheme" in present:
        statement += _BY_SCHEME
    conditions = [text for name, text in _CONDITIONS.items() if name in present]
    if conditions:
        statement += "WITH i WHERE " + " AND ".join(conditions) + "\n"
    if count:
        return statement + "RETURN count(DISTINCT i) AS total"
    return statement + "WITH DISTINCT i ORDER BY i.uscc LIMIT $limit" + INSTITUTION_FIELDS


CHANGE_ACCREDITATION_STATUSES = logged(
    """
MATCH (a:Accreditation {number: row.number})
SET a.version = a.version + 1
CREATE (a)-[:HAS_STATUS]->(:StatusChange {
    number: row.number, status: row.status, reason: row.reason,
    effectiveOn: row.effectiveOn, recordedAt: row.change.at,
    actor: row.change.actor, seq: row.change.seq,
    scopeAdded: row.scopeAdded, scopeRemoved: row.scopeRemoved})
"""
    + refresh("a", "row.day", keep="row, a"),
    region="head([(h:Institution)-[:HOLDS]->(a) | h.region])",
)

CHANGE_INSTITUTION_STATUSES = logged(
    """
MATCH (i:Institution {uscc: row.number})
SET i.version = i.version + 1
CREATE (i)-[:HAS_STATUS]->(:StatusChange {
    number: row.number, status: row.status, reason: row.reason,
    effectiveOn: row.effectiveOn, recordedAt: row.change.at,
    actor: row.change.actor, seq: row.change.seq})
"""
    + refresh("i", "row.day", keep="row, i"),
    region="i.region",
)
