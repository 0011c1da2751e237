"""Credit inputs, stored credit assessments and the credit ranking."""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.institutions import INSTITUTION_FIELDS
from graph.cypher.timelines import scope_has, status_on

__all__ = ["CREDIT_INPUTS", "STORED_CREDIT", "STORE_CREDIT", "ranking"]

_RATING = (
    "{id: r.id, association: r.association, institution: r.institution, grade: r.grade, "
    "score: r.score, period: r.period, publishedOn: r.publishedOn, validUntil: r.validUntil, "
    "method: r.method}"
)
_EVENT = (
    "{id: e.id, institution: e.institution, kind: e.kind, date: e.date, authority: e.authority, "
    "weight: e.weight, description: e.description, publicUntil: e.publicUntil, "
    "deadline: e.deadline, outcome: e.outcome, repairedOn: e.repairedOn}"
)
_EVALUATION = (
    "{id: v.id, institution: v.institution, kind: v.kind, date: v.date, "
    "serviceCategory: v.serviceCategory, evaluator: v.evaluator, answers: v.answers, "
    "checksPassed: v.checksPassed, checksTotal: v.checksTotal}"
)

_CERTIFICATE_TODAY = status_on("c", "$today")

CREDIT_INPUTS = f"""
UNWIND $keys AS key
MATCH (i:Institution {{uscc: key}})
OPTIONAL MATCH (held:Certificate {{holder: key}})
WHERE held.family = 'SERVICE' AND {status_on("held", "$today")} = 'VALID'
  AND held.issuedOn <= $today
  AND held.expiresOn >= $today
WITH i, max(held.stars) AS stars
RETURN i.uscc AS uscc,
  [(i)<-[:OF]-(r:CreditRating) WHERE r.publishedOn <= $today AND $today <= r.validUntil
     | {_RATING}] AS ratings,
  [(i)-[:RECORDED]->(e:CreditEvent) | {_EVENT}] AS events,
  size([(i)<-[:AGAINST]-(k:Complaint) | k.id]) AS complaintsTotal,
  size([(i)<-[:AGAINST]-(k:Complaint) WHERE k.substantiated = true | k.id])
    AS complaintsSubstantiated,
  size([(i)-[:ISSUED]->(c:Certificate) | c.number]) AS certificatesIssued,
  size([(i)-[:ISSUED]->(c:Certificate) WHERE {_CERTIFICATE_TODAY} = 'WITHDRAWN' | c.number])
    AS certificatesWithdrawn,
  size([(i)-[:ISSUED]->(c:Certificate)
        WHERE {_CERTIFICATE_TODAY} = 'VALID' AND c.issuedOn <= $today AND c.expiresOn >= $today
        | c.number]) AS certificatesValid,
  size([(i)-[:HOLDS]->(a:Accreditation)
        WHERE {status_on("a", "$today")} = 'VALID' AND a.validFrom <= $today
          AND $today <= a.validUntil
        | a.number]) > 0 AS accredited,
  [(i)<-[:EVALUATES]-(v:ServiceEvaluation) WHERE $evaluatedSince <= v.date AND v.date <= $today
     | {_EVALUATION}] AS evaluations,
  stars AS bestServiceStars
"""

STORED_CREDIT = """
UNWIND $keys AS key
MATCH (i:Institution {uscc: key})
WHERE i.creditScore IS NOT NULL
RETURN i.uscc AS uscc, i.creditScore AS score, i.creditGrade AS grade,
       i.creditFactors AS factors, i.creditComputedOn AS computedOn, i.creditMethod AS method
"""

STORE_CREDIT = logged(
    """
MATCH (i:Institution {uscc: row.uscc})
SET i.creditScore = row.score, i.creditGrade = row.grade, i.creditFactors = row.factors,
    i.creditComputedOn = row.computedOn, i.creditMethod = row.method
""",
    region="i.region",
)

_MATCH = "MATCH (i:Institution)\n"
_MATCH_IN_REGION = (
    "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(i:Institution)\n"
)
# (Scope is read from the accreditation's steps, which FalkorDB walks only in a projection.)
_BY_CATEGORY = (
    "MATCH (i)-[:HOLDS]->(a:Accreditation)\n"
    f"WITH i, {status_on('a', '$today')} AS held, "
    f"{scope_has('a', '$serviceCategory', '$today')} AS covers\n"
    "WHERE held = 'VALID' AND covers\n"
)
_CONDITIONS = {
    "kind": "$kind IN i.kinds",
    # The first conjunct is there for the range index; the second is the keyset.
    "afterScore": "i.creditScore <= $afterScore AND (i.creditScore < $afterScore OR "
    "(i.creditScore = $afterScore AND i.uscc > $afterUscc))",
    "floor": "i.creditScore >= $floor",
    "atLeast": "i.creditScore >= $atLeast",
}


def ranking(present: frozenset[str], *, count: bool) -> str:
    """A ranking page (or, with ``count``, how many rank before ``$atLeast``/``$atUscc``)."""
    statement = _MATCH_IN_REGION if "region" in present else _MATCH
    if "serviceCategory" in present:
        statement += _BY_CATEGORY
    conditions = ["i.creditScore IS NOT NULL"]
    conditions += [text for name, text in _CONDITIONS.items() if name in present]
    statement += "WITH DISTINCT i WHERE " + " AND ".join(conditions) + "\n"
    if count:
        return statement + (
            "RETURN sum(CASE WHEN i.creditScore > $atLeast THEN 1 ELSE 0 END) AS above,\n"
            "       sum(CASE WHEN i.creditScore = $atLeast AND i.uscc < $atUscc "
            "THEN 1 ELSE 0 END) AS tiedBefore"
        )
    return (
        statement
        + "WITH i ORDER BY i.creditScore DESC, i.uscc LIMIT $limit"
        + INSTITUTION_FIELDS.rstrip()
        + ", i.creditScore AS creditScore\n"
    )
