"""Service-certification assessments: one per certificate, keyed by its number."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = ["RECORD_SERVICE_ASSESSMENTS", "SERVICE_ASSESSMENTS"]

RECORD_SERVICE_ASSESSMENTS = logged(
    """
MATCH (c:Certificate {number: row.props.certificate})
MERGE (a:ServiceAssessment {certificate: row.props.certificate})
SET a += row.props, a.version = coalesce(a.version, 0) + 1
MERGE (a)-[:ASSESSES]->(c)
""",
    region="c.region",
)

SERVICE_ASSESSMENTS = """
UNWIND $keys AS key
MATCH (a:ServiceAssessment {certificate: key})
RETURN a.certificate AS certificate, a.scheme AS scheme, a.elements AS elements,
       a.scores AS scores, a.weights AS weights, a.elementDates AS elementDates,
       a.evidence AS evidence, a.cpsq AS cpsq, a.cpsqOn AS cpsqOn, a.stage1On AS stage1On,
       a.stage1PersonDays AS stage1PersonDays, a.stage2On AS stage2On,
       a.stage2PersonDays AS stage2PersonDays, a.version AS version,
       a.confirmedOn AS confirmedOn, a.confirmation AS confirmation
"""
