"""Certificates, their status history and listings.

Issuing sets the status only when the certificate is new: re-issuing the same number (a
partner's retry, a corrected scope) never reinstates a suspended or withdrawn certificate;
status changes go through CHANGE_STATUSES, which also records them in the history and caches
the step in force (graph.cypher.timelines); a certificate with one step keeps no step lists.
A certificate with a withdrawal step (in force or scheduled) also has a ``WITHDREW`` edge from
its issuer, so a body's withdrawn certificates are counted without reading all it issued.
Reads return the history with the certificate, so the registry can say what its status was,
is and will be on any day.

A certificate's stored status is never EXPIRED: expiry is derived from ``expiresOn`` against
``$today``, here for filters and in ``registry.domain.certificates`` for single reads.
"""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.timelines import (
    NO_NEXT,
    changed_steps,
    history,
    later_history,
    refresh,
    status_in,
)

__all__ = [
    "CERTIFICATE_MAP",
    "CHANGE_STATUSES",
    "GET_CERTIFICATES",
    "ISSUERS_OF_HOLDERS",
    "ISSUE_CERTIFICATES",
    "LISTING_FILTERS",
    "LISTING_STATUSES",
    "PARTIES",
    "STATUS_HISTORIES",
    "UPGRADE_WITHDRAWALS",
    "VERIFICATION_FACTS",
    "WITHDRAWALS_DONE",
    "WITHDRAWALS_KEPT",
    "certificate_listing",
]

_COLUMNS = """
RETURN c.number AS number, c.family AS family, c.standard AS standard, c.scope AS scope,
       c.stars AS stars, c.issuedOn AS issuedOn, c.expiresOn AS expiresOn,
       c.issuer AS issuer, c.holder AS holder, c.status AS status,
       c.statusReason AS statusReason, c.statusSince AS statusSince,
       c.region AS region, c.version AS version, c.holderName AS holderName,
       c.statusUntil AS statusUntil, c.scopeException AS scopeException"""
_FIELDS = _COLUMNS + ",\n       " + history("c") + " AS history\n"

# Certificates by number, one flat row per step of their histories (none: one row, its
# step columns null), in one statement so the steps agree with the version. Flat columns
# decode several times faster than the maps of a history comprehension: this read answers
# every write of certificates, and was a quarter of a 1,000-certificate issue.
GET_CERTIFICATES = (
    "UNWIND $keys AS key MATCH (c:Certificate {number: key})\n"
    "OPTIONAL MATCH (c)-[:HAS_STATUS]->(s:StatusChange)"
    + _COLUMNS
    + """,
       s.status AS stepStatus, s.reason AS stepReason, s.effectiveOn AS stepEffectiveOn,
       s.recordedAt AS stepRecordedAt, s.actor AS stepActor, s.seq AS stepSeq
"""
)

# Who issued each stored certificate and to whom: all that re-issuing checks, without the
# history that GET_CERTIFICATES walks (most of that read's cost in a bulk issue).
PARTIES = """
UNWIND $keys AS key
MATCH (c:Certificate {number: key})
RETURN c.number AS number, c.issuer AS issuer, c.holder AS holder
"""

# A certificate's and an accreditation's own fields as maps (not ``.*``: the step lists kept
# for filters are no part of the record, and decoding them was most of a verification's cost).
CERTIFICATE_MAP = (
    "c {.number, .family, .standard, .scope, .stars, .issuedOn, .expiresOn, .issuer, .holder, "
    ".status, .statusReason, .statusSince, .statusUntil, .region, .version, .holderName, "
    ".scopeException"
)
_ACCREDITATION_MAP = (
    "a {.number, .scheme, .body, .holder, .scope, .validFrom, .validUntil, .status, .version, "
    ".statusSince, .statusUntil"
)

# Which bodies certified each holder (a holder's record is the business of each of them).
ISSUERS_OF_HOLDERS = """
UNWIND $keys AS key
MATCH (:Organization {uscc: key})<-[:CERTIFIES]-(c:Certificate)
RETURN key AS holder, collect(DISTINCT c.issuer) AS issuers
"""

ISSUE_CERTIFICATES = logged(
    """
MATCH (issuer:Institution {uscc: row.props.issuer})
MATCH (holder:Organization {uscc: row.props.holder})
MERGE (c:Certificate {number: row.number})
ON CREATE SET c.version = 0, c.status = row.history.status, c.statusReason = row.statusReason,
              c.statusSince = row.history.effectiveOn, c.statusUntil = """
    + f"'{NO_NEXT}'"
    + """,
              c.holderName = holder.name
SET c += row.props, c.region = holder.region, c.version = c.version + 1
MERGE (issuer)-[:ISSUED]->(c)
MERGE (c)-[:CERTIFIES]->(holder)
FOREACH (first IN CASE WHEN c.version = 1 THEN [row.history] ELSE [] END |
    CREATE (c)-[:HAS_STATUS]->(:StatusChange {
        number: row.number, status: first.status, reason: first.reason,
        effectiveOn: first.effectiveOn, recordedAt: row.change.at,
        actor: row.change.actor, seq: row.change.seq}))
FOREACH (_ IN CASE WHEN c.version = 1 AND row.history.status = 'WITHDRAWN' THEN [1] ELSE [] END |
    CREATE (issuer)-[:WITHDREW]->(c))
""",
    region="c.region",
)

