"""Credit ratings, credit events and service evaluations: an institution's credit file
(complaints are in ``graph.cypher.complaints``)."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = [
    "CREDIT_EVENTS_OF",
    "CREDIT_RATINGS_OF",
    "EVALUATION_OWNERS",
    "EVENT_OWNERS",
    "PLAN_RESULTS",
    "PUBLISH_CREDIT_RATINGS",
    "RATING_OWNERS",
    "RECORD_CREDIT_EVENTS",
    "RECORD_SERVICE_EVALUATIONS",
    "SERVICE_EVALUATIONS",
    "SERVICE_EVALUATIONS_OF",
]

PUBLISH_CREDIT_RATINGS = logged(
    """
MATCH (association:Institution {uscc: row.props.association})
MATCH (i:Institution {uscc: row.props.institution})
MERGE (r:CreditRating {id: row.id})
SET r += row.props, r.version = coalesce(r.version, 0) + 1
MERGE (association)-[:RATED]->(r)
MERGE (r)-[:OF]->(i)
""",
    region="i.region",
)

CREDIT_RATINGS_OF = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})<-[:OF]-(r:CreditRating)
RETURN r.id AS id, r.association AS association, r.institution AS institution,
       r.grade AS grade, r.score AS score, r.period AS period, r.publishedOn AS publishedOn,
       r.validUntil AS validUntil, r.method AS method, r.evidence AS evidence,
       r.version AS version
ORDER BY r.publishedOn DESC, r.id
"""

RATING_OWNERS = """
UNWIND $keys AS key
MATCH (r:CreditRating {id: key})
RETURN r.id AS id, r.association AS association, r.institution AS institution
"""

EVENT_OWNERS = """
UNWIND $keys AS key
MATCH (e:CreditEvent {id: key})
RETURN e.id AS id, e.institution AS institution
"""

# A credit repair is recorded, never undone: a later write that omits it keeps it.
RECORD_CREDIT_EVENTS = logged(
    """
MATCH (i:Institution {uscc: row.props.institution})
MERGE (e:CreditEvent {id: row.id})
WITH row, i, e, e.repairedOn AS repairedOn, e.repairNote AS repairNote
SET e += row.props, e.version = coalesce(e.version, 0) + 1
SET e.repairedOn = coalesce(row.props.repairedOn, repairedOn),
    e.repairNote = coalesce(row.props.repairNote, repairNote)
MERGE (i)-[:RECORDED]->(e)
WITH row, e, i
OPTIONAL MATCH (e)-[old:RESULT_OF]->()
DELETE old
WITH DISTINCT row, e, i
OPTIONAL MATCH (p:SupervisionPlan {id: row.props.plan})
FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | MERGE (e)-[:RESULT_OF]->(x))
""",
    region="i.region",
)

_EVENT_COLUMNS = """
RETURN e.id AS id, e.institution AS institution, e.kind AS kind, e.date AS date,
       e.authority AS authority, e.weight AS weight, e.description AS description,
       e.publicUntil AS publicUntil, e.deadline AS deadline, e.outcome AS outcome,
       e.repairedOn AS repairedOn, e.repairNote AS repairNote, e.plan AS plan,
       e.version AS version
ORDER BY e.date DESC, e.id
"""

CREDIT_EVENTS_OF = (
    "UNWIND $keys AS key\nMATCH (:Institution {uscc: key})-[:RECORDED]->(e:CreditEvent)"
    + _EVENT_COLUMNS
)

# The spot-check results entered against supervision plans ('one public').
PLAN_RESULTS = (
    "UNWIND $keys AS key\nMATCH (:SupervisionPlan {id: key})<-[:RESULT_OF]-(e:CreditEvent)"
    + _EVENT_COLUMNS
)

RECORD_SERVICE_EVALUATIONS = logged(
    """
MATCH (i:Institution {uscc: row.props.institution})
MERGE (v:ServiceEvaluation {id: row.id})
SET v += row.props, v.version = coalesce(v.version, 0) + 1
MERGE (v)-[:EVALUATES]->(i)
""",
    region="i.region",
)

EVALUATION_OWNERS = """
UNWIND $keys AS key
MATCH (v:ServiceEvaluation {id: key})
RETURN v.id AS id, v.institution AS institution, v.recordedBy AS recordedBy
"""

_EVALUATION = """
RETURN v.id AS id, v.institution AS institution, v.kind AS kind, v.date AS date,
       v.serviceCategory AS serviceCategory, v.evaluator AS evaluator, v.answers AS answers,
       v.checksPassed AS checksPassed, v.checksTotal AS checksTotal, v.comment AS comment,
       v.version AS version, v.recordedBy AS recordedBy, v.confirmedOn AS confirmedOn,
       v.confirmation AS confirmation
"""

SERVICE_EVALUATIONS_OF = f"""
UNWIND $keys AS key
MATCH (:Institution {{uscc: key}})<-[:EVALUATES]-(v:ServiceEvaluation)
WHERE $since <= v.date AND v.date <= $until
{_EVALUATION.strip()}
ORDER BY v.date DESC, v.id
"""

SERVICE_EVALUATIONS = f"""
UNWIND $keys AS key
MATCH (v:ServiceEvaluation {{id: key}})
{_EVALUATION.strip()}
"""
