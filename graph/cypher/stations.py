"""One-stop quality service stations: catalogues, service requests, their tally, benchmarks.

A station's catalogue hangs off its institution (``RUNS``), its requests too (``RECEIVED``).
The tally is a store aggregation over the requests submitted in a window, written once here
and used both by the station's performance and by its credit inputs (``graph/cypher/scores``).
"""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.cypher.timelines import status_in

__all__ = [
    "BENCHMARKS",
    "BENCHMARK_OWNERS",
    "DESIGNATE_BENCHMARKS",
    "PUT_SERVICE_REQUESTS",
    "REQUESTS_BY_ID",
    "REQUESTS_OF_STATION",
    "REQUEST_TALLIES",
    "STATIONS_BY_USCC",
    "STATIONS_IN",
    "UPSERT_STATIONS",
    "request_tally",
]

UPSERT_STATIONS = logged(
    """
MATCH (i:Institution {uscc: row.id})
MERGE (s:ServiceStation {uscc: row.id})
SET s += row.props, s.version = coalesce(s.version, 0) + 1
MERGE (i)-[:RUNS]->(s)
""",
    region="i.region",
)

_STATION_COLUMNS = """
RETURN s.uscc AS uscc, s.services AS services, s.routes AS routes, s.staffRoles AS staffRoles,
       s.staffNames AS staffNames, s.completionDays AS completionDays, s.version AS version,
       i.name AS name, i.region AS region
"""

STATIONS_BY_USCC = (
    "UNWIND $keys AS key\nMATCH (i:Institution {uscc: key})-[:RUNS]->(s:ServiceStation)"
    + _STATION_COLUMNS
)

# The stations of a region and its sub-regions (every region, when null) offering a service
# (any, when null).
STATIONS_IN = (
    """
OPTIONAL MATCH (:Region {code: $region})-[:PARENT_OF*0..3]->(below:Region)
WITH collect(DISTINCT below.code) AS codes
MATCH (i:Institution)-[:RUNS]->(s:ServiceStation)
WHERE ($region IS NULL OR i.region IN codes) AND ($service IS NULL OR $service IN s.services)
"""
    + _STATION_COLUMNS
    + "ORDER BY i.region, s.uscc\nLIMIT $limit"
)

PUT_SERVICE_REQUESTS = logged(
    """
MATCH (i:Institution {uscc: row.props.station})
MERGE (q:ServiceRequest {id: row.id})
SET q += row.props, q.version = coalesce(q.version, 0) + 1
MERGE (i)-[:RECEIVED]->(q)
""",
    region="i.region",
)

_REQUEST_COLUMNS = """
RETURN q.id AS id, q.station AS station, q.category AS category, q.status AS status,
       q.submittedOn AS submittedOn, q.submittedAt AS submittedAt, q.demand AS demand,
       q.enterprise AS enterprise, q.enterpriseUscc AS enterpriseUscc, q.contact AS contact,
       q.tokenDigest AS tokenDigest, q.provider AS provider, q.matchedOn AS matchedOn,
       q.matchedAt AS matchedAt, q.inServiceOn AS inServiceOn, q.inServiceAt AS inServiceAt,
       q.doneOn AS doneOn, q.doneAt AS doneAt, q.rejectedOn AS rejectedOn,
       q.rejectedAt AS rejectedAt, q.reason AS reason, q.summary AS summary,
       q.stageSince AS stageSince, q.dueBy AS dueBy, q.stagesMet AS stagesMet,
       q.stagesLate AS stagesLate, q.evaluation AS evaluation, q.evaluatedOn AS evaluatedOn,
       q.confirmedOn AS confirmedOn, q.confirmation AS confirmation,
       q.committedDays AS committedDays, q.version AS version, i.region AS region
"""

REQUESTS_BY_ID = (
    "UNWIND $keys AS key\nMATCH (i:Institution)-[:RECEIVED]->(q:ServiceRequest {id: key})"
    + _REQUEST_COLUMNS
)

REQUESTS_OF_STATION = (
    "MATCH (i:Institution {uscc: $station})-[:RECEIVED]->(q:ServiceRequest)"
    + _REQUEST_COLUMNS
    + "ORDER BY q.submittedAt DESC, q.id\nLIMIT $limit"
)