CHANGE_STATUSES = logged(
    """
MATCH (c:Certificate {number: row.number})
SET c.version = c.version + 1
CREATE (c)-[:HAS_STATUS]->(:StatusChange {
    number: row.number, status: row.status, reason: row.reason,
    effectiveOn: row.effectiveOn, recordedAt: row.change.at,
    actor: row.change.actor, seq: row.change.seq})
WITH row, c
OPTIONAL MATCH (issuer:Institution)-[:ISSUED]->(c) WHERE row.status = 'WITHDRAWN'
FOREACH (_ IN CASE WHEN issuer IS NULL THEN [] ELSE [1] END |
    MERGE (issuer)-[:WITHDREW]->(c))
"""
    + refresh("c", "row.day", keep="row, c", reason=True),
    region="c.region",
)

# Stores written before WITHDREW was kept: the edge for every certificate with a withdrawal
# step, up to $limit a run; the counter's mark says it ran.
WITHDRAWALS_KEPT = "MATCH (c:ChangeCounter {id: 'main'}) RETURN c.withdrawals AS done"
WITHDRAWALS_DONE = "MATCH (c:ChangeCounter {id: 'main'}) SET c.withdrawals = 1"
UPGRADE_WITHDRAWALS = """
MATCH (i:Institution)-[:ISSUED]->(c:Certificate)-[:HAS_STATUS]->(s:StatusChange)
WHERE s.status = 'WITHDRAWN' AND NOT (i)-[:WITHDREW]->(c)
WITH DISTINCT i, c LIMIT $limit
CREATE (i)-[:WITHDREW]->(c)
RETURN count(c) AS upgraded
"""

STATUS_HISTORIES = """
UNWIND $keys AS key
MATCH (:Certificate {number: key})-[:HAS_STATUS]->(s:StatusChange)
RETURN s.number AS number, s.status AS status, s.reason AS reason,
       s.effectiveOn AS effectiveOn, s.recordedAt AS recordedAt, s.actor AS actor,
       s.seq AS seq
ORDER BY s.seq
"""

_MATCH = "MATCH (c:Certificate)\n"
# By holder or issuer: from the party's node along its edge (no index on the certificates'
# own issuer and holder properties; design note 38).
_MATCH_BY_HOLDER = "MATCH (:Organization {uscc: $holder})<-[:CERTIFIES]-(c:Certificate)\n"
_MATCH_BY_ISSUER = "MATCH (:Institution {uscc: $issuer})-[:ISSUED]->(c:Certificate)\n"
_MATCH_IN_REGION = (
    "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(:Organization)"
    "<-[:CERTIFIES]-(c:Certificate)\n"
)
_CURRENT = "c.expiresOn >= $today AND "
_STATUS = {
    "VALID": _CURRENT + status_in("c", "$today", "['VALID']"),
    "SUSPENDED": _CURRENT + status_in("c", "$today", "['SUSPENDED']"),
    "EXPIRED": "c.expiresOn < $today AND " + status_in("c", "$today", "['VALID', 'SUSPENDED']"),
    "WITHDRAWN": status_in("c", "$today", "['WITHDRAWN']"),
    "CANCELLED": status_in("c", "$today", "['CANCELLED']"),
}
_CONDITIONS = {
    "after": "c.number > $after",
    "holder": "c.holder = $holder",
    "issuer": "c.issuer = $issuer",
    "standard": "c.standard = $standard",
    "family": "c.family = $family",
    "within": "c.region IN $within",
    "issuedBy": "c.issuedOn <= $issuedBy",
}


# The names certificate_listing tests ``present`` for, and the effective statuses it filters by.
LISTING_FILTERS = frozenset({"region", "holder", "issuer", *_CONDITIONS})
LISTING_STATUSES = tuple(_STATUS)


def certificate_listing(present: frozenset[str], *, status: str | None, count: bool) -> str:
    """The listing statement for the filters in ``present``; ``status`` is an effective status."""
    if "region" in present:
        statement = _MATCH_IN_REGION
    elif "holder" in present:
        statement = _MATCH_BY_HOLDER
    elif "issuer" in present:
        statement = _MATCH_BY_ISSUER
    else:
        statement = _MATCH
    conditions = [text for name, text in _CONDITIONS.items() if name in present]
    if status is not None:
        conditions.append(_STATUS[status])
    if conditions:
        statement += "WITH c WHERE " + " AND ".join(conditions) + "\n"
    if count:
        return statement + "RETURN count(c) AS total"
    return statement + "WITH c ORDER BY c.number LIMIT $limit" + _FIELDS


# Histories come along (those with more than one step): the verdict reads the certificate on
# the day asked for, the accreditations on the issue date and the issuer on the day asked for.
# They are walked after the aggregation, once per certificate: inside collect() FalkorDB walks
# them once per accreditation row, which doubled the cost of a verification.
VERIFICATION_FACTS = f"""
UNWIND $keys AS key
MATCH (c:Certificate {{number: key}})
OPTIONAL MATCH (c)-[:CERTIFIES]->(h:Organization)
OPTIONAL MATCH (i:Institution {{uscc: c.issuer}})
OPTIONAL MATCH (i)-[:HOLDS]->(a:Accreditation)<-[:ACCREDITED]-(b:Institution)
WITH c, h, i, collect({_ACCREDITATION_MAP}, bodyName: b.name}}) AS accreditations
RETURN {CERTIFICATE_MAP}, history: {later_history("c")}}} AS certificate,
       h {{.uscc, .name, .region, .version}} AS holder,
       i {{.uscc, .name, .kinds, .region, .status, .statusSince, .version,
          history: {later_history("i")}}} AS issuer,
       accreditations, {changed_steps("i")} AS accreditationSteps
"""
