"""The change counter and the change log."""

from __future__ import annotations

__all__ = [
    "CHANGES_AFTER",
    "ENSURE_COUNTER",
    "HEAD",
    "IDEMPOTENCY_RECORD",
    "PURGE_IDEMPOTENCY",
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

_APPEND = """
WITH row
CREATE (change:Change)
SET change += row.change
RETURN count(change) AS written
"""


def logged(per_row: str) -> str:
    """One atomic statement: claim the counter at ``$expectedSeq``, keep the idempotency
    record in ``$idempotency`` (a list of none or one), apply ``per_row`` to each row of
    ``$rows`` (keeping ``row`` in scope, one record per row), append its Change.

    When another writer moved the counter first nothing is written and ``written`` is 0.
    """
    return _CLAIM + per_row + _APPEND


CHANGES_AFTER = """
MATCH (change:Change)
WHERE change.seq > $after
RETURN change.seq AS seq, change.entity AS entity, change.key AS key, change.op AS op,
       change.at AS at, change.actor AS actor, change.data AS data, change.hash AS hash
ORDER BY change.seq
LIMIT $limit
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
