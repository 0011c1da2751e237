"""Certificates, their status history and listings.

Issuing sets the status only when the certificate is new: re-issuing the same number (a
partner's retry, a corrected scope) never reinstates a suspended or withdrawn certificate;
status changes go through CHANGE_STATUSES, which also records them in the history.

A certificate's stored status is never EXPIRED: expiry is derived from ``expiresOn`` against
``$today``, here for filters and in ``registry.domain.certificates`` for single reads.
"""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = [
    "CHANGE_STATUSES",
    "GET_CERTIFICATES",
    "ISSUERS_OF_HOLDERS",
    "ISSUE_CERTIFICATES",
    "STATUS_HISTORIES",
    "VERIFICATION_FACTS",
    "certificate_listing",
]

_FIELDS = """
RETURN c.number AS number, c.family AS family, c.standard AS standard, c.scope AS scope,
       c.stars AS stars, c.issuedOn AS issuedOn, c.expiresOn AS expiresOn,
       c.issuer AS issuer, c.holder AS holder, c.status AS status,
       c.statusReason AS statusReason, c.statusSince AS statusSince,
       c.region AS region, c.version AS version, c.holderName AS holderName
"""

GET_CERTIFICATES = "UNWIND $keys AS key MATCH (c:Certificate {number: key})" + _FIELDS

# Which bodies certified each holder (a holder's record is the business of each of them).
ISSUERS_OF_HOLDERS = """
UNWIND $keys AS key
MATCH (c:Certificate {holder: key})
RETURN key AS holder, collect(DISTINCT c.issuer) AS issuers
"""

ISSUE_CERTIFICATES = logged(
    """
MATCH (issuer:Institution {uscc: row.props.issuer})
MATCH (holder:Organization {uscc: row.props.holder})
MERGE (c:Certificate {number: row.number})
ON CREATE SET c.version = 0, c.status = row.history.status, c.statusReason = row.statusReason,
              c.statusSince = row.history.effectiveOn, c.holderName = holder.name
SET c += row.props, c.region = holder.region, c.version = c.version + 1
MERGE (issuer)-[:ISSUED]->(c)
MERGE (c)-[:CERTIFIES]->(holder)
FOREACH (first IN CASE WHEN c.version = 1 THEN [row.history] ELSE [] END |
    CREATE (c)-[:HAS_STATUS]->(:StatusChange {
        number: row.number, status: first.status, reason: first.reason,
        effectiveOn: first.effectiveOn, recordedAt: first.recordedAt,
        actor: first.actor, seq: row.change.seq}))
""",
    region="c.region",
)

CHANGE_STATUSES = logged(
    """
MATCH (c:Certificate {number: row.number})
SET c.status = row.status, c.statusReason = row.reason, c.statusSince = row.effectiveOn,
    c.version = c.version + 1
CREATE (c)-[:HAS_STATUS]->(:StatusChange {
    number: row.number, status: row.status, reason: row.reason,
    effectiveOn: row.effectiveOn, recordedAt: row.change.at,
    actor: row.change.actor, seq: row.change.seq})
""",
    region="c.region",
)

STATUS_HISTORIES = """
UNWIND $keys AS key
MATCH (:Certificate {number: key})-[:HAS_STATUS]->(s:StatusChange)
RETURN s.number AS number, s.status AS status, s.reason AS reason,
       s.effectiveOn AS effectiveOn, s.recordedAt AS recordedAt, s.actor AS actor,
       s.seq AS seq
ORDER BY s.seq
"""

_MATCH = "MATCH (c:Certificate)\n"
_MATCH_BY_HOLDER = "MATCH (c:Certificate {holder: $holder})\n"
_MATCH_BY_ISSUER = "MATCH (c:Certificate {issuer: $issuer})\n"
_MATCH_IN_REGION = (
    "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(:Organization)"
    "<-[:CERTIFIES]-(c:Certificate)\n"
)
_STATUS = {
    "VALID": "c.status = 'VALID' AND c.expiresOn >= $today",
    "SUSPENDED": "c.status = 'SUSPENDED' AND c.expiresOn >= $today",
    "EXPIRED": "c.status IN ['VALID', 'SUSPENDED'] AND c.expiresOn < $today",
    "WITHDRAWN": "c.status = 'WITHDRAWN'",
    "CANCELLED": "c.status = 'CANCELLED'",
}
_CONDITIONS = {
    "after": "c.number > $after",
    "holder": "c.holder = $holder",
    "issuer": "c.issuer = $issuer",
    "standard": "c.standard = $standard",
    "family": "c.family = $family",
    "within": "c.region IN $within",
}


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


VERIFICATION_FACTS = """
UNWIND $keys AS key
MATCH (c:Certificate {number: key})
OPTIONAL MATCH (c)-[:CERTIFIES]->(h:Organization)
OPTIONAL MATCH (i:Institution {uscc: c.issuer})
OPTIONAL MATCH (i)-[:HOLDS]->(a:Accreditation)<-[:ACCREDITED]-(b:Institution)
RETURN c {.*} AS certificate, h {.uscc, .name, .region, .version} AS holder,
       i {.uscc, .name, .kinds, .region, .status, .version} AS issuer,
       collect(a {.*, bodyName: b.name}) AS accreditations
"""
