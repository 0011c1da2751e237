"""Credit inputs, stored credit assessments and the credit ranking."""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.institutions import INSTITUTION_FIELDS
from graph.cypher.stations import request_tally
from graph.cypher.timelines import scope_has, status_in, status_on

__all__ = [
    "ACCREDITED_FOR",
    "CHANGE_AT",
    "CLAIM_RESCORE",
    "CREDIT_INPUTS_ON_DAY",
    "KEPT",
    "PRUNE_CREDIT_HISTORY",
    "RANKING_FILTERS",
    "RANKING_SOURCES",
    "REGION_CODES",
    "STORED_CREDIT",
    "STORE_CREDIT",
    "credit_inputs",
    "ranking",
]

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
    "checksPassed: v.checksPassed, checksTotal: v.checksTotal, recordedBy: v.recordedBy, "
    "confirmedOn: v.confirmedOn}"
)

_WITHDRAWN_TODAY = status_in("gone", "$today", "['WITHDRAWN']")


def credit_inputs(issued: str) -> str:
    """What the credit scores of ``$keys`` are computed from. ``issued`` counts the
    certificates ``i`` issued from its degree, in constant time on each engine (the
    dialect's): a comprehension read every one of them, 77 ms of a rescore for a body with
    49,000, and growing with all it ever issued. The withdrawn ones are read along the
    ``WITHDREW`` edges, those with a withdrawal step (in force on ``$today`` or not), and
    counted by an aggregation: as a pattern comprehension's filter, the timeline's
    ``reduce`` made FalkorDB 4.16 corrupt the memory of other graphs, which crashed the
    server and its rewrites (design note 49).

    FalkorDB (4.16) counts a second pattern comprehension that reuses a variable name of an
    earlier one in the same projection wrongly (it gave 0 substantiated complaints of 1), so
    each comprehension over the same pattern names its own variable. The held certificates
    are filtered inside the aggregation, not by a WHERE on the OPTIONAL MATCH: with one,
    FalkorDB scans every certificate instead of starting from the holder's index (design
    note 38). Stars are evidence only from a certificate another body issued, whose
    assessment the holder's regulator confirmed by ``$today``: a body issued itself five
    stars and rose from C to B; any body gave any holder stars nobody had assessed; and
    then, assessing them itself, lowered a lab it had never served from A to B, on days
    gone by too."""
    return f"""
UNWIND $keys AS key
MATCH (i:Institution {{uscc: key}})
OPTIONAL MATCH (:Organization {{uscc: key}})<-[:CERTIFIES]-(held:Certificate)
OPTIONAL MATCH (assessed:ServiceAssessment)-[:ASSESSES]->(held)
WITH i, max(CASE WHEN held.family = 'SERVICE' AND {status_on("held", "$today")} = 'VALID'
                  AND held.issuedOn <= $today AND held.expiresOn >= $today
                  AND held.issuer <> i.uscc AND assessed.confirmedOn <= $today
            THEN held.stars END) AS stars
OPTIONAL MATCH (i)-[:WITHDREW]->(gone:Certificate)
WITH i, stars, count(CASE WHEN {_WITHDRAWN_TODAY} THEN gone END) AS withdrawn
{request_tally("i", "i, stars, withdrawn", "$evaluatedSince")}
RETURN i.uscc AS uscc, i.kinds AS kinds, stagesMet, stagesLate, stagesOverdue,
  [(i)<-[:OF]-(r:CreditRating) WHERE r.publishedOn <= $today AND $today <= r.validUntil
     | {_RATING}] AS ratings,
  [(i)-[:RECORDED]->(e:CreditEvent) | {_EVENT}] AS events,
  size([(i)<-[:AGAINST]-(k:Complaint) WHERE k.filedOn <= $today | k.id]) AS complaintsTotal,
  size([(i)<-[:AGAINST]-(found:Complaint)
        WHERE found.filedOn <= $today AND found.substantiated = true | found.id])
    AS complaintsSubstantiated,
  {issued} AS certificatesIssued,
  withdrawn AS certificatesWithdrawn,
  [(i)<-[:EVALUATES]-(v:ServiceEvaluation) WHERE $evaluatedSince <= v.date AND v.date <= $today
     | {_EVALUATION}] AS evaluations,
  stars AS bestServiceStars
"""


# The inputs as they stood on a past day (asOf): only the certificates issued by then count,
# so they are read one by one rather than from the degree.
CREDIT_INPUTS_ON_DAY = credit_inputs(
    issued="size([(i)-[:ISSUED]->(n:Certificate) WHERE n.issuedOn <= $today | n.number])"
)

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

# Claim the scores' rescore of a day (bookkeeping on the counter, outside the change log):
# ``due`` is true for the one caller that moved ``rescoredOn`` up to ``$day``. Setting the
# seq first takes the counter's write lock on Neo4j, so the day is read after any other
# claim committed; FalkorDB runs one write at a time.
CLAIM_RESCORE = """
MATCH (c:ChangeCounter {id: 'main'})
SET c.seq = c.seq
WITH c, coalesce(c.rescoredOn, '') < $day AS due
SET c.rescoredOn = CASE WHEN due THEN $day ELSE c.rescoredOn END
RETURN due
"""

