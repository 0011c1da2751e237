"""The change counter and the change log."""

from __future__ import annotations

__all__ = [
    "CHANGE_FILTERS",
    "CHANGE_HASH",
    "DELETE_PRUNED",
    "ENSURE_COUNTER",
    "HEAD",
    "IDEMPOTENCY_RECORD",
    "LAST_CHANGE_BEFORE",
    "LOG_START",
    "MARK_PRUNED",
    "PURGE_IDEMPOTENCY",
    "changes_after",
    "logged",
]

ENSURE_COUNTER = """
MERGE (counter:ChangeCounter {id: 'main'})
ON CREATE SET counter.seq = 0, counter.hash = $genesis
"""

HEAD = "MATCH (counter:ChangeCounter {id: 'main'}) RETURN counter.seq AS seq, counter.hash AS hash"

_CLAIM = """
MATCH (counter:ChangeCounter {id: 'main'})
WHERE counter.seq = $expectedSeq
SET counter.seq = $lastSeq, counter.hash = $lastHash
WITH counter
FOREACH (claim IN $idempotency | MERGE (k:IdempotencyKey {key: claim.key}) SET k += claim)
WITH counter
UNWIND $rows AS row
"""

# The claim holds only whole: once the counter is this write's, every change it counts is
# written, or the statement fails on a division by zero, which both engines undo whole
# (a row whose MATCH found nothing once moved the counter past changes never written).
# The divisor is a CASE, not the division: FalkorDB evaluates every branch of a CASE.
_APPEND = """
WITH row, {region} AS changeRegion
CREATE (change:Change)
SET change += row.change, change.region = changeRegion
WITH count(change) AS written
MATCH (counter:ChangeCounter {{id: 'main'}})
RETURN written / CASE
    WHEN counter.seq = $lastSeq AND counter.hash = $lastHash
         AND written <> $lastSeq - $expectedSeq THEN 0
    ELSE 1 END AS written
"""


def logged(per_row: str, *, region: str = "null") -> str:
    """One atomic statement: claim the counter at ``$expectedSeq``, keep the idempotency
    record in ``$idempotency`` (a list of none or one), apply ``per_row`` to each row of
    ``$rows`` (keeping ``row`` in scope, one record per row), append its Change.

    ``region`` is a Cypher expression over ``per_row``'s variables: the region code the
    change concerns, which the change feed filters on (it is not part of the hash).

    When another writer moved the counter first nothing is written and ``written`` is 0;
    when a row writes no change (a record it names is gone), the statement fails whole.
    """
    return _CLAIM + per_row + _APPEND.format(region=region)


_CHANGE_CONDITIONS = {
    "upTo": "change.seq <= $upTo",
    "entities": "change.entity IN $entities",
    "regions": "change.region IN codes",
    "hidden": "NOT change.entity IN $hidden",
}
# The named regions and every region below them, as the rest of the registry counts them.
_REGION_CODES = """
MATCH (named:Region) WHERE named.code IN $regions
MATCH (named)-[:PARENT_OF*0..3]->(below:Region)
WITH collect(DISTINCT below.code) AS codes
"""


# The names changes_after tests ``present`` for.
CHANGE_FILTERS = frozenset(_CHANGE_CONDITIONS)


def changes_after(present: frozenset[str], *, count: bool = False) -> str:
    """Changes after ``$after`` in seq order, narrowed by the filters in ``present``
    (``upTo``, ``entities``, ``regions``: region codes, each with its sub-regions, and
    ``hidden``: entities left out); or, with ``count``, how many."""
    conditions = ["change.seq > $after"]
    conditions += [text for name, text in _CHANGE_CONDITIONS.items() if name in present]
    statement = _REGION_CODES if "regions" in present else ""
    statement += "MATCH (change:Change)\nWHERE " + " AND ".join(conditions) + "\n"
    if count:
        return statement + "RETURN count(change) AS matching"
    return statement + (
        "RETURN change.seq AS seq, change.entity AS entity, change.key AS key, "
        "change.op AS op, change.at AS at, change.actor AS actor, change.data AS data, "
        "change.hash AS hash, change.region AS region\n"
        "ORDER BY change.seq\nLIMIT $limit"
    )


# Where the kept log begins: changes up to ``seq`` were pruned, ``hash`` is the last one's.
LOG_START = """
MATCH (counter:ChangeCounter {id: 'main'})
RETURN coalesce(counter.prunedThrough, 0) AS seq, coalesce(counter.prunedHash, $genesis) AS hash
"""

CHANGE_HASH = "MATCH (change:Change {seq: $seq}) RETURN change.hash AS hash"

# The checkpoint moves first, so a reader never finds changes missing without knowing why.
MARK_PRUNED = """
MATCH (counter:ChangeCounter {id: 'main'})
WHERE coalesce(counter.prunedThrough, 0) < $through AND $through <= counter.seq
SET counter.prunedThrough = $through, counter.prunedHash = $hash
RETURN counter.prunedThrough AS seq
"""

DELETE_PRUNED = """
MATCH (change:Change)
WHERE change.seq <= $through
WITH change LIMIT $limit
DELETE change
RETURN count(change) AS deleted
"""

LAST_CHANGE_BEFORE = """
MATCH (change:Change)
WHERE change.at < $before
RETURN max(change.seq) AS seq
"""

# A live (unexpired) idempotency record; an expired one is overwritten by the next claim.
IDEMPOTENCY_RECORD = """
MATCH (k:IdempotencyKey {key: $key})
WHERE k.expiresAt > $now
RETURN k.key AS key, k.fingerprint AS fingerprint, k.operation AS operation,
       k.written AS written, k.firstSeq AS firstSeq, k.lastSeq AS lastSeq, k.keys AS keys
"""

PURGE_IDEMPOTENCY = """
MATCH (k:IdempotencyKey)
WHERE k.expiresAt <= $now
WITH k LIMIT $limit
DELETE k
RETURN count(k) AS purged
"""