def request_tally(station: str, carried: str, since: str) -> str:
    """Clauses that count ``station``'s requests submitted from ``since`` to ``$today`` and
    carry ``carried`` along: requests, done, rejected, stages met and late, stages overdue
    today; the stages only of requests its regulator had confirmed by ``$today`` (anyone may
    submit one, so a station could ask itself and answer in time), the others counted as
    unconfirmed."""
    return f"""
OPTIONAL MATCH ({station})-[:RECEIVED]->(q:ServiceRequest)
WHERE {since} <= q.submittedOn AND q.submittedOn <= $today
WITH {carried}, q, coalesce(q.confirmedOn <= $today, false) AS confirmed
WITH {carried}, count(q) AS requests,
     sum(CASE WHEN q.status = 'DONE' THEN 1 ELSE 0 END) AS requestsDone,
     sum(CASE WHEN q.status = 'REJECTED' THEN 1 ELSE 0 END) AS requestsRejected,
     sum(CASE WHEN confirmed THEN coalesce(q.stagesMet, 0) ELSE 0 END) AS stagesMet,
     sum(CASE WHEN confirmed THEN coalesce(q.stagesLate, 0) ELSE 0 END) AS stagesLate,
     sum(CASE WHEN confirmed AND q.dueBy IS NOT NULL AND q.dueBy < $today THEN 1 ELSE 0 END)
       AS stagesOverdue,
     sum(CASE WHEN q IS NOT NULL AND NOT confirmed THEN 1 ELSE 0 END) AS requestsUnconfirmed
"""


REQUEST_TALLIES = (
    "UNWIND $keys AS key\nMATCH (i:Institution {uscc: key})"
    + request_tally("i", "i", "$since")
    + "RETURN i.uscc AS uscc, requests, requestsDone AS done, stagesMet AS met, "
    "stagesLate AS late, stagesOverdue AS overdue, requestsUnconfirmed AS unconfirmed, "
    "requestsRejected AS rejected"
)

DESIGNATE_BENCHMARKS = logged(
    """
MERGE (b:Benchmark {id: row.id})
SET b += row.props, b.version = coalesce(b.version, 0) + 1
""",
    region="b.region",
)

BENCHMARK_OWNERS = """
UNWIND $keys AS key
MATCH (b:Benchmark {id: key})
RETURN b.id AS id, b.uscc AS uscc, b.category AS category, b.year AS year
"""

_HELD_SERVICE = status_in("c", "$today", "['VALID']")

# Benchmarks of a category (in a region and its sub-regions, when named) with the best
# valid service certificate their subject holds on ``$today``: its stars (the most held)
# and the CPSQ of its assessment. Among certificates of equal stars an assessed one comes
# first, then the latest issued, so ``cpsq`` is null only when none of them was assessed.
BENCHMARKS = f"""
OPTIONAL MATCH (:Region {{code: $region}})-[:PARENT_OF*0..3]->(below:Region)
WITH collect(DISTINCT below.code) AS codes
MATCH (b:Benchmark {{category: $category}})
WHERE $region IS NULL OR b.region IN codes
OPTIONAL MATCH (:Organization {{uscc: b.uscc}})<-[:CERTIFIES]-(c:Certificate)
WHERE c.family = 'SERVICE' AND c.issuedOn <= $today AND c.expiresOn >= $today
  AND {_HELD_SERVICE}
OPTIONAL MATCH (a:ServiceAssessment)-[:ASSESSES]->(c)
WITH b, c, a
ORDER BY c.stars DESC, CASE WHEN a IS NULL THEN 1 ELSE 0 END, c.issuedOn DESC, c.number
WITH b, collect([c.stars, a.cpsq])[0] AS best
WITH b, best[0] AS stars, best[1] AS cpsq
RETURN b.id AS id, b.uscc AS uscc, b.category AS category, b.year AS year,
       b.criteria AS criteria, b.designatedOn AS designatedOn, b.designatedBy AS designatedBy,
       b.name AS name, b.region AS region, b.version AS version, stars, cpsq
ORDER BY b.year DESC, b.region, b.uscc
LIMIT $limit
"""