# The region asked for and every region below it, and how wide it is.
REGION_CODES = """
MATCH (named:Region {code: $region})-[:PARENT_OF*0..3]->(below:Region)
RETURN named.level AS level, collect(below.code) AS codes
"""

CHANGE_AT = "MATCH (c:Change {seq: $seq}) RETURN c.hash AS hash"

# Keys replaced after ``$asOf`` that were in force at it: few, since they are kept 30 minutes.
KEPT = """
MATCH (h:CreditHistory) WHERE h.toSeq > $asOf AND h.fromSeq <= $asOf
RETURN h.uscc AS uscc, h.sort AS sort, h.score AS score
"""

_SOURCES = {
    # The range index on creditSort finds a window of keys, the filters check what it found.
    "index": ("MATCH (i:Institution)", "i.creditSort >= $floor", "i.creditSort", "i.creditScore"),
    # The ties of a cursor's key after its USCC (an OR of the two would lose the index, and
    # a bare i.uscc > … would make FalkorDB read the USCC index instead of the key's).
    "tied": (
        "MATCH (i:Institution)",
        "i.creditSort = $afterSort AND coalesce(i.uscc, '') > $afterUscc",
        "i.creditSort",
        "i.creditScore",
    ),
    # Institutions whose key changed after the pinned seq (the index on creditSeq).
    "changed": ("MATCH (i:Institution)", "i.creditSeq > $asOf", "i.creditSort", "i.creditScore"),
    # A city or district is narrow: start from it (two clauses, so that FalkorDB's planner
    # does not start from every institution instead).
    "region": (
        "MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(r:Region)\n"
        "MATCH (r)<-[:IN_REGION]-(i:Institution)",
        "i.creditSort IS NOT NULL",
        "i.creditSort",
        "i.creditScore",
    ),
    # The keys kept for a pinned seq, passed in as $kept.
    "kept": (
        "UNWIND $kept AS k MATCH (i:Institution {uscc: k.uscc})",
        "k.sort IS NOT NULL",
        "k.sort",
        "CASE WHEN k.sort < 0 THEN null ELSE k.score END",
    ),
}
# The holders of an accreditation in force on $today whose scope, as it stands that day,
# names $standard (steps may have extended or reduced it since the grant).
ACCREDITED_FOR = f"""
MATCH (i:Institution)-[:HOLDS]->(a:Accreditation)
WITH i, {status_on("a", "$today")} AS held, {scope_has("a", "$standard", "$today")} AS covers,
     a.validFrom <= $today AND $today <= a.validUntil AS granted
WHERE held = 'VALID' AND covers AND granted
RETURN collect(DISTINCT i.uscc) AS usccs
"""

_CONDITIONS = {
    "pinned": "coalesce(i.creditSeq, 0) <= $asOf",
    # A service category: institutions of one of its kinds, or accredited for its standards.
    "providerKinds": "(any(k IN i.kinds WHERE k IN $providerKinds) OR i.uscc IN $accredited)",
    "codes": "i.region IN $codes",
    "kind": "$kind IN i.kinds",
    "rated": "{sort} >= 0",
    # A keyset after (key, USCC): for the sources that do not read the key index.
    "afterSort": "{sort} <= $afterSort AND ({sort} < $afterSort OR "
    "({sort} = $afterSort AND i.uscc > $afterUscc))",
    # Below a key, for a window of the key index.
    "below": "{sort} < $below",
}


# The sources a ranking reads and the names it tests ``present`` for.
RANKING_SOURCES = tuple(_SOURCES)
RANKING_FILTERS = frozenset(_CONDITIONS)


def ranking(source: str, present: frozenset[str], *, count: bool = False) -> str:
    """A ranking page (or, with ``count``, its size) read from ``source``: a window of the
    key index, the keys changed after the pinned seq, a region, or the kept keys."""
    match, first, sort, score = _SOURCES[source]
    carry = "i, k" if source == "kept" else "i"
    if source in ("kept", "changed"):  # keys written after the pinned seq, by definition
        present -= {"pinned"}
    if source in ("index", "tied", "changed"):  # the key index: no OR
        present -= {"afterSort"}
    conditions = [first]
    conditions += [text.format(sort=sort) for name, text in _CONDITIONS.items() if name in present]
    # The key index is read by its own MATCH; the other sources filter what they found.
    where = "WHERE" if source in ("index", "tied", "changed") else f"WITH {carry} WHERE"
    statement = f"{match}\n{where} " + " AND ".join(conditions) + "\n"
    if count:
        return statement + "RETURN count(i) AS ranked"
    return (
        statement
        + f"WITH {carry}, {sort} AS creditSort, {score} AS creditScore\n"
        + "ORDER BY creditSort DESC, i.uscc LIMIT $limit"
        + INSTITUTION_FIELDS.rstrip()
        + ", creditScore, creditSort\n"
    )
