"""Credit inputs, stored credit assessments and the credit ranking."""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.institutions import INSTITUTION_FIELDS

__all__ = ["CREDIT_INPUTS", "PRUNE_CREDIT_HISTORY", "STORED_CREDIT", "STORE_CREDIT", "ranking"]

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

CREDIT_INPUTS = f"""
UNWIND $keys AS key
MATCH (i:Institution {{uscc: key}})
OPTIONAL MATCH (held:Certificate {{holder: key}})
WHERE held.family = 'SERVICE' AND held.status = 'VALID' AND held.issuedOn <= $today
  AND held.expiresOn >= $today
WITH i, max(held.stars) AS stars
RETURN i.uscc AS uscc, i.kinds AS kinds,
  [(i)<-[:OF]-(r:CreditRating) WHERE r.publishedOn <= $today AND $today <= r.validUntil
     | {_RATING}] AS ratings,
  [(i)-[:RECORDED]->(e:CreditEvent) | {_EVENT}] AS events,
  size([(i)<-[:AGAINST]-(k:Complaint) | k.id]) AS complaintsTotal,
  size([(i)<-[:AGAINST]-(k:Complaint) WHERE k.substantiated = true | k.id])
    AS complaintsSubstantiated,
  size([(i)-[:ISSUED]->(c:Certificate) | c.number]) AS certificatesIssued,
  size([(i)-[:ISSUED]->(c:Certificate) WHERE c.status = 'WITHDRAWN' | c.number])
    AS certificatesWithdrawn,
  [(i)<-[:EVALUATES]-(v:ServiceEvaluation) WHERE $evaluatedSince <= v.date AND v.date <= $today
     | {_EVALUATION}] AS evaluations,
  stars AS bestServiceStars
"""

STORED_CREDIT = """
UNWIND $keys AS key
MATCH (i:Institution {uscc: key})
WHERE i.creditComputedOn IS NOT NULL
RETURN i.uscc AS uscc, i.creditScore AS score, i.creditGrade AS grade,
       i.creditFactors AS factors, i.creditComputedOn AS computedOn, i.creditMethod AS method
"""

# The ranking key (``creditSort``: the score, -1 when unrated, null when not ranked) moves
# with ``creditSeq``, the change that set it. A ranking pinned at an earlier seq reads the
# key it replaced from the CreditHistory node kept here, in the same atomic statement.
# A row with a null ``sort`` clears the assessment (an institution nobody supervises).
STORE_CREDIT = logged(
    """
MATCH (i:Institution {uscc: row.uscc})
WITH row, i, i.creditSort AS oldSort, i.creditScore AS oldScore, i.creditSeq AS oldSeq
FOREACH (_ IN CASE WHEN oldSort IS NULL OR oldSort = row.sort THEN [] ELSE [1] END |
  CREATE (:CreditHistory {uscc: row.uscc, score: coalesce(oldScore, -1.0), sort: oldSort,
                          fromSeq: coalesce(oldSeq, 0), toSeq: row.change.seq,
                          closedAt: row.change.at}))
SET i.creditScore = row.score, i.creditGrade = row.grade, i.creditFactors = row.factors,
    i.creditComputedOn = row.computedOn, i.creditMethod = row.method, i.creditSort = row.sort,
    i.creditSeq = CASE WHEN row.sort IS NULL THEN null
                       WHEN oldSort = row.sort THEN oldSeq ELSE row.change.seq END
""",
    region="i.region",
)

# Kept ranking keys no pinned page can still ask for (bookkeeping, outside the change log).
PRUNE_CREDIT_HISTORY = """
MATCH (h:CreditHistory) WHERE h.closedAt < $before
WITH h LIMIT $limit
DELETE h
RETURN count(h) AS deleted
"""

_IN_REGION = "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(:Region)<-[:IN_REGION]-(i)\n"
_CURRENT = {
    "match": "MATCH (i:Institution)\n",
    "sort": "i.creditSort",
    "score": "i.creditScore",
    "pinned": "i.creditSort IS NOT NULL AND coalesce(i.creditSeq, 0) <= $asOf",
}
_HISTORY = {
    "match": "MATCH (h:CreditHistory) WHERE h.fromSeq <= $asOf AND $asOf < h.toSeq\n"
    "MATCH (i:Institution {uscc: h.uscc})\n",
    "sort": "h.sort",
    "score": "CASE WHEN h.sort < 0 THEN null ELSE h.score END",
    "pinned": "true",
}
# A service category: institutions of one of its kinds, or accredited for one of its standards.
_BY_CATEGORY = (
    "OPTIONAL MATCH (i)-[:HOLDS]->(a:Accreditation {{status: 'VALID'}})\n"
    "WHERE any(s IN a.scope WHERE s IN $scopeStandards)\n"
    "WITH {carry}, count(a) AS accredited\n"
    "WHERE accredited > 0 OR any(k IN i.kinds WHERE k IN $providerKinds)\n"
)
_CONDITIONS = {
    "kind": "$kind IN i.kinds",
    "rated": "{sort} >= 0",
    # The first conjunct is there for the range index; the second is the keyset.
    "afterSort": "{sort} <= $afterSort AND ({sort} < $afterSort OR "
    "({sort} = $afterSort AND i.uscc > $afterUscc))",
    "floor": "{sort} >= $floor",
}


def ranking(present: frozenset[str], *, history: bool = False, count: bool = False) -> str:
    """A ranking page (or, with ``count``, its size) of the current keys, or of the keys kept
    in CreditHistory (``history``) that were in force at ``$asOf``."""
    source = _HISTORY if history else _CURRENT
    carry = "i, h" if history else "i"
    if history:
        statement = source["match"] + (_IN_REGION if "region" in present else "")
    elif "region" in present:  # regions are narrow: start from them
        statement = _IN_REGION.replace("(i)", "(i:Institution)")
    else:
        statement = source["match"]
    if "providerKinds" in present:
        statement += _BY_CATEGORY.format(carry=carry)
    conditions = [source["pinned"] if "asOf" in present else f"{source['sort']} IS NOT NULL"]
    conditions += [
        text.format(sort=source["sort"]) for name, text in _CONDITIONS.items() if name in present
    ]
    statement += f"WITH DISTINCT {carry} WHERE " + " AND ".join(conditions) + "\n"
    if count:
        return statement + "RETURN count(i) AS ranked"
    return (
        statement
        + f"WITH {carry}, {source['sort']} AS creditSort, {source['score']} AS creditScore\n"
        + "ORDER BY creditSort DESC, i.uscc LIMIT $limit"
        + INSTITUTION_FIELDS.rstrip()
        + ", creditScore, creditSort\n"
    )
