"""Disputes about a record's field: filed by anyone, answered by its issuer or regulator."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = ["ANSWER_DISPUTE", "DISPUTES_BY_ID", "DISPUTES_OF", "DISPUTE_STATUS", "FILE_DISPUTE"]

# The disputed record's label and key property, by the dispute's entity (an allowlist).
_RECORDS = {
    "CERTIFICATE": ("Certificate", "number"),
    "ACCREDITATION": ("Accreditation", "number"),
    "INSTITUTION": ("Institution", "uscc"),
}

_FILE = """
MATCH (record:{label} {{{prop}: row.props.key}})
MERGE (d:Dispute {{id: row.id}})
SET d += row.props, d.version = coalesce(d.version, 0) + 1
MERGE (d)-[:ABOUT]->(record)
"""

FILE_DISPUTE = {
    entity: logged(_FILE.format(label=label, prop=prop), region="row.props.region")
    for entity, (label, prop) in _RECORDS.items()
}

ANSWER_DISPUTE = logged(
    """
MATCH (d:Dispute {id: row.id})
SET d += row.props, d.version = d.version + 1
""",
    region="d.region",
)

_COLUMNS = """
RETURN d.id AS id, d.entity AS entity, d.key AS key, d.field AS field, d.claim AS claim,
       d.contact AS contact, d.institution AS institution, d.region AS region,
       d.filedOn AS filedOn, d.dueBy AS dueBy, d.status AS status, d.answer AS answer,
       d.answeredBy AS answeredBy, d.answeredOn AS answeredOn, d.version AS version
"""

DISPUTES_BY_ID = "UNWIND $keys AS key\nMATCH (d:Dispute {id: key})" + _COLUMNS

# The disputes about each institution's records, newest first.
DISPUTES_OF = (
    "UNWIND $keys AS key\nMATCH (d:Dispute {institution: key})"
    + _COLUMNS
    + "ORDER BY d.filedOn DESC, d.id\n"
)

# A dispute's status as the write about to answer it sees it.
DISPUTE_STATUS = "MATCH (d:Dispute {id: $id}) RETURN d.status AS status"
