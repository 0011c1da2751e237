"""Complaints: recorded (seeds, imports), filed, advanced step by step, read and counted.

A complaint's steps are parallel lists on its node (``stepStatus``, ``stepOn``, ``stepActor``,
``stepReason``, ``stepFinding``, ``stepAt``; '' where a step has no reason or finding), so
that a step is appended by the statement that changes the status, in one write.
"""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = [
    "ADVANCE_COMPLAINTS",
    "COMPLAINTS_AGAINST",
    "COMPLAINTS_BY_ID",
    "COMPLAINT_TALLIES",
    "FILE_COMPLAINTS",
    "RECORD_COMPLAINTS",
]

RECORD_COMPLAINTS = logged(
    """
MATCH (i:Institution {uscc: row.props.against})
MERGE (k:Complaint {id: row.id})
SET k += row.props, k.version = coalesce(k.version, 0) + 1
MERGE (k)-[:AGAINST]->(i)
WITH row, k, i
OPTIONAL MATCH (k)-[old:CONCERNS]->()
DELETE old
WITH DISTINCT row, k, i
OPTIONAL MATCH (c:Certificate {number: row.props.certificate})
FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [c] END | MERGE (k)-[:CONCERNS]->(x))
""",
    region="i.region",
)

# The first step is the receipt; the write refuses an id that exists (expected version 0).
FILE_COMPLAINTS = logged(
    """
MATCH (i:Institution {uscc: row.props.against})
CREATE (k:Complaint)
SET k += row.props, k.version = 1,
    k.stepStatus = [row.step.status], k.stepOn = [row.step.on],
    k.stepActor = [row.step.actor], k.stepReason = [row.step.reason],
    k.stepFinding = [row.step.finding], k.stepAt = [row.change.at]
CREATE (k)-[:AGAINST]->(i)
WITH row, k, i
OPTIONAL MATCH (c:Certificate {number: row.props.certificate})
FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [c] END | CREATE (k)-[:CONCERNS]->(x))
""",
    region="i.region",
)

ADVANCE_COMPLAINTS = logged(
    """
MATCH (k:Complaint {id: row.id})-[:AGAINST]->(i:Institution)
SET k += row.props, k.version = k.version + 1,
    k.stepStatus = coalesce(k.stepStatus, []) + [row.step.status],
    k.stepOn = coalesce(k.stepOn, []) + [row.step.on],
    k.stepActor = coalesce(k.stepActor, []) + [row.step.actor],
    k.stepReason = coalesce(k.stepReason, []) + [row.step.reason],
    k.stepFinding = coalesce(k.stepFinding, []) + [row.step.finding],
    k.stepAt = coalesce(k.stepAt, []) + [row.change.at]
""",
    region="i.region",
)

_COLUMNS = """
RETURN k.id AS id, k.against AS against, k.certificate AS certificate, k.channel AS channel,
       k.category AS category, k.status AS status, k.substantiated AS substantiated,
       k.filedOn AS filedOn, k.closedOn AS closedOn, k.details AS details,
       k.resolution AS resolution, k.version AS version, k.contact AS contact,
       k.acceptedOn AS acceptedOn, k.stepStatus AS stepStatus,
       k.stepOn AS stepOn, k.stepActor AS stepActor, k.stepReason AS stepReason,
       k.stepFinding AS stepFinding, k.stepAt AS stepAt
"""

COMPLAINTS_AGAINST = (
    "UNWIND $keys AS key\nMATCH (:Institution {uscc: key})<-[:AGAINST]-(k:Complaint)"
    + _COLUMNS
    + "ORDER BY k.filedOn DESC, k.id\n"
)

COMPLAINTS_BY_ID = "UNWIND $keys AS key\nMATCH (k:Complaint {id: key})" + _COLUMNS

# Counted where they are, per institution and year of filing: an institution with many
# complaints costs one aggregation, not a read of every record. When a complaint is overdue
# comes as cutoff days from the domain (``overdue_cutoffs``), so records written before
# complaints had a lifecycle are judged too.
COMPLAINT_TALLIES = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})<-[:AGAINST]-(k:Complaint)
WHERE k.filedOn <= $day
WITH key, substring(k.filedOn, 0, 4) AS year, k, k.status IN $open AS isOpen
RETURN key AS institution, year,
       count(k) AS received,
       sum(CASE WHEN isOpen THEN 1 ELSE 0 END) AS open,
       sum(CASE
             WHEN k.status = 'RECEIVED' AND k.filedOn < $filedBefore THEN 1
             WHEN k.status IN $handling
                  AND coalesce(k.acceptedOn, k.filedOn) < $acceptedBefore THEN 1
             ELSE 0 END) AS overdue,
       sum(CASE WHEN k.substantiated = true THEN 1 ELSE 0 END) AS substantiated
ORDER BY institution, year
"""
